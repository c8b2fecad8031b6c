"""The schedule notice of an announced visit, and cancelling what a change supersedes.

Run by this feature's event handlers (`handlers.py`), in the transaction of the change
(flush, no commit). The time-based rules (reminders, escalations, digests) are in `rules.py`.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from inspections.extensions import db
from inspections.outbox.models import Notification, NotificationStatus
from inspections.outbox.services import enqueue
from inspections.remediation.models import CorrectiveAction
from inspections.reminders.kinds import SCHEDULE_NOTICE
from inspections.visits.models import InspectionKind, Visit, VisitStatus


def visit_day(visit: Visit) -> str:
    """The visit's date as it stands, the part of a key that a move changes."""
    return visit.starts_at.date().isoformat()


def visit_context(visit: Visit) -> dict[str, object]:
    """What a template needs to say which visit, without loading anything at send time."""
    inspection = visit.inspection
    team = inspection.team
    head = team.head.user if team.head else None
    return {
        "visit_id": visit.id,
        "inspection_id": inspection.id,
        "visit_starts_at": visit.starts_at.isoformat(),
        "visit_ends_at": visit.ends_at.isoformat(),
        "visit_date": visit_day(visit),
        "slot": str(visit.slot),
        "unit_name": inspection.unit.name,
        "team_name": team.name,
        "team_head": head.full_name if head else "",
        "plan_title": inspection.plan.title,
    }


def schedule_notices(visit: Visit) -> list[Notification]:
    """Schedule notices of an announced visit to the unit's active contacts.

    A surprise visit gets none (surprise secrecy). The key holds the visit's date, so a
    visit approved again after a move gets a new notice while the old one is superseded
    (the dispatcher re-checks the date at send time). Nothing is sent after the visit starts.
    """
    inspection = visit.inspection
    if inspection.kind != InspectionKind.JOINT or visit.status == VisitStatus.CANCELLED:
        return []
    cancel_superseded(visit)
    context = visit_context(visit)
    written: list[Notification] = []
    for contact in inspection.unit.contacts:
        if not contact.active:
            continue
        row = enqueue(
            key=f"visit:{visit.id}:{SCHEDULE_NOTICE}:contact:{contact.id}:{visit_day(visit)}",
            kind=SCHEDULE_NOTICE,
            email=contact.email,
            name=contact.name,
            language=contact.language,
            context=context,
            deadline_at=visit.starts_at,
            user_id=contact.user_id,
            contact_id=contact.id,
            object_type="visit",
            object_id=visit.id,
        )
        if row is not None:
            written.append(row)
    db.session.flush()
    return written


def cancel_superseded(visit: Visit) -> int:
    """Cancel the unsent rows about this visit that name another date (or all, if cancelled).

    Call it when a visit is moved or cancelled; the dispatcher checks again at send time,
    so a caller that forgets cannot make a stale reminder go out.
    """
    query = sa.update(Notification).where(
        Notification.object_type == "visit",
        Notification.object_id == visit.id,
        Notification.status == NotificationStatus.PENDING,
    )
    if visit.status != VisitStatus.CANCELLED:
        query = query.where(Notification.idempotency_key.not_like(f"%:{visit_day(visit)}"))
    result = db.session.execute(
        query.values(status=NotificationStatus.CANCELLED, last_error="superseded").execution_options(
            synchronize_session=False
        )
    )
    return result.rowcount or 0


def cancel_superseded_action_reminders(action: CorrectiveAction, old_due_on: date) -> int:
    """Cancel the unsent reminders about the action's old due date (the dispatcher checks
    the date again at send time, so this only spares it the work)."""
    result = db.session.execute(
        sa.update(Notification)
        .where(
            Notification.object_type == "corrective_action",
            Notification.object_id == action.id,
            Notification.status == NotificationStatus.PENDING,
            Notification.idempotency_key.like(f"%:{old_due_on.isoformat()}"),
        )
        .values(status=NotificationStatus.CANCELLED, last_error="superseded")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
