"""Asking for more time: from the link, the coordinator decides, the reminders follow."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from inspections.auth.models import Role
from inspections.db import utcnow
from inspections.i18n import local_day
from inspections.outbox.models import Notification, NotificationStatus
from inspections.outbox.relevance import stale_reason
from inspections.outbox.render import render
from inspections.remediation.models import ExtensionRequest, ExtensionStatus
from inspections.reminders.rules import schedule_due
from tests.conftest import CSRF_RE
from tests.links_world import concluded


def _csrf(client, path):
    return CSRF_RE.search(client.get(path).get_data(as_text=True)).group(1)


def _ask(client, path, until, reason="Chờ kinh phí sửa chữa bảng niêm yết"):
    return client.post(
        path + "/extension",
        data={"csrf_token": _csrf(client, path), "until": until.isoformat(), "reason": reason},
        follow_redirects=True,
    )


def _reminder_keys(db, action):
    return sorted(
        db.session.scalars(
            sa.select(Notification.idempotency_key).where(
                Notification.object_type == "corrective_action", Notification.object_id == action.id
            )
        )
    )


def test_granting_more_time_moves_the_due_date_mails_the_unit_and_the_reminders_follow(
    app, db, make, client, login
):
    world = concluded(make, db)
    action = world.actions[0]
    old_due = action.due_on
    # Three days before the old due date the unit has its "due in 7 days" reminder.
    before = utcnow().replace(hour=3) + timedelta(days=(old_due - local_day(utcnow())).days - 3)
    schedule_due(before)
    db.session.commit()
    [old_key] = _reminder_keys(db, action)
    assert old_key.endswith(old_due.isoformat())
    old_row = db.session.scalar(sa.select(Notification).where(Notification.idempotency_key == old_key))

    wanted = old_due + timedelta(days=30)
    page = _ask(client, world.remediation[0], wanted).get_data(as_text=True)
    assert "đang chờ cán bộ điều phối quyết định" in page
    req = db.session.scalar(sa.select(ExtensionRequest))
    assert req.status == ExtensionStatus.PENDING and req.old_due_on == old_due

    login(world.field.coordinator.username)
    listing = client.get("/actions/extensions/").get_data(as_text=True)
    assert "Chờ kinh phí sửa chữa bảng niêm yết" in listing
    response = client.post(
        f"/actions/extensions/{req.id}/decide",
        data={
            "csrf_token": _csrf(client, "/actions/extensions/"),
            "granted_on": wanted.isoformat(),
            "note": "Đồng ý",
            "decision": "grant",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert action.due_on == wanted
    assert db.session.get(ExtensionRequest, req.id).status == ExtensionStatus.GRANTED

    # The decision goes back to the unit, with a link to the action.
    mail = db.session.scalar(sa.select(Notification).where(Notification.kind == "extension_decided"))
    assert mail.recipient_email == "vanthu@hadong.example"
    body = render(mail).get_body(("plain",)).get_content()
    assert wanted.strftime("%d/%m/%Y") in body and "/l/action/" in body

    # The reminder about the old date is stale now, and is not sent.
    assert stale_reason(old_row) == "superseded: due date changed"
    # At the old moment nothing new is due; three days before the new date the reminder is.
    assert schedule_due(before) == 0
    later = before + timedelta(days=30)
    schedule_due(later)
    db.session.commit()
    keys = _reminder_keys(db, action)
    assert any(k.endswith(wanted.isoformat()) for k in keys)


def test_a_refusal_needs_a_reason_keeps_the_date_and_is_mailed(app, db, make, client, login):
    world = concluded(make, db)
    action = world.actions[1]
    old_due = action.due_on
    _ask(client, world.remediation[1], old_due + timedelta(days=10))
    req = db.session.scalar(sa.select(ExtensionRequest))
    login(world.field.coordinator.username)
    token = _csrf(client, "/actions/extensions/")
    client.post(f"/actions/extensions/{req.id}/decide", data={"csrf_token": token, "decision": "refuse"})
    db.session.expire_all()
    assert db.session.get(ExtensionRequest, req.id).status == ExtensionStatus.PENDING
    client.post(
        f"/actions/extensions/{req.id}/decide",
        data={"csrf_token": token, "decision": "refuse", "note": "Thời hạn đã đủ dài"},
    )
    db.session.expire_all()
    assert db.session.get(ExtensionRequest, req.id).status == ExtensionStatus.REFUSED
    assert action.due_on == old_due
    mail = db.session.scalar(sa.select(Notification).where(Notification.kind == "extension_decided"))
    assert mail.status == NotificationStatus.PENDING
    assert "Thời hạn đã đủ dài" in render(mail).get_body(("plain",)).get_content()


def test_an_extension_must_be_later_than_the_due_date_and_only_one_waits(app, db, make, client):
    world = concluded(make, db)
    path = world.remediation[0]
    action = world.actions[0]
    page = _ask(client, path, action.due_on).get_data(as_text=True)
    assert "sau thời hạn hiện tại" in page
    _ask(client, path, action.due_on + timedelta(days=5))
    assert db.session.scalar(sa.select(sa.func.count(ExtensionRequest.id))) == 1
    # The page now says a request waits, and offers no second form.
    assert 'name="until"' not in client.get(path).get_data(as_text=True)


def test_a_coordinator_of_another_plan_cannot_decide(app, db, make, client, login):
    world = concluded(make, db)
    _ask(client, world.remediation[0], world.actions[0].due_on + timedelta(days=5))
    req = db.session.scalar(sa.select(ExtensionRequest))
    other = make.user(Role.COORDINATOR)
    db.session.commit()
    login(other.username)
    assert "Chờ kinh phí" not in client.get("/actions/extensions/").get_data(as_text=True)
    token = _csrf(client, "/actions/extensions/")
    response = client.post(
        f"/actions/extensions/{req.id}/decide", data={"csrf_token": token, "decision": "grant"}
    )
    assert response.status_code == 404


def test_the_decision_mail_speaks_the_contacts_language(app, db, make, client, login):
    from inspections.units.models import Language, UnitContact

    world = concluded(make, db)
    db.session.scalars(sa.select(UnitContact)).first().language = Language.EN
    db.session.commit()
    _ask(client, world.remediation[0], world.actions[0].due_on + timedelta(days=9))
    req = db.session.scalar(sa.select(ExtensionRequest))
    login(world.field.coordinator.username)
    token = _csrf(client, "/actions/extensions/")
    client.post(f"/actions/extensions/{req.id}/decide", data={"csrf_token": token, "decision": "grant"})
    mail = db.session.scalar(sa.select(Notification).where(Notification.kind == "extension_decided"))
    message = render(mail)
    assert str(message["Subject"]).startswith("More time granted: new due date")
    assert "Your request for more time was granted." in message.get_body(("plain",)).get_content()


def test_a_granted_extension_cancels_the_reminders_of_the_old_date(app, db, make, client, login):
    world = concluded(make, db)
    action = world.actions[0]
    before = utcnow().replace(hour=3) + timedelta(days=(action.due_on - local_day(utcnow())).days - 3)
    schedule_due(before)
    db.session.commit()
    [old_key] = _reminder_keys(db, action)
    _ask(client, world.remediation[0], action.due_on + timedelta(days=30))
    req = db.session.scalar(sa.select(ExtensionRequest))
    login(world.field.coordinator.username)
    token = _csrf(client, "/actions/extensions/")
    client.post(f"/actions/extensions/{req.id}/decide", data={"csrf_token": token, "decision": "grant"})
    db.session.expire_all()
    old_row = db.session.scalar(sa.select(Notification).where(Notification.idempotency_key == old_key))
    assert old_row.status == NotificationStatus.CANCELLED and old_row.last_error == "superseded"


def test_the_old_addresses_of_the_coordinators_pages_answer_308(app, db, make, client, login):
    coordinator = make.user(Role.COORDINATOR)
    db.session.commit()
    login(coordinator.username)
    listing = client.get("/extensions/")
    assert listing.status_code == 308 and listing.headers["Location"].endswith("/actions/extensions/")
    token = _csrf(client, "/actions/extensions/")
    decide = client.post("/extensions/7/decide", data={"csrf_token": token, "decision": "grant"})
    assert decide.status_code == 308 and decide.headers["Location"].endswith("/actions/extensions/7/decide")
