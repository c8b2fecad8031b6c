"""Corrective actions: set by the team leader on a non-compliant finding, reported on by
the unit, accepted or returned (with a reason) by the leader; and the unit's requests for
more time, decided by a coordinator."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from inspections import i18n
from inspections.audit.services import record, snapshot
from inspections.auth.models import User
from inspections.db import utcnow
from inspections.errors import Conflict, InvalidInput
from inspections.events import ActionDueChanged, ExtensionDecided, RemediationReported, publish
from inspections.extensions import db
from inspections.findings.models import Finding, FindingResult
from inspections.findings.services import ensure_started, is_locked
from inspections.links.services import Actor
from inspections.remediation.models import ActionStatus, CorrectiveAction, ExtensionRequest, ExtensionStatus
from inspections.workdays.calendar import load_calendar

MAX_WORKING_DAYS = 250
MAX_EXTENSION = timedelta(days=365)
AUDITED = ("status", "description", "due_on", "report_text", "return_reason", "verified_by_id")


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
    ensure_started(visit_id=finding.visit_id)
    description = description.strip()
    if not description:
        raise InvalidInput(_l("Describe what the unit must do."))
    if not 1 <= working_days <= MAX_WORKING_DAYS:
        raise InvalidInput(_l("The time allowed must be between 1 and 250 working days."))
    due_on = load_calendar(db.session).add_working_days(today or i18n.today(), working_days)
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
    _change(
        action,
        "action.report",
        actor,
        status=ActionStatus.REPORTED,
        report_text=text.strip(),
        reported_at=utcnow(),
    )
    publish(RemediationReported(action.id))
    return action


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


# --- more time: the unit asks, a coordinator decides ----------------------------------------


def pending_extension(action_id: int) -> ExtensionRequest | None:
    return db.session.scalar(
        sa.select(ExtensionRequest).where(
            ExtensionRequest.action_id == action_id, ExtensionRequest.status == ExtensionStatus.PENDING
        )
    )


def extensions_of(action_id: int) -> list[ExtensionRequest]:
    return list(
        db.session.scalars(
            sa.select(ExtensionRequest)
            .where(ExtensionRequest.action_id == action_id)
            .order_by(ExtensionRequest.id)
        )
    )


def request_extension(
    action: CorrectiveAction, *, until: date, reason: str, actor: Actor
) -> ExtensionRequest:
    if action.status not in (ActionStatus.OPEN, ActionStatus.RETURNED):
        raise Conflict(_l("More time can be asked only for an action not yet reported on."))
    if pending_extension(action.id) is not None:
        raise Conflict(_l("A request for more time on this action is already waiting for a decision."))
    if until <= action.due_on:
        raise InvalidInput(_l("Ask for a date after the current due date."))
    if until > action.due_on + MAX_EXTENSION:
        raise InvalidInput(_l("Ask for at most one year more."))
    if not reason.strip():
        raise InvalidInput(_l("Give the reason for asking for more time."))
    req = ExtensionRequest(
        action_id=action.id,
        unit_id=action.unit_id,
        old_due_on=action.due_on,
        requested_on=until,
        reason=reason.strip(),
        contact_id=actor.contact_id,
        user_id=actor.user_id,
    )
    db.session.add(req)
    db.session.flush()
    record(
        "extension.request",
        actor=actor.user,
        object_type="extension_request",
        object_id=req.id,
        after=snapshot(req, "action_id", "old_due_on", "requested_on", "reason", "contact_id"),
    )
    return req


def decide_extension(
    req: ExtensionRequest, *, grant: bool, actor: User, granted_on: date | None = None, note: str = ""
) -> ExtensionRequest:
    """Granting moves the action's due date (`ActionDueChanged`: the reminders follow it);
    the decision goes to the unit (`ExtensionDecided`)."""
    if req.status != ExtensionStatus.PENDING:
        raise Conflict(_l("This request has already been decided."))
    action = db.session.get(CorrectiveAction, req.action_id)
    before = snapshot(req, "status", "granted_on", "decision_note")
    old_due = action.due_on
    if grant:
        new_due = granted_on or req.requested_on
        if new_due <= action.due_on:
            raise InvalidInput(_l("The new due date must be after the current one."))
        action_before = snapshot(action, "due_on")
        action.due_on = new_due
        req.granted_on = new_due
        db.session.flush()
        record(
            "action.extend",
            actor=actor,
            object_type="corrective_action",
            object_id=action.id,
            before=action_before,
            after=snapshot(action, "due_on") | {"extension_request_id": req.id},
        )
    elif not note.strip():
        raise InvalidInput(_l("Give the reason for refusing more time."))
    req.status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
    req.decision_note = note.strip() or None
    req.decided_by_id = actor.id
    req.decided_at = utcnow()
    db.session.flush()
    record(
        "extension.decide",
        actor=actor,
        object_type="extension_request",
        object_id=req.id,
        before=before,
        after=snapshot(req, "status", "granted_on", "decision_note"),
    )
    if action.due_on != old_due:
        publish(ActionDueChanged(action.id, old_due))
    publish(ExtensionDecided(req.id))
    return req
