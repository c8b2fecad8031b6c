"""Signed links: issued in the mails, single-purpose, scoped, expiring, revocable, audited."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.auth.models import Role
from inspections.db import utcnow
from inspections.links.models import ActionLink, LinkPurpose
from inspections.links.services import issue
from inspections.outbox.models import Notification
from inspections.outbox.render import render
from inspections.portal.models import Acknowledgement, UnitUpload
from inspections.remediation.models import ActionStatus
from inspections.teams.models import TeamKind
from inspections.units.models import UnitContact
from tests import fieldwork
from tests.conftest import CSRF_RE
from tests.factories import days_from_now
from tests.links_world import FINDING_TEXT, concluded, links_in, notice


def _csrf(client, path):
    match = CSRF_RE.search(client.get(path).get_data(as_text=True))
    assert match, path
    return match.group(1)


def _events(db, action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def _assert_reveals_nothing(body, *secrets):
    assert "Không dùng được đường dẫn này" in body  # the refusal, in Vietnamese
    assert "Gửi cho tôi đường dẫn mới" in body  # and the fresh-link form
    for secret in secrets:
        assert secret not in body, secret


# --- the mails carry the links -------------------------------------------------------------


def test_schedule_notice_carries_acknowledge_and_self_assessment_links_that_a_retry_keeps(db, make):
    world = notice(make, db)
    again = links_in(world.row)  # a retry renders the row again
    db.session.commit()
    assert world.acknowledge in "".join(again) and world.self_assessment in "".join(again)
    assert render(world.row)["Message-ID"] == world.row.message_id
    links = db.session.scalars(sa.select(ActionLink).order_by(ActionLink.id)).all()
    assert [link.purpose for link in links] == [LinkPurpose.ACKNOWLEDGE, LinkPurpose.SELF_ASSESSMENT]
    assert all(
        link.unit_id == world.field.unit.id and link.object_id == world.field.visit.id for link in links
    )
    assert all(link.expires_at == world.field.visit.starts_at for link in links)
    assert links[0].email == "vanthu@hadong.example"


def test_no_link_is_ever_issued_for_a_surprise_visit(db, make):
    field = fieldwork.build(make, db, visit_at=days_from_now(5), kind=TeamKind.PUBLIC_SERVICE)
    assert issue(LinkPurpose.ACKNOWLEDGE, field.visit, email="x@test.example", contact_id=None) is None
    assert issue(LinkPurpose.SELF_ASSESSMENT, field.visit, email="x@test.example", contact_id=None) is None


def test_conclusion_mail_carries_a_reading_link_and_one_link_per_corrective_action(db, make):
    world = concluded(make, db)
    assert len(world.remediation) == 2
    links = db.session.scalars(
        sa.select(ActionLink).where(ActionLink.purpose == LinkPurpose.REMEDIATION).order_by(ActionLink.id)
    ).all()
    assert [link.object_id for link in links] == [a.id for a in world.actions]


# --- acknowledge: GET shows, POST acts, once -------------------------------------------------


def test_acknowledging_from_the_link_is_a_post_audited_and_works_once(app, db, make, client):
    world = notice(make, db)
    page = client.get(world.acknowledge)
    assert page.status_code == 200 and "Quận Hà Đông" in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Acknowledgement.id))) == 0  # a GET changes nothing

    response = client.post(world.acknowledge, data={"csrf_token": _csrf(client, world.acknowledge)})
    assert response.status_code == 200
    assert "đã được xác nhận" in response.get_data(as_text=True)
    db.session.expire_all()
    ack = db.session.scalar(sa.select(Acknowledgement))
    assert ack.visit_id == world.field.visit.id and ack.contact_id == world.row.recipient_contact_id
    assert _events(db, "link.acknowledge") and _events(db, "visit.acknowledge")


def test_a_post_without_the_csrf_token_is_refused(app, db, make, client):
    world = notice(make, db)
    assert client.post(world.acknowledge, data={}).status_code == 400
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Acknowledgement.id))) == 0


# --- refused links: tampered, expired, reused, other unit, revoked ---------------------------


def _expire(db):
    for link in db.session.scalars(sa.select(ActionLink)):
        link.created_at, link.expires_at = utcnow() - timedelta(days=2), utcnow() - timedelta(days=1)
    db.session.commit()


def _secrets(world):
    visit = world.field.visit
    return ("Quận Hà Đông", world.field.team.name, visit.starts_at.strftime("%d/%m/%Y"), FINDING_TEXT)


def test_a_tampered_link_is_refused_and_reveals_nothing(app, db, make, client):
    world = notice(make, db)
    token = world.acknowledge.rsplit("/", 1)[1]
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client.get(f"/l/acknowledge/{tampered}")
    assert response.status_code == 403
    _assert_reveals_nothing(response.get_data(as_text=True), *_secrets(world))
    assert "bị thay đổi" in response.get_data(as_text=True)
    # A token for one purpose does not open another.
    other = client.get("/l/self-assessment/" + token)
    assert other.status_code == 403


def test_an_expired_link_is_refused_and_reveals_nothing(app, db, make, client):
    world = notice(make, db)
    _expire(db)
    response = client.get(world.self_assessment)
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    _assert_reveals_nothing(body, *_secrets(world))
    assert "đã hết hạn" in body
    assert _events(db, "link.refused")[-1].after == {"reason": "expired"}


def test_a_used_one_time_link_is_refused_and_reveals_nothing(app, db, make, client):
    world = notice(make, db)
    client.post(world.acknowledge, data={"csrf_token": _csrf(client, world.acknowledge)})
    response = client.get(world.acknowledge)
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    _assert_reveals_nothing(body, *_secrets(world))
    assert "đã được sử dụng" in body
    again = client.post(world.acknowledge, data={"csrf_token": CSRF_RE.search(body).group(1)})
    assert again.status_code == 403
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Acknowledgement.id))) == 1


def test_a_link_of_another_unit_is_refused_and_reveals_nothing(app, db, make, client, login):
    world = notice(make, db)
    stranger = make.user(Role.UNIT_CONTACT)  # a contact of another unit, logged in
    db.session.commit()
    login(stranger.username)
    response = client.get(world.acknowledge)
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    _assert_reveals_nothing(body, *_secrets(world))
    assert "không dành cho đơn vị của bạn" in body


def test_a_link_whose_object_moved_to_another_unit_is_refused(app, db, make, client):
    world = notice(make, db)
    world.field.inspection.unit_id = make.unit().id  # reassigned after the mail went out
    db.session.commit()
    response = client.get(world.self_assessment)
    assert response.status_code == 403
    _assert_reveals_nothing(response.get_data(as_text=True), *_secrets(world))


def test_a_link_sent_to_a_contact_no_longer_active_is_refused(app, db, make, client):
    world = notice(make, db)
    db.session.get(UnitContact, world.row.recipient_contact_id).active = False
    db.session.commit()
    assert client.get(world.acknowledge).status_code == 403


def test_an_admin_lists_a_units_links_and_revokes_one(app, db, make, client, login):
    world = notice(make, db)
    admin = make.user(Role.ADMIN)
    db.session.commit()
    login(admin.username)
    page = client.get(f"/admin/units/{world.field.unit.id}/links")
    assert page.status_code == 200 and "vanthu@hadong.example" in page.get_data(as_text=True)
    link = db.session.scalar(sa.select(ActionLink).where(ActionLink.purpose == LinkPurpose.SELF_ASSESSMENT))
    token = _csrf(client, f"/admin/units/{world.field.unit.id}/links")
    assert client.post(f"/admin/links/{link.id}/revoke", data={"csrf_token": token}).status_code == 302
    client.post("/logout", data={"csrf_token": token})
    response = client.get(world.self_assessment)
    assert response.status_code == 403 and "đã bị thu hồi" in response.get_data(as_text=True)
    assert client.get(world.acknowledge).status_code == 200  # the other link still works
    assert _events(db, "link.revoke")


# --- a fresh link by email ---------------------------------------------------------------


def _ask_fresh(client, path, email):
    page = client.get(path).get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    link_token = re.search(r'name="token"[^>]*value="([^"]*)"', page).group(1)
    return client.post("/l/fresh", data={"csrf_token": token, "token": link_token, "email": email})


def test_a_fresh_link_goes_only_to_an_active_contact_of_the_links_unit(app, db, make, client):
    world = notice(make, db)
    _expire(db)
    other = make.unit()
    other.contacts.append(UnitContact(name="Khác", email="khac@other.example"))
    db.session.commit()
    # The CSRF token is signed with the time: pages a second apart differ there, and only there.
    answers = [
        CSRF_RE.sub("", _ask_fresh(client, world.acknowledge, email).get_data(as_text=True))
        for email in ("nobody@nowhere.example", "khac@other.example", "VANTHU@hadong.example")
    ]
    assert answers[0] == answers[1] == answers[2]
    db.session.expire_all()
    fresh = db.session.scalars(sa.select(Notification).where(Notification.kind == "fresh_link")).all()
    assert [n.recipient_email for n in fresh] == ["vanthu@hadong.example"]
    new_path = fresh[0].context["action_path"]
    assert "/l/acknowledge/" in new_path
    assert client.get(new_path).status_code == 200
    body = render(fresh[0]).get_body(("plain",)).get_content()
    assert new_path in body


def test_a_tampered_link_gets_the_same_answer_and_mails_nothing(app, db, make, client):
    world = notice(make, db)
    response = _ask_fresh(client, world.acknowledge[:-4] + "abcd", "vanthu@hadong.example")
    assert response.status_code == 200
    assert db.session.scalar(sa.select(Notification.id).where(Notification.kind == "fresh_link")) is None


# --- the self-assessment report -----------------------------------------------------------


def test_the_self_assessment_is_uploaded_before_the_visit_with_the_evidence_checks(app, db, make, client):
    world = notice(make, db)
    token = _csrf(client, world.self_assessment)
    bad = client.post(
        world.self_assessment,
        data={"csrf_token": token, "file": (io.BytesIO(b"MZ not a pdf"), "baocao.pdf")},
        content_type="multipart/form-data",
    )
    assert "không được chấp nhận" in bad.get_data(as_text=True)
    good = client.post(
        world.self_assessment,
        data={"csrf_token": token, "file": (io.BytesIO(fieldwork.PDF), "bao-cao-tu-danh-gia.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "bao-cao-tu-danh-gia.pdf" in good.get_data(as_text=True)
    db.session.expire_all()
    [upload] = db.session.scalars(sa.select(UnitUpload)).all()
    assert upload.visit_id == world.field.visit.id and upload.content_type == "application/pdf"
    assert _events(db, "link.self_assessment")


# --- the conclusion and remediation --------------------------------------------------------


def test_the_conclusion_is_read_from_its_link(app, db, make, client):
    world = concluded(make, db)
    page = client.get(world.conclusion)
    assert page.status_code == 200
    assert world.document.symbol in page.get_data(as_text=True)
    assert _events(db, "link.view")


@pytest.mark.usefixtures("in_request")
def test_remediation_is_reported_with_a_file_and_the_verdict_is_seen_later(app, db, make, client):
    from inspections.remediation.services import return_report

    world = concluded(make, db)
    path = world.remediation[0]
    response = client.post(
        path,
        data={
            "csrf_token": _csrf(client, path),
            "text": "Đã niêm yết đầy đủ thủ tục",
            "files": (io.BytesIO(fieldwork.PDF), "anh-niem-yet.pdf"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Đã niêm yết đầy đủ thủ tục" in response.get_data(as_text=True)
    db.session.expire_all()
    action = world.actions[0]
    db.session.refresh(action)
    assert action.status == ActionStatus.REPORTED
    assert db.session.scalar(sa.select(UnitUpload.filename).where(UnitUpload.action_id == action.id)) == (
        "anh-niem-yet.pdf"
    )
    return_report(action, reason="Thiếu ảnh chụp bảng niêm yết", actor=world.field.leader)
    db.session.commit()
    page = client.get(path).get_data(as_text=True)
    assert "Thiếu ảnh chụp bảng niêm yết" in page
    assert 'name="text"' in page  # a returned report can be sent again


def test_the_leader_sees_the_files_of_a_report_on_the_actions_list(app, db, make, client, login):
    world = concluded(make, db)
    path = world.remediation[1]
    client.post(
        path,
        data={
            "csrf_token": _csrf(client, path),
            "text": "Đã cập nhật quy chế",
            "files": (io.BytesIO(fieldwork.PDF), "quy-che-moi.pdf"),
        },
        content_type="multipart/form-data",
    )
    login(world.field.leader.username)
    page = client.get("/actions/").get_data(as_text=True)
    href = re.search(r'href="(/unit-uploads/\d+)">quy-che-moi.pdf', page).group(1)
    assert client.get(href).data == fieldwork.PDF


def test_a_remediation_link_opens_only_its_own_action(app, db, make, client):
    world = concluded(make, db)
    first, second = world.remediation
    assert world.actions[0].description in client.get(first).get_data(as_text=True)
    assert world.actions[0].description not in client.get(second).get_data(as_text=True)


@pytest.mark.parametrize("purpose", ["acknowledge", "self-assessment", "conclusion", "action"])
def test_garbage_tokens_are_refused_on_every_link_page(client, purpose):
    assert client.get(f"/l/{purpose}/not-a-token").status_code == 403


def test_expired_remediation_link_fresh_link_is_a_new_remediation_link(app, db, make, client):
    world = concluded(make, db)
    _expire(db)
    _ask_fresh(client, world.remediation[1], "vanthu@hadong.example")
    row = db.session.scalar(sa.select(Notification).where(Notification.kind == "fresh_link"))
    page = client.get(row.context["action_path"]).get_data(as_text=True)
    assert world.actions[1].description in page


# --- the unit dashboard, for contacts with an account ---------------------------------------


def test_a_unit_contact_with_an_account_does_the_same_from_the_dashboard(app, db, make, client, login):
    world = notice(make, db)
    surprise = fieldwork.build(make, db, visit_at=days_from_now(3), kind=TeamKind.PUBLIC_SERVICE)
    surprise.inspection.unit_id = world.field.unit.id
    db.session.commit()
    login(world.field.contact.username)
    page = client.get("/unit/").get_data(as_text=True)
    assert world.field.team.name in page
    assert surprise.team.name not in page  # surprise secrecy
    token = CSRF_RE.search(page).group(1)
    visit_id = world.field.visit.id
    assert client.post(f"/unit/visits/{visit_id}/acknowledge", data={"csrf_token": token}).status_code == 302
    client.post(
        f"/unit/visits/{visit_id}/self-assessment",
        data={"csrf_token": token, "file": (io.BytesIO(fieldwork.PDF), "tu-danh-gia.pdf")},
        content_type="multipart/form-data",
    )
    page = client.get("/unit/").get_data(as_text=True)
    assert "Đã xác nhận lúc" in page and "tu-danh-gia.pdf" in page
    db.session.expire_all()
    assert db.session.scalar(sa.select(Acknowledgement.user_id)) == world.field.contact.id
    # A surprise visit is not reachable by id either.
    response = client.post(f"/unit/visits/{surprise.visit.id}/acknowledge", data={"csrf_token": token})
    assert response.status_code == 404


@pytest.mark.usefixtures("in_request")
def test_the_dashboard_shows_the_verdict_on_a_report(app, db, make, client, login):
    from inspections.remediation.services import accept, report

    world = concluded(make, db)
    action = world.actions[0]
    report(action, text="Đã làm", actor=None)
    accept(action, actor=world.field.leader)
    db.session.commit()
    login(world.field.contact.username)
    page = client.get(f"/unit/actions/{action.id}").get_data(as_text=True)
    assert "Đoàn kiểm tra đã chấp nhận báo cáo." in page
    other = world.actions[1]
    token = CSRF_RE.search(page).group(1)
    client.post(
        f"/unit/actions/{other.id}",
        data={"csrf_token": token, "text": "Đã cập nhật quy chế"},
    )
    db.session.expire_all()
    assert db.session.get(type(other), other.id).status == ActionStatus.REPORTED


def test_the_team_sees_the_acknowledgement_and_downloads_the_self_assessment(app, db, make, client, login):
    world = notice(make, db)
    client.post(world.acknowledge, data={"csrf_token": _csrf(client, world.acknowledge)})
    client.post(
        world.self_assessment,
        data={
            "csrf_token": _csrf(client, world.self_assessment),
            "file": (io.BytesIO(fieldwork.PDF), "tu-danh-gia.pdf"),
        },
        content_type="multipart/form-data",
    )
    login(world.field.leader.username)
    page = client.get(f"/visits/{world.field.visit.id}").get_data(as_text=True)
    assert "Đơn vị đã xác nhận thông báo lúc" in page
    href = re.search(r'href="(/unit-uploads/\d+)">tu-danh-gia.pdf', page).group(1)
    download = client.get(href)
    assert download.status_code == 200 and download.data == fieldwork.PDF
    client.post("/logout", data={"csrf_token": _csrf(client, "/")})
    login(world.field.outsider.username)
    assert client.get(href).status_code == 404


def test_the_refusal_speaks_the_language_the_mail_was_in(app, db, make, client):
    from inspections.units.models import Language

    world = notice(make, db)
    db.session.get(UnitContact, world.row.recipient_contact_id).language = Language.EN
    _expire(db)
    body = client.get(world.acknowledge).get_data(as_text=True)
    assert "This link cannot be used" in body and "The link has expired." in body
    assert "Send me a fresh link" in body


def test_a_refused_file_refuses_the_whole_report(app, db, make, client):
    world = concluded(make, db)
    path = world.remediation[0]
    page = client.post(
        path,
        data={
            "csrf_token": _csrf(client, path),
            "text": "Đã làm",
            "files": (io.BytesIO(b"#!/bin/sh\necho hi\n"), "script.pdf"),
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "không được chấp nhận" in page
    db.session.expire_all()
    assert db.session.get(type(world.actions[0]), world.actions[0].id).status == ActionStatus.OPEN
    assert db.session.scalar(sa.select(sa.func.count(UnitUpload.id))) == 0
