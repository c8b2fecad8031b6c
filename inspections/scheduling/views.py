"""Calendar grids for the pages: months and weeks of entries (no rules here)."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import url_for
from flask_babel import gettext as _

from inspections.labels import label
from inspections.scheduling.models import ProposalItem
from inspections.scheduling.services import visit_placement
from inspections.visits.models import Inspection, InspectionKind, Slot, Visit


@dataclass(frozen=True)
class Entry:
    day: date
    slot: Slot
    inspection: Inspection
    item: ProposalItem | None = None  # a proposed date, movable
    visit: Visit | None = None  # a fixed, approved visit


def month_grid(year: int, month: int) -> list[list[date]]:
    return calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)


def week_days(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=n) for n in range(7)]


def by_day(entries: list[Entry]) -> dict[date, list[Entry]]:
    days: dict[date, list[Entry]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: (e.day, e.slot != Slot.MORNING)):
        days[entry.day].append(entry)
    return days


def shift_month(first: date, months: int) -> date:
    n = first.year * 12 + first.month - 1 + months
    return date(n // 12, n % 12 + 1, 1)


def visit_entry(visit: Visit) -> Entry:
    return Entry(visit_placement(visit).day, visit.slot, visit.inspection, visit=visit)


def item_entry(item: ProposalItem) -> Entry:
    return Entry(item.day, item.slot, item.inspection, item=item)


def _title(entry: Entry) -> str:
    """An entry's text, as the server-rendered grid writes it (_calendar.html)."""
    title = f"{label(entry.slot)}: {entry.inspection.unit.name}"
    return f"{title} ({_('surprise')})" if entry.inspection.kind == InspectionKind.SURPRISE else title


def _event(entry: Entry, key: str, move_url: str | None) -> dict[str, object]:
    """One entry as a FullCalendar event (static/calendar.js). Times are Vietnam's wall clock
    without an offset: the calendar runs in UTC so that every browser shows them as they are.
    Only a proposed item with a `move_url` can be dragged."""
    start, end = entry.slot.hours
    return {
        "id": key,
        "title": _title(entry),
        "start": datetime.combine(entry.day, start).isoformat(),
        "end": datetime.combine(entry.day, end).isoformat(),
        "startEditable": move_url is not None,
        "durationEditable": False,
        "classNames": ["cal-proposed" if entry.item is not None else "cal-fixed"],
        "extendedProps": {"slot": entry.slot.value, "moveUrl": move_url},
    }


def visit_event(visit: Visit) -> dict[str, object]:
    return _event(visit_entry(visit), f"visit-{visit.id}", None)


def item_event(item: ProposalItem) -> dict[str, object]:
    """A proposed item, draggable: its move goes to `move`, like the form's."""
    return _event(item_entry(item), f"item-{item.id}", url_for("scheduling.move", item_id=item.id))


def slot_hours() -> dict[str, str]:
    """Each half-day's hours as "HH:MM-HH:MM", for the week view's working hours."""
    return {s.value: "-".join(t.strftime("%H:%M") for t in s.hours) for s in Slot}
