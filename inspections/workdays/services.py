"""The announced exceptions to the statutory calendar: an extra day off, a swapped working day."""

from __future__ import annotations

from datetime import date

from inspections.audit.services import record
from inspections.auth.models import User
from inspections.extensions import db
from inspections.workdays.models import CalendarDay, DayKind


def set_calendar_day(*, day: date, kind: DayKind, note: str, actor: User) -> CalendarDay:
    row = db.session.get(CalendarDay, day)
    before = {"kind": row.kind, "note": row.note} if row else None
    if row is None:
        row = CalendarDay(day=day)
        db.session.add(row)
    row.kind, row.note = kind, note
    db.session.flush()
    record(
        "calendar_day.set",
        actor=actor,
        object_type="calendar_day",
        before=before,
        after={"day": day, "kind": kind, "note": note},
    )
    return row


def delete_calendar_day(row: CalendarDay, *, actor: User) -> None:
    record(
        "calendar_day.delete",
        actor=actor,
        object_type="calendar_day",
        before={"day": row.day, "kind": row.kind, "note": row.note},
    )
    db.session.delete(row)
    db.session.flush()
