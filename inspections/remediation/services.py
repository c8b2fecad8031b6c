"""Corrective actions: set by the team leader on a non-compliant finding, reported on by
the unit, accepted or returned (with a reason) by the leader."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from inspections.audit.services import record, snapshot
from inspections.auth.models import User
from inspections.db import utcnow
from inspections.errors import Conflict, InvalidInput
from inspections.extensions import db
from inspections.findings.models import Finding, FindingResult
from inspections.findings.services import is_locked
from inspections.i18n import LOCAL_TZ as LOCAL_TIME
from inspections.remediation.models import ActionStatus, CorrectiveAction
from inspections.workdays import load_calendar

MAX_WORKING_DAYS = 250
AUDITED = ("status", "description", "due_on", "report_text", "return_reason", "verified_by_id")


def today_in_vietnam(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(LOCAL_TIME).date()


def add_action(
    finding: Finding,
    *,
    description: str,
    working_days: int,
    unit_id: int,
    actor: User,
    today: date | None = None,
) -> CorrectiveAction:
    """An action on a non-compliant finding, due `working_days` working days from today."""
    if finding.result != FindingResult.NON_COMPLIANT:
        raise InvalidInput(_l("Corrective actions are set on non-compliant findings only."))
    if is_locked(visit_id=finding.visit_id, case_id=finding.case_id):
        raise Conflict(_l("The conclusion has been issued: no more actions can be added to it."))
    description = description.strip()
    if not description:
        raise InvalidInput(_l("Describe what the unit must do."))
    if not 1 <= working_days <= MAX_WORKING_DAYS:
        raise InvalidInput(_l("The time allowed must be between 1 and 250 working days."))
    due_on = load_calendar(db.session).add_working_days(today or today_in_vietnam(), working_days)
    action = CorrectiveAction(finding_id=finding.id, unit_id=unit_id, description=description, due_on=due_on)
    db.session.add(action)
    db.session.flush()
    record(
        "action.create",
        actor=actor,
        object_type="corrective_action",
        object_id=action.id,
        after=snapshot(action, "finding_id", "unit_id", *AUDITED) | {"working_days": working_days},
    )
    return action


def _change(action: CorrectiveAction, event: str, actor: User | None, **values: object) -> CorrectiveAction:
    before = snapshot(action, *AUDITED)
    for name, value in values.items():
        setattr(action, name, value)
    db.session.flush()
    record(
        event,
        actor=actor,
        object_type="corrective_action",
        object_id=action.id,
        before=before,
        after=snapshot(action, *AUDITED),
    )
    return action


def report(action: CorrectiveAction, *, text: str, actor: User | None) -> CorrectiveAction:
    """The unit's report of what it did (báo cáo kết quả khắc phục).

    `actor` is None when the report comes from a signed link in a notice rather than from
    a logged-in unit contact.
    """
    if action.status not in (ActionStatus.OPEN, ActionStatus.RETURNED):
        raise Conflict(_l("This action has already been reported on."))
    if not text.strip():
        raise InvalidInput(_l("Write what the unit has done."))
    return _change(
        action,
        "action.report",
        actor,
        status=ActionStatus.REPORTED,
        report_text=text.strip(),
        reported_at=utcnow(),
    )


def accept(action: CorrectiveAction, *, actor: User) -> CorrectiveAction:
    if action.status != ActionStatus.REPORTED:
        raise Conflict(_l("Only a reported action can be accepted."))
    return _change(
        action,
        "action.accept",
        actor,
        status=ActionStatus.ACCEPTED,
        verified_by_id=actor.id,
        verified_at=utcnow(),
    )


def return_report(action: CorrectiveAction, *, reason: str, actor: User) -> CorrectiveAction:
    if action.status != ActionStatus.REPORTED:
        raise Conflict(_l("Only a reported action can be returned."))
    if not reason.strip():
        raise InvalidInput(_l("Give the reason for returning the report."))
    return _change(
        action,
        "action.return",
        actor,
        status=ActionStatus.RETURNED,
        return_reason=reason.strip(),
        verified_by_id=actor.id,
        verified_at=utcnow(),
    )


def overdue_actions(today: date) -> sa.Select[tuple[CorrectiveAction]]:
    """Actions past their due date with nothing accepted: what the reminders chase."""
    return sa.select(CorrectiveAction).where(
        CorrectiveAction.due_on < today,
        CorrectiveAction.status.in_([ActionStatus.OPEN, ActionStatus.RETURNED]),
    )
