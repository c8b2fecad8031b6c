"""Visits made by hand (the scheduler proposes the others)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from inspections.audit.services import record, snapshot
from inspections.auth.models import User
from inspections.errors import InvalidInput
from inspections.extensions import db
from inspections.visits.models import Inspection, InspectionStatus, Slot, Visit, VisitStatus
from inspections.workdays import load_calendar

LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
SLOT_HOURS = {Slot.MORNING: (time(8, 0), time(11, 30)), Slot.AFTERNOON: (time(13, 30), time(17, 0))}


def create_visit(inspection: Inspection, *, day: date, slot: str, actor: User) -> Visit:
    """A visit fixed by hand on a working day; it counts as approved (the leader set it)."""
    try:
        slot_value = Slot(slot)
    except ValueError:
        raise InvalidInput(_l("Choose morning or afternoon.")) from None
    if inspection.status in (InspectionStatus.CONCLUDED, InspectionStatus.CANCELLED):
        raise InvalidInput(_l("This inspection is closed: no visit can be added."))
    if not load_calendar(db.session).is_working_day(day):
        raise InvalidInput(_l("%(day)s is not a working day.", day=day.strftime("%d/%m/%Y")))
    start, end = SLOT_HOURS[slot_value]
    visit = Visit(
        inspection_id=inspection.id,
        starts_at=datetime.combine(day, start, LOCAL_TIME),
        ends_at=datetime.combine(day, end, LOCAL_TIME),
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
    return visit
