"""A revoked link gets no fresh link (issue 11, item 10); a notice is acknowledged once,
however often it is acknowledged (item 11)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.auth.models import Role
from inspections.links.models import ActionLink, LinkPurpose
from inspections.outbox.dispatch import dispatch_due
from inspections.outbox.models import Notification
from inspections.portal.models import Acknowledgement
from tests.conftest import CSRF_RE, IsolatedClient, csrf_token
from tests.factories import PASSWORD
from tests.links_world import notice

CONTACT = "vanthu@hadong.example"


@pytest.fixture
def mail_folder(app, tmp_path) -> Path:
    app.config["SMTP_URL"] = None
    app.config["MAIL_FOLDER"] = str(tmp_path / "mail")
    return tmp_path / "mail"


def _revoke_by_admin(app, make, db, world, purpose: LinkPurpose) -> None:
    """What the admin does on the unit's links page."""
    admin = make.user(Role.ADMIN)
    db.session.commit()
    app.test_client_class = IsolatedClient
    client = app.test_client()
    client.post("/login", data={"csrf_token": csrf_token(client), "username": admin.username,
                                "password": PASSWORD})  # fmt: skip
    link = db.session.scalar(sa.select(ActionLink).where(ActionLink.purpose == purpose))
    token = csrf_token(client, f"/admin/units/{world.field.unit.id}/links")
    assert client.post(f"/admin/links/{link.id}/revoke", data={"csrf_token": token}).status_code == 302


def _ask_fresh(client, path: str, email: str):
    token = path.rsplit("/", 1)[1]
    return client.post("/l/fresh", data={"csrf_token": csrf_token(client), "token": token, "email": email})


def test_a_revoked_link_gets_no_fresh_link_and_nothing_is_mailed(app, db, make, client, mail_folder):
    world = notice(make, db)
    _revoke_by_admin(app, make, db, world, LinkPurpose.SELF_ASSESSMENT)

    answer = _ask_fresh(client, world.self_assessment, CONTACT)
    unknown = _ask_fresh(client, world.self_assessment, "nobody@nowhere.example")
    assert answer.status_code == unknown.status_code == 200
    # The same answer as any refused request: nothing tells the revoked link apart.
    assert CSRF_RE.sub("", answer.get_data(as_text=True)) == CSRF_RE.sub("", unknown.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.scalar(sa.select(Notification.id).where(Notification.kind == "fresh_link")) is None
    dispatch_due()
    mailed = [p.read_text(errors="replace") for p in mail_folder.glob("*.eml")]
    assert not any("/l/self-assessment/" in m for m in mailed)
    refusals = db.session.scalars(sa.select(AuditEvent.after).where(AuditEvent.action == "link.refused"))
    assert {"reason": "revoked"} in list(refusals)

    refused = client.get(world.self_assessment).get_data(as_text=True)
    assert "đã bị thu hồi" in refused
    assert "Gửi cho tôi đường dẫn mới" not in refused  # and no form that cannot work


def test_a_link_not_revoked_still_gets_its_fresh_link(app, db, make, client, mail_folder):
    world = notice(make, db)
    _revoke_by_admin(app, make, db, world, LinkPurpose.SELF_ASSESSMENT)
    _ask_fresh(client, world.acknowledge, CONTACT)  # the other link of the same mail
    db.session.expire_all()
    [row] = db.session.scalars(sa.select(Notification).where(Notification.kind == "fresh_link")).all()
    assert row.recipient_email == CONTACT and "/l/acknowledge/" in row.context["action_path"]


# --- item 11: acknowledged once --------------------------------------------------------------


def _acks(db) -> list[Acknowledgement]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Acknowledgement)))


def test_acknowledging_twice_on_the_dashboard_stores_one_acknowledgement(db, make, client, login):
    world = notice(make, db)
    login(world.field.contact.username)
    token = csrf_token(client, "/unit/")
    url = f"/unit/visits/{world.field.visit.id}/acknowledge"
    first = client.post(url, data={"csrf_token": token}, follow_redirects=True)
    again = client.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert first.status_code == again.status_code == 200
    assert "Đã xác nhận lúc" in again.get_data(as_text=True)
    assert len(_acks(db)) == 1


def test_the_link_then_the_dashboard_keep_the_first_acknowledgement(db, make, client, login):
    world = notice(make, db)
    client.post(world.acknowledge, data={"csrf_token": csrf_token(client, world.acknowledge)})
    [by_link] = _acks(db)
    assert by_link.contact_id == world.row.recipient_contact_id
    login(world.field.contact.username)
    client.post(
        f"/unit/visits/{world.field.visit.id}/acknowledge", data={"csrf_token": csrf_token(client, "/unit/")}
    )
    assert [a.id for a in _acks(db)] == [by_link.id]
    acknowledged = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "visit.acknowledge"))
    assert len(list(acknowledged)) == 1


def test_the_database_holds_one_acknowledgement_per_visit(db, make):
    world = notice(make, db)
    unit_id = world.field.unit.id
    db.session.add(Acknowledgement(visit_id=world.field.visit.id, unit_id=unit_id))
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.add(Acknowledgement(visit_id=world.field.visit.id, unit_id=unit_id))
        db.session.commit()
    db.session.rollback()
