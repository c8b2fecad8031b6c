"""Calendar grids for the pages: months and weeks of entries (no rules here)."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from inspections.scheduling.models import ProposalItem
from inspections.visits.models import Inspection, Slot, Visit


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


def event(entry: Entry, *, title: str, move_url: str | None = None) -> dict[str, object]:
    """One entry as a FullCalendar event (static/calendar.js). Times are Vietnam's wall clock
    without an offset: the calendar runs in UTC so that every browser shows them as they are.
    Only a proposed item with a `move_url` can be dragged."""
    start, end = entry.slot.hours
    key = (
        f"item-{entry.item.id}" if entry.item is not None else f"visit-{entry.visit.id if entry.visit else 0}"
    )
    return {
        "id": key,
        "title": title,
        "start": datetime.combine(entry.day, start).isoformat(),
        "end": datetime.combine(entry.day, end).isoformat(),
        "startEditable": move_url is not None,
        "durationEditable": False,
        "classNames": ["cal-proposed" if entry.item is not None else "cal-fixed"],
        "extendedProps": {"slot": entry.slot.value, "moveUrl": move_url},
    }


def slot_hours() -> dict[str, str]:
    """Each half-day's hours as "HH:MM-HH:MM", for the week view's working hours."""
    return {s.value: "-".join(t.strftime("%H:%M") for t in s.hours) for s in Slot}
