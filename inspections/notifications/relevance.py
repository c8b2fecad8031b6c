"""Checked again at send time: is this row still true?

A row is written when its rule fires; by the time it is sent the visit may have moved or
been cancelled, the findings recorded, the action reported. A stale row is cancelled with
the reason, never sent: this holds even if the service that made the change forgot to
cancel what it superseded.
"""

from __future__ import annotations

import sqlalchemy as sa

from inspections.extensions import db
from inspections.notifications import kinds
from inspections.notifications.models import Notification


def _visit_reason(row: Notification) -> str | None:
    from inspections.findings.models import Finding
    from inspections.visits.models import InspectionKind, InspectionStatus, Visit, VisitStatus

    visit = db.session.get(Visit, row.object_id)
    if visit is None or visit.status == VisitStatus.CANCELLED:
        return "superseded: visit cancelled"
    inspection = visit.inspection
    if inspection.status == InspectionStatus.CANCELLED:
        return "superseded: inspection cancelled"
    expected = row.context.get("visit_date")
    if expected and expected != visit.starts_at.date().isoformat():
        return "superseded: visit moved"
    if inspection.kind == InspectionKind.SURPRISE and row.recipient_contact_id is not None:
        return "surprise visit: nothing goes to the unit"
    if row.kind == kinds.FINDINGS_OVERDUE:
        recorded = db.session.scalar(sa.select(Finding.id).where(Finding.visit_id == visit.id).limit(1))
        if recorded is not None:
            return "resolved: findings recorded"
    if row.kind == kinds.CONCLUSION_OVERDUE and inspection.status == InspectionStatus.CONCLUDED:
        return "resolved: conclusion issued"
    return None


def _action_reason(row: Notification) -> str | None:
    from inspections.remediation.models import ActionStatus, CorrectiveAction

    action = db.session.get(CorrectiveAction, row.object_id)
    if action is None:
        return "superseded: action removed"
    if action.status in (ActionStatus.REPORTED, ActionStatus.ACCEPTED):
        return "resolved: action reported"
    expected = row.context.get("due_on")
    if expected and expected != action.due_on.isoformat():
        return "superseded: due date changed"
    return None


_CHECKS = {"visit": _visit_reason, "corrective_action": _action_reason}


def stale_reason(row: Notification, cache: dict[tuple[object, ...], str | None] | None = None) -> str | None:
    """`cache` (one per batch) spares the queries for rows about the same object."""
    check = _CHECKS.get(row.object_type or "")
    if check is None or row.object_id is None:
        return None
    if cache is None:
        return check(row)
    # Everything a check reads from the row itself is in the key.
    key = (
        row.object_type,
        row.object_id,
        row.kind,
        row.recipient_contact_id is not None,
        row.context.get("visit_date"),
        row.context.get("due_on"),
    )
    if key not in cache:
        cache[key] = check(row)
    return cache[key]
