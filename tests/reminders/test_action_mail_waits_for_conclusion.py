"""No mail to a unit about a corrective action before the conclusion that sets it is issued
(issue 11, item 1): the action reaches the unit through the conclusion, announced visits
too. The rule writes nothing before it, and a row queued anyway is stopped at send time."""

from __future__ import annotations

from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app

from inspections.db import utcnow
from inspections.documents.services import Subject, issue_conclusion
from inspections.findings.services import save_visit_finding
from inspections.i18n import today
from inspections.outbox.dispatch import dispatch_due
from inspections.outbox.models import Notification, NotificationStatus
from inspections.outbox.services import enqueue
from inspections.remediation.services import add_action
from inspections.reminders import kinds
from inspections.reminders.rules import _action_context, schedule_due
from inspections.units.models import UnitContact
from inspections.workdays.calendar import load_calendar
from tests import fieldwork
from tests.factories import days_from_now

CONTACT = "vanthu@hadong.example"
ABOVE = "vanphong@thanhpho.example"


@pytest.fixture
def mail_folder(app, tmp_path) -> Path:
    app.config["SMTP_URL"] = None
    app.config["MAIL_FOLDER"] = str(tmp_path / "mail")
    return tmp_path / "mail"


def _mails(folder: Path) -> list[tuple[str, str]]:
    found = []
    for path in sorted(folder.glob("*.eml")):
        mail = message_from_bytes(path.read_bytes(), policy=email_policy.default)
        found.append((mail["To"].addresses[0].addr_spec, str(mail["Subject"])))
    return found


def _visited_with_action(make, db, *, working_days: int):
    """A visit yesterday (announced), a non-compliant finding and its action; no conclusion."""
    field = fieldwork.build(make, db, visit_at=days_from_now(-1))
    parent = make.unit(name="UBND Thành phố")
    parent.contacts.append(UnitContact(name="Văn phòng", email=ABOVE))
    field.unit.parent_id = parent.id
    with current_app.test_request_context():
        finding = save_visit_finding(
            field.visit, criterion_id=field.criteria(db)[0].id, result="non_compliant", severity="low",
            text="Chưa niêm yết thủ tục", expected_version=None, actor=field.leader,
        )  # fmt: skip
        action = add_action(
            finding, description="Niêm yết đủ thủ tục hành chính", working_days=working_days,
            unit_id=field.unit.id, actor=field.leader,
        )  # fmt: skip
    db.session.commit()
    return field, action


def _action_rows(db) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification).where(Notification.kind.in_((kinds.ACTION_DUE, kinds.ACTION_OVERDUE)))
        )
    )


def test_an_action_coming_due_is_mailed_only_once_its_conclusion_is_issued(make, db, mail_folder):
    field, action = _visited_with_action(make, db, working_days=2)

    schedule_due(utcnow())
    db.session.commit()
    dispatch_due()
    assert _action_rows(db) == []
    assert not any(to == CONTACT for to, _subject in _mails(mail_folder))  # the unit got nothing

    with current_app.test_request_context():
        issue_conclusion(Subject(field.visit, None), actor=field.leader, store_files=False)
    db.session.commit()
    schedule_due(utcnow())
    db.session.commit()
    dispatch_due()
    assert [(r.kind, r.recipient_email) for r in _action_rows(db)] == [(kinds.ACTION_DUE, CONTACT)]
    subjects = [subject for to, subject in _mails(mail_folder) if to == CONTACT]
    assert any("Quận Hà Đông" in s and "khắc phục" in s for s in subjects), subjects


def test_an_overdue_action_is_not_escalated_to_the_unit_above_before_the_conclusion(make, db):
    field, action = _visited_with_action(make, db, working_days=1)
    action.due_on = load_calendar(db.session).add_working_days(today(), -12)  # long overdue
    db.session.commit()

    schedule_due(utcnow())
    db.session.commit()
    assert _action_rows(db) == []

    with current_app.test_request_context():
        issue_conclusion(Subject(field.visit, None), actor=field.leader, store_files=False)
    db.session.commit()
    schedule_due(utcnow())
    db.session.commit()
    told = {(r.kind, r.recipient_email) for r in _action_rows(db)}
    assert (kinds.ACTION_OVERDUE, CONTACT) in told and (kinds.ACTION_OVERDUE, ABOVE) in told


def _queued(db, action, contact: UnitContact) -> Notification:
    """A reminder row written before the conclusion (by the old rule, or a race)."""
    context = _action_context(action, today(), load_calendar(db.session))
    row = enqueue(
        key=f"action:{action.id}:due7:contact:{contact.id}:{action.due_on.isoformat()}",
        kind=kinds.ACTION_DUE, email=contact.email, name=contact.name, context=context,
        contact_id=contact.id, object_type="corrective_action", object_id=action.id,
    )  # fmt: skip
    db.session.commit()
    return row


def test_a_queued_reminder_is_stopped_at_send_time_until_the_conclusion_is_issued(make, db, mail_folder):
    field, action = _visited_with_action(make, db, working_days=3)
    contact = field.unit.contacts[0]
    row = _queued(db, action, contact)

    dispatch_due()
    db.session.refresh(row)
    assert row.status == NotificationStatus.CANCELLED
    assert "conclusion" in row.last_error
    assert _mails(mail_folder) == []

    # Once the conclusion is out, the same reminder goes.
    with current_app.test_request_context():
        issue_conclusion(Subject(field.visit, None), actor=field.leader, store_files=False)
    db.session.commit()
    later = enqueue(
        key=f"action:{action.id}:due0:contact:{contact.id}:{action.due_on.isoformat()}",
        kind=kinds.ACTION_DUE, email=contact.email, name=contact.name,
        context=_action_context(action, today(), load_calendar(db.session)),
        contact_id=contact.id, object_type="corrective_action", object_id=action.id,
    )  # fmt: skip
    db.session.commit()
    dispatch_due()
    db.session.refresh(later)
    assert later.status == NotificationStatus.SENT
    assert CONTACT in [to for to, _subject in _mails(mail_folder)]
