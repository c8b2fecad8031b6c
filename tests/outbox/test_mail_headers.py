"""What leaves the system by mail, read as receiving programs read it (issue 14).

Every mail here is sent by the dispatcher into the mail folder and read back from its
bytes by two decoders that are not the one that wrote it: the standard library's
compat32 parser with `email.header.decode_header` applied by hand (the RFC 2047 rules: the
white space between two encoded words is not text), and `mail-parser` (PyPI). The subject
must keep every space, List-Unsubscribe must be the plain <https://...> a client POSTs to,
the Message-ID, List-Id and Reply-To must name this deployment and a person, and the
mails about an action or a digest must link into the product.
"""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.header import decode_header, make_header
from pathlib import Path

import mailparser
import pytest
import sqlalchemy as sa
from flask import current_app

from inspections.db import utcnow
from inspections.documents.services import Subject, issue_conclusion
from inspections.findings.services import save_visit_finding
from inspections.outbox.dispatch import dispatch_due
from inspections.outbox.models import Notification, NotificationPreference
from inspections.outbox.render import render
from inspections.outbox.services import enqueue
from inspections.plans.models import PlanStatus
from inspections.remediation.services import add_action
from inspections.reminders import kinds
from inspections.reminders.notices import schedule_notices
from inspections.reminders.rules import coordinator_digests, schedule_due
from inspections.units.models import Language, UnitContact
from inspections.workdays.calendar import load_calendar
from tests import fieldwork
from tests.factories import days_from_now

APP_URL = "https://kiemtra.hanoi.gov.vn"
LONG_UNIT = "Ủy ban nhân dân Huyện Gia Lâm, Thành phố Hà Nội"
CONTACT = "vanthu@hadong.example"
TEAM = "Đoàn kiểm tra liên ngành số 1"


@pytest.fixture
def mail_folder(app, tmp_path) -> Path:
    app.config.update(SMTP_URL=None, MAIL_FOLDER=str(tmp_path / "mail"), APP_URL=APP_URL)
    return tmp_path / "mail"


def _raw_mails(folder: Path) -> list[bytes]:
    return [p.read_bytes() for p in sorted(folder.glob("*.eml"))]


def _mail_to(folder: Path, address: str) -> bytes:
    found = [
        data
        for data in _raw_mails(folder)
        if address in email.message_from_bytes(data, policy=email.policy.compat32)["To"]
    ]
    assert len(found) == 1, f"{len(found)} mails to {address}"
    return found[0]


def _by_rfc2047(value: str) -> str:
    """A header as a strict RFC 2047 decoder reads it: unfolded, then decoded by hand."""
    unfolded = value.replace("\r\n", "").replace("\n", "")
    return str(make_header(decode_header(unfolded)))


def _compat(data: bytes) -> email.message.Message:
    return email.message_from_bytes(data, policy=email.policy.compat32)


def _text(data: bytes) -> str:
    message = _compat(data)
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset())
    raise AssertionError("no text part")


def _action_world(make, db):
    """An announced visit yesterday, a finding, an action due in two working days, the
    conclusion issued: the rule mails the unit's contact that the action comes due."""
    field = fieldwork.build(make, db, visit_at=days_from_now(-1))
    field.unit.name = LONG_UNIT
    field.team.name = TEAM
    with current_app.test_request_context():
        finding = save_visit_finding(
            field.visit, criterion_id=field.criteria(db)[0].id, result="non_compliant", severity="low",
            text="Chưa niêm yết thủ tục", expected_version=None, actor=field.leader,
        )  # fmt: skip
        action = add_action(
            finding, description="Niêm yết đủ thủ tục hành chính", working_days=2,
            unit_id=field.unit.id, actor=field.leader,
        )  # fmt: skip
        issue_conclusion(Subject(field.visit, None), actor=field.leader, store_files=False)
    db.session.commit()
    db.session.execute(sa.delete(Notification))  # the conclusion's own mail: not this test's
    db.session.commit()
    return field, action


def _due_mail(make, db, folder: Path):
    field, action = _action_world(make, db)
    schedule_due(utcnow())
    db.session.commit()
    dispatch_due()
    row = db.session.scalar(sa.select(Notification).where(Notification.kind == kinds.ACTION_DUE))
    return field, action, row, _mail_to(folder, CONTACT)


def test_the_subject_keeps_its_spaces_in_two_other_decoders(make, db, mail_folder):
    _field, _action, row, data = _due_mail(make, db, mail_folder)
    with current_app.app_context():
        subject = str(render(row)["Subject"])
    assert LONG_UNIT in subject
    raw = _compat(data)["Subject"]
    assert "=?utf-8?" in raw and "\n" in raw  # encoded and folded: the case that went wrong
    assert _by_rfc2047(raw) == subject
    assert mailparser.parse_from_bytes(data).subject == subject
    assert "GiaLâm" not in _by_rfc2047(raw) and "Gia Lâm" in mailparser.parse_from_bytes(data).subject


def test_list_unsubscribe_is_a_plain_url_a_client_posts_to(make, db, mail_folder, client):
    _field, _action, _row, data = _due_mail(make, db, mail_folder)
    raw = _compat(data)
    unsubscribe = raw["List-Unsubscribe"]
    assert "=?" not in unsubscribe and unsubscribe.startswith(f"<{APP_URL}/unsubscribe/")
    assert unsubscribe.endswith(">") and "\n" not in unsubscribe
    assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parsed = mailparser.parse_from_bytes(data)
    assert parsed.headers["List-Unsubscribe"] == unsubscribe
    # RFC 8058: the client POSTs List-Unsubscribe=One-Click to that URL, no session, no token.
    path = unsubscribe.strip("<>").removeprefix(APP_URL)
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    opted = db.session.scalars(
        sa.select(NotificationPreference.kind).where(NotificationPreference.email == CONTACT)
    )
    assert list(opted) == [kinds.ACTION_DUE]


def test_message_id_list_id_and_reply_to_name_this_deployment_and_a_person(make, db, mail_folder):
    field, _action, row, data = _due_mail(make, db, mail_folder)
    raw = _compat(data)
    assert raw["Message-ID"] == row.message_id and row.message_id.endswith("@kiemtra.hanoi.gov.vn>")
    assert raw["List-Id"] == "Kiem tra CCHC <reminders.kiemtra.hanoi.gov.vn>"
    assert "inspections.example" not in raw["Message-ID"] + raw["List-Id"]
    name, address = email.utils.parseaddr(_by_rfc2047(raw["Reply-To"]))
    assert (name, address) == (field.leader.full_name, field.leader.email)  # the team head
    parsed = mailparser.parse_from_bytes(data)
    assert parsed.message_id == row.message_id
    assert parsed.reply_to == [(field.leader.full_name, field.leader.email)]
    footer = _text(data)
    assert field.leader.full_name in footer and "vui lòng không trả lời" not in footer


def test_the_action_mail_links_to_the_portal_page_of_the_action(make, db, mail_folder, client):
    _field, action, _row, data = _due_mail(make, db, mail_folder)
    text = _text(data)
    links = [w for w in text.split() if w.startswith(f"{APP_URL}/l/action/")]
    assert len(links) == 1
    page = client.get(links[0].removeprefix(APP_URL))
    assert page.status_code == 200 and action.description in page.get_data(as_text=True)


def test_an_escalation_to_the_coordinator_links_to_the_product(make, db, mail_folder, client, login):
    field, action = _action_world(make, db)
    action.due_on = load_calendar(db.session).add_working_days(action.due_on, -20)  # long overdue
    db.session.commit()
    schedule_due(utcnow())
    db.session.commit()
    dispatch_due()
    text = _text(_mail_to(mail_folder, field.coordinator.email))
    pages = [w for w in text.split() if w.startswith(APP_URL)]
    assert f"{APP_URL}/visits/{field.visit.id}" in pages
    login(field.coordinator.username)
    for url in pages:
        if "/unsubscribe/" in url or "/email-preferences/" in url:
            continue
        assert client.get(url.removeprefix(APP_URL)).status_code == 200, url


def test_the_digest_links_into_the_product(make, db, mail_folder, client, login):
    field = fieldwork.build(make, db, visit_at=days_from_now(3))
    field.plan.status = PlanStatus.APPROVED
    db.session.commit()
    monday = datetime(2019, 10, 7, 2, tzinfo=UTC)
    assert coordinator_digests(monday, load_calendar(db.session)) == 1
    db.session.commit()
    row = db.session.scalar(sa.select(Notification).where(Notification.kind == kinds.COORDINATOR_DIGEST))
    row.due_at = utcnow()
    row.deadline_at = None
    db.session.commit()
    dispatch_due()
    data = _mail_to(mail_folder, field.coordinator.email)
    text = _text(data)
    assert f"{APP_URL}/plans/{field.plan.id}" in text.split()
    login(field.coordinator.username)
    pages = [w for w in text.split() if w.startswith(APP_URL) and "/unsubscribe/" not in w]
    assert len(pages) >= 4
    for url in pages:
        if "/email-preferences/" in url:
            continue
        assert client.get(url.removeprefix(APP_URL)).status_code == 200, url
    assert "Reply-To" not in _compat(data)  # the coordinator would answer themselves


def test_mail_domain_and_mail_reply_to_settings_win(make, db, mail_folder):
    current_app.config.update(
        MAIL_DOMAIN="thu.hanoi.gov.vn", MAIL_REPLY_TO="Văn phòng Sở Nội vụ <vp@sonv.gov.vn>"
    )
    _field, _action, row, data = _due_mail(make, db, mail_folder)
    raw = _compat(data)
    assert row.message_id.endswith("@thu.hanoi.gov.vn>")
    assert raw["List-Id"] == "Kiem tra CCHC <reminders.thu.hanoi.gov.vn>"
    assert email.utils.parseaddr(_by_rfc2047(raw["Reply-To"])) == ("Văn phòng Sở Nội vụ", "vp@sonv.gov.vn")


def test_a_queued_mail_keeps_its_message_id_when_the_domain_changes(db, app):
    with app.test_request_context():
        row = enqueue(key="k-1", kind=kinds.COORDINATOR_DIGEST, email="a@sonv.example", context={
            "plan_title": "Kế hoạch", "upcoming_visits": 0, "actions_due": 0, "actions_overdue": 0,
            "conclusions_pending": 0,
        })  # fmt: skip
        db.session.commit()
        first = render(row)["Message-ID"]
        app.config["APP_URL"] = "https://other.gov.vn"
        again = render(db.session.get(Notification, row.id))
    assert again["Message-ID"] == first == row.message_id
    assert again["List-Id"] == "Kiem tra CCHC <reminders.other.gov.vn>"


@pytest.mark.parametrize("language", list(Language))
def test_the_schedule_notice_names_the_team_once(make, db, mail_folder, language):
    field = fieldwork.build(make, db, visit_at=days_from_now(12))
    field.team.name = TEAM
    for contact in field.unit.contacts:
        contact.language = language
    db.session.commit()
    schedule_notices(field.visit)
    db.session.commit()
    dispatch_due()
    data = _mail_to(mail_folder, CONTACT)
    text = _text(data)
    assert text.count(TEAM) == 1 and "Đoàn kiểm tra Đoàn kiểm tra" not in text
    assert "inspection team Đoàn" not in text
    assert email.utils.parseaddr(_by_rfc2047(_compat(data)["Reply-To"]))[1] == field.leader.email


def test_a_unit_contact_of_the_unit_above_gets_no_link_that_would_be_refused(make, db, mail_folder):
    field, action = _action_world(make, db)
    parent = make.unit(name="UBND Thành phố")
    parent.contacts.append(UnitContact(name="Văn phòng", email="vp@thanhpho.example"))
    field.unit.parent_id = parent.id
    action.due_on = load_calendar(db.session).add_working_days(action.due_on, -20)
    db.session.commit()
    schedule_due(utcnow())
    db.session.commit()
    dispatch_due()
    assert f"{APP_URL}/l/action/" not in _text(_mail_to(mail_folder, "vp@thanhpho.example"))
    assert f"{APP_URL}/l/action/" in _text(_mail_to(mail_folder, CONTACT))


def test_staff_pages_are_not_linked_for_a_unit_contact(make, db, mail_folder, client, login):
    """The unit's mail links only to the signed page; a logged-in contact is refused the
    team's pages anyway (the link would be no use to them)."""
    field, _action, _row, data = _due_mail(make, db, mail_folder)
    assert f"{APP_URL}/visits/" not in _text(data)
    login(field.contact.username)
    assert client.get(f"/visits/{field.visit.id}").status_code in (403, 404)
