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


def shift_month(first: date, months: int) -> date:
    n = first.year * 12 + first.month - 1 + months
    return date(n // 12, n % 12 + 1, 1)
