"""Every special day of 2019-2027 for the civil service, held against the calendar.

The table is assembled by hand from the Labour Code (statutory holidays; one falling on a
weekend is made up on the next working day) and each year's announcement
(`inspections/workdays/announcements.AUDITED`): for each year, every weekday that is not
worked and every Saturday or Sunday that is. A day not in the table is an ordinary weekday
or weekend day, so the scan also catches a day off that no announcement gave.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from inspections.workdays.announcements import ANNOUNCED, AUDITED
from inspections.workdays.calendar import STATUTORY, WorkCalendar, add_working_days, load_calendar
from inspections.workdays.models import CalendarDay, DayKind

MonthDays = tuple[tuple[int, int], ...]

# year: (weekdays off, weekend days worked)
# fmt: off
SPECIAL_DAYS: dict[int, tuple[MonthDays, MonthDays]] = {
    2019: (
        (
            (1, 1),
            (2, 4), (2, 5), (2, 6), (2, 7), (2, 8),  # Tết Kỷ Hợi
            (4, 15),  # Giỗ Tổ on Sunday 14/4, made up on Monday
            (4, 29), (4, 30), (5, 1),  # 29/4 a bridge day...
            (9, 2),
        ),
        ((1, 5), (5, 4)),  # ...made up on 4/5; 5/1 made up Monday 31/12/2018
    ),
    2020: (
        (
            (1, 1),
            (1, 23), (1, 24), (1, 27), (1, 28), (1, 29),  # Tết Canh Tý
            (4, 2),
            (4, 30), (5, 1),
            (9, 2),
        ),
        (),
    ),
    2021: (
        (
            (1, 1),
            (2, 10), (2, 11), (2, 12), (2, 15), (2, 16),  # Tết Tân Sửu
            (4, 21),
            (4, 30), (5, 3),  # 1/5 a Saturday
            (9, 2), (9, 3),  # the Labour Code of 2019: a second National Day holiday
        ),
        (),
    ),
    2022: (
        (
            (1, 3),  # 1/1 a Saturday
            (1, 31), (2, 1), (2, 2), (2, 3), (2, 4),  # Tết Nhâm Dần
            (4, 11),  # Giỗ Tổ on Sunday 10/4
            (5, 2), (5, 3),  # 30/4 and 1/5 on the weekend
            (9, 1), (9, 2),
        ),
        (),
    ),
    2023: (
        (
            (1, 2),  # 1/1 a Sunday
            (1, 20), (1, 23), (1, 24), (1, 25), (1, 26),  # Tết Quý Mão
            (5, 1), (5, 2), (5, 3),  # Giỗ Tổ Saturday 29/4, 30/4 Sunday
            (9, 1), (9, 4),  # 2/9 a Saturday
        ),
        (),
    ),
    2024: (
        (
            (1, 1),
            (2, 8), (2, 9), (2, 12), (2, 13), (2, 14),  # Tết Giáp Thìn
            (4, 18),
            (4, 29), (4, 30), (5, 1),  # 29/4 a bridge day...
            (9, 2), (9, 3),
        ),
        ((5, 4),),  # ...made up on Saturday 4/5
    ),
    2025: (
        (
            (1, 1),
            (1, 27), (1, 28), (1, 29), (1, 30), (1, 31),  # Tết Ất Tỵ
            (4, 7),
            (4, 30), (5, 1), (5, 2),  # 2/5 a bridge day...
            (9, 1), (9, 2),
        ),
        ((4, 26),),  # ...made up on Saturday 26/4
    ),
    2026: (
        (
            (1, 1), (1, 2),  # 2/1 a bridge day (12729/VPCP-KGVX)...
            (2, 16), (2, 17), (2, 18), (2, 19), (2, 20),  # Tết Bính Ngọ
            (4, 27),  # Giỗ Tổ on Sunday 26/4
            (4, 30), (5, 1),
            (8, 31), (9, 1), (9, 2),  # 31/8 a bridge day...
            (11, 24),  # Ngày Văn hóa Việt Nam
        ),
        ((1, 10), (8, 22)),  # ...made up on Saturdays 10/1 and 22/8
    ),
    2027: (
        (
            (1, 1),
            (2, 4), (2, 5), (2, 8), (2, 9), (2, 10),  # Tết Đinh Mùi
            (4, 16),
            (4, 30), (5, 3),  # 1/5 a Saturday
            (9, 2), (9, 3),
            (11, 24),
        ),
        (),
    ),
}
# fmt: on


def _scan(calendar: WorkCalendar, year: int) -> tuple[MonthDays, MonthDays]:
    off, worked = [], []
    day = date(year, 1, 1)
    while day.year == year:
        weekend = day.weekday() >= 5
        working = calendar.is_working_day(day)
        if not weekend and not working:
            off.append((day.month, day.day))
        if weekend and working:
            worked.append((day.month, day.day))
        day += timedelta(days=1)
    return tuple(off), tuple(worked)


@pytest.mark.parametrize("year", sorted(SPECIAL_DAYS))
def test_every_special_day_of_the_year_matches_the_announcements(year):
    expected_off, expected_worked = SPECIAL_DAYS[year]
    off, worked = _scan(STATUTORY, year)
    assert off == expected_off, f"{year}: weekdays off"
    assert worked == expected_worked, f"{year}: weekend days worked"
    assert AUDITED[year], f"{year}: the announcement checked is named"


def test_the_january_make_up_day_of_a_december_bridge_is_a_working_day():
    # Monday 31/12/2018 was given off for Saturday 5/1/2019 (6519/VPCP-KGVX): the package
    # files the swap under 2018, which the calendar used not to look at from 2019.
    assert not STATUTORY.is_working_day(date(2018, 12, 31))
    assert STATUTORY.is_working_day(date(2019, 1, 5))
    # A notice on Friday 4/1/2019: the Saturday is the first working day after it.
    assert add_working_days(date(2019, 1, 4), 1) == date(2019, 1, 5)
    assert add_working_days(date(2019, 1, 4), 2) == date(2019, 1, 7)


def test_each_day_added_to_the_package_names_its_source():
    for announced in ANNOUNCED:
        assert "/VPCP-" in announced.source or "/TB-" in announced.source, announced
        assert announced.day.year in AUDITED


def test_the_admin_s_rows_win_over_the_announcements(db):
    # A correction after a release: the bridge day withdrawn, a Monday given off.
    db.session.add_all(
        [
            CalendarDay(day=date(2026, 1, 2), kind=DayKind.WORKING_DAY, note="đính chính"),
            CalendarDay(day=date(2026, 1, 10), kind=DayKind.DAY_OFF, note="đính chính"),
            CalendarDay(day=date(2019, 1, 5), kind=DayKind.DAY_OFF, note="thử"),
        ]
    )
    db.session.flush()
    calendar = load_calendar(db.session)
    assert calendar.is_working_day(date(2026, 1, 2))
    assert not calendar.is_working_day(date(2026, 1, 10))
    assert not calendar.is_working_day(date(2019, 1, 5))
    assert not STATUTORY.is_working_day(date(2026, 1, 2))
