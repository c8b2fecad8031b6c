"""Calendar grids for the pages: months and weeks of entries (no rules here)."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

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


def parse_month(value: str | None, default: date) -> date:
    try:
        year, month = (int(x) for x in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return default.replace(day=1)


def parse_day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return default


def shift_month(first: date, months: int) -> date:
    n = first.year * 12 + first.month - 1 + months
    return date(n // 12, n % 12 + 1, 1)
