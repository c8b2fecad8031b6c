"""The Vietnamese working-day calendar.

Statutory public holidays come from the `holidays` package (lunar Tết included), with the
bridge days and make-up Saturdays it knows. Each year the government also announces days
off and Saturdays worked in exchange: those the package lacks are in `announcements`, with
their sources; one announced after a release is a `CalendarDay` row that an admin keeps
(`workdays.models`, set in `workdays.services`), passed in here as two sets of dates. The
admin's rows win over the announcements, which win over the package.

A notice period of N working days is counted after the notice day: a notice on a Friday
with N=1 allows a visit on the following Monday, if that is a working day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays
import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspections.workdays.announcements import BY_DAY as ANNOUNCED
from inspections.workdays.models import CalendarDay, DayKind

SATURDAY = 5


# The package marks a bridge day off as "Day off (substituted from MM/DD/YYYY)": the date
# in brackets is the weekend day worked in exchange.
_SUBSTITUTED_FROM = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")


@lru_cache(maxsize=128)
def _statutory(year: int) -> tuple[frozenset[date], frozenset[date]]:
    days = holidays.country_holidays("VN", years=year, language="en_US")
    worked = set()
    for name in days.values():
        for month, day, yr in _SUBSTITUTED_FROM.findall(name):
            worked.add(date(int(yr), int(month), int(day)))
    return frozenset(days), frozenset(worked)


def public_holidays(year: int) -> frozenset[date]:
    return _statutory(year)[0]


def swapped_working_days(year: int) -> frozenset[date]:
    """Weekend days worked in exchange for a bridge day off, as the package knows them."""
    return _statutory(year)[1]


class WorkCalendar:
    def __init__(self, days_off: Iterable[date] = (), working_days: Iterable[date] = ()) -> None:
        self.days_off = frozenset(days_off)
        self.working_days = frozenset(working_days)

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        announced = ANNOUNCED.get(day)
        if announced is not None:
            return announced.kind == DayKind.WORKING_DAY
        # The package files a swap under the year of its day off, and a swap can cross New
        # Year either way: Monday 31/12/2018 off was made up on Saturday 5/1/2019, and a
        # January day off may be made up in December.
        if any(day in swapped_working_days(year) for year in (day.year - 1, day.year, day.year + 1)):
            return True
        if day.weekday() >= SATURDAY:
            return False
        return day not in public_holidays(day.year)

    def add_working_days(self, start: date, count: int) -> date:
        """The day that is `count` working days after `start` (before it if negative)."""
        step = timedelta(days=1 if count >= 0 else -1)
        day, left = start, abs(count)
        while left:
            day += step
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative if end < start)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(self.is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))

    def working_days_in(self, first: date, last: date) -> list[date]:
        """Every working day from `first` to `last`, both included."""
        return [
            first + timedelta(days=i)
            for i in range((last - first).days + 1)
            if self.is_working_day(first + timedelta(days=i))
        ]


STATUTORY = WorkCalendar()


def load_calendar(session: Session) -> WorkCalendar:
    """The statutory calendar with the announced exceptions kept in the database."""
    rows = session.execute(sa.select(CalendarDay.day, CalendarDay.kind)).all()
    return WorkCalendar(
        days_off=[d for d, kind in rows if kind == DayKind.DAY_OFF],
        working_days=[d for d, kind in rows if kind == DayKind.WORKING_DAY],
    )


def is_working_day(day: date, calendar: WorkCalendar = STATUTORY) -> bool:
    return calendar.is_working_day(day)


def add_working_days(start: date, count: int, calendar: WorkCalendar = STATUTORY) -> date:
    return calendar.add_working_days(start, count)


def working_days_between(start: date, end: date, calendar: WorkCalendar = STATUTORY) -> int:
    return calendar.working_days_between(start, end)
