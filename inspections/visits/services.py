"""Visits made by hand (the scheduler proposes the others), and a half-day's times."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_babel import lazy_gettext as _l

from inspections import i18n
from inspections.audit.services import record, snapshot
from inspections.auth.models import User
from inspections.errors import InvalidInput
from inspections.events import VisitApproved, publish
from inspections.extensions import db
from inspections.i18n import local_moment
from inspections.visits.models import Inspection, InspectionStatus, Slot, Visit, VisitStatus
from inspections.workdays.calendar import load_calendar


def _shown(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def visit_times(day: date, slot: Slot) -> tuple[datetime, datetime]:
    """When a visit on `day` in `slot` starts and ends, in UTC."""
    start, end = slot.hours
    return local_moment(day, start).astimezone(UTC), local_moment(day, end).astimezone(UTC)


def create_visit(
    inspection: Inspection, *, day: date, slot: str, actor: User, today: date | None = None
) -> Visit:
    """A visit fixed by hand on a working day inside the plan's window, from today on; it
    counts as approved (the leader set it)."""
    try:
        slot_value = Slot(slot)
    except ValueError:
        raise InvalidInput(_l("Choose morning or afternoon.")) from None
    if inspection.status in (InspectionStatus.CONCLUDED, InspectionStatus.CANCELLED):
        raise InvalidInput(_l("This inspection is closed: no visit can be added."))
    if day < (today or i18n.today()):
        raise InvalidInput(_l("%(day)s is in the past: choose a day from today on.", day=_shown(day)))
    plan = inspection.plan
    if not plan.window_start <= day <= plan.window_end:
        raise InvalidInput(
            _l(
                "%(day)s is outside the plan's window (%(start)s to %(end)s).",
                day=_shown(day),
                start=_shown(plan.window_start),
                end=_shown(plan.window_end),
            )
        )
    if not load_calendar(db.session).is_working_day(day):
        raise InvalidInput(_l("%(day)s is not a working day.", day=_shown(day)))
    starts_at, ends_at = visit_times(day, slot_value)
    visit = Visit(
        inspection_id=inspection.id,
        starts_at=starts_at,
        ends_at=ends_at,
        slot=slot_value,
        status=VisitStatus.APPROVED,
        fixed=True,
    )
    db.session.add(visit)
    if inspection.status == InspectionStatus.ASSIGNED:
        inspection.status = InspectionStatus.SCHEDULED
    db.session.flush()
    record(
        "visit.create",
        actor=actor,
        object_type="visit",
        object_id=visit.id,
        after=snapshot(visit, "inspection_id", "starts_at", "slot", "status") | {"by_hand": True},
    )
    publish(VisitApproved(visit.id))
    return visit


# --- status steps taken by the features above (findings, documents) ----------------------


def mark_in_progress(visit: Visit) -> None:
    """The team recorded its first finding: an approved visit is under way."""
    if visit.status == VisitStatus.APPROVED:
        visit.status = VisitStatus.IN_PROGRESS


def mark_visited(visit: Visit) -> None:
    """The minutes were written: the visit is done and its inspection visited."""
    if visit.status in (VisitStatus.APPROVED, VisitStatus.IN_PROGRESS):
        visit.status = VisitStatus.DONE
    if visit.inspection.status in (InspectionStatus.ASSIGNED, InspectionStatus.SCHEDULED):
        visit.inspection.status = InspectionStatus.VISITED


def mark_concluded(inspection: Inspection) -> None:
    """The conclusion was issued."""
    inspection.status = InspectionStatus.CONCLUDED
