"""The schedule notice of an announced visit, and cancelling what a change supersedes.

Run by this feature's event handlers (`handlers.py`), in the transaction of the change
(flush, no commit). The time-based rules (reminders, escalations, digests) are in `rules.py`.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from inspections.extensions import db
from inspections.i18n import local_day, today
from inspections.outbox.models import Notification, NotificationStatus
from inspections.outbox.services import enqueue
from inspections.remediation.models import CorrectiveAction
from inspections.reminders.kinds import SCHEDULE_NOTICE, VISIT_CANCELLED, VISIT_CHANGED
from inspections.visits.models import InspectionKind, Visit, VisitStatus
from inspections.workdays.calendar import load_calendar


def visit_day(visit: Visit) -> str:
    """The visit's date as it stands, the last part of every key about it."""
    return visit.starts_at.date().isoformat()


def visit_ref(visit: Visit) -> str:
    """The visit as the first part of a key: its id, and after a move the move's number
    (its SEQUENCE), so that even a move within one day gets fresh rows while the rows that
    named the old time are superseded."""
    return f"{visit.id}.{visit.sequence}" if visit.sequence else str(visit.id)


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
        "visit_date": visit.starts_at.date().isoformat(),
        "visit_sequence": visit.sequence or 0,
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
            key=f"visit:{visit_ref(visit)}:{SCHEDULE_NOTICE}:contact:{contact.id}:{visit_day(visit)}",
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


def short_notice(visit: Visit, *, on: date | None = None) -> bool:
    """An announced visit that comes fewer than the plan's notice period (in working days)
    after `on` (today): its change notice says so, with the reason."""
    if visit.inspection.kind != InspectionKind.JOINT:
        return False
    notice = visit.inspection.plan.notice_working_days
    left = load_calendar(db.session).working_days_between(on or today(), local_day(visit.starts_at))
    return left < notice


def _unit_told(visit: Visit) -> bool:
    """A schedule notice (or a change notice) about the visit has gone to the unit."""
    return (
        db.session.scalar(
            sa.select(Notification.id)
            .where(
                Notification.object_type == "visit",
                Notification.object_id == visit.id,
                Notification.kind.in_((SCHEDULE_NOTICE, VISIT_CHANGED)),
                Notification.recipient_contact_id.is_not(None),
                Notification.status == NotificationStatus.SENT,
            )
            .limit(1)
        )
        is not None
    )


def _tell(visit: Visit, kind: str, context: dict[str, object], *, unit: bool = True) -> list[Notification]:
    """One mail of `kind` to each active contact of an announced visit's unit (never for
    a surprise visit) and to each member of its team."""
    inspection = visit.inspection
    stamp = visit_day(visit)
    written: list[Notification] = []
    rows: list[tuple[str, dict[str, object]]] = []
    if unit and inspection.kind == InspectionKind.JOINT:
        for contact in inspection.unit.contacts:
            if contact.active:
                rows.append(
                    (
                        f"visit:{visit_ref(visit)}:{kind}:contact:{contact.id}:{stamp}",
                        {
                            "email": contact.email,
                            "name": contact.name,
                            "language": contact.language,
                            "user_id": contact.user_id,
                            "contact_id": contact.id,
                            "context": context | {"audience": "unit"},
                        },
                    )
                )
    for member in inspection.team.memberships:
        user = member.user
        if user.active:
            rows.append(
                (
                    f"visit:{visit_ref(visit)}:{kind}:user:{user.id}:{stamp}",
                    {
                        "email": user.email,
                        "name": user.full_name,
                        "language": user.language,
                        "user_id": user.id,
                        "context": context | {"audience": "team"},
                    },
                )
            )
    for key, fields in rows:
        row = enqueue(
            key=key,
            kind=kind,
            # Worth nothing once the visit (at its time as it stands) has started.
            deadline_at=visit.starts_at,
            object_type="visit",
            object_id=visit.id,
            **fields,  # type: ignore[arg-type]
        )
        if row is not None:
            written.append(row)
    db.session.flush()
    return written


def change_notices(visit: Visit, old_starts_at: datetime) -> list[Notification]:
    """A moved visit: the unit of an announced visit gets a change notice (the new time, the
    old one, the reason, and whether it is short notice), the team too; a surprise visit
    moves silently for the unit. A unit that had not yet been told of the visit at all gets
    the plain schedule notice of its new time instead."""
    if visit.status == VisitStatus.CANCELLED:
        return []
    context = visit_context(visit) | {
        "old_starts_at": old_starts_at.isoformat(),
        "reason": visit.change_reason or "",
        "short_notice": short_notice(visit),
    }
    if visit.inspection.kind == InspectionKind.JOINT and not _unit_told(visit):
        return schedule_notices(visit) + _tell(visit, VISIT_CHANGED, context, unit=False)
    return _tell(visit, VISIT_CHANGED, context)


def cancellation_notices(visit: Visit) -> list[Notification]:
    """A visit called off: the unit of an announced visit is told, with the reason (a
    surprise visit is called off silently for the unit), and so is the team."""
    if visit.status != VisitStatus.CANCELLED:
        return []
    # A unit never told of the visit (its notice was still queued) hears nothing of it.
    context = visit_context(visit) | {"reason": visit.change_reason or ""}
    return _tell(visit, VISIT_CANCELLED, context, unit=_unit_told(visit))


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
        query = query.where(
            Notification.idempotency_key.not_like(f"visit:{visit_ref(visit)}:%:{visit_day(visit)}")
        )
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
