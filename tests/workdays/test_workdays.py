from __future__ import annotations

from datetime import date

from inspections.workdays.calendar import (
    WorkCalendar,
    add_working_days,
    is_working_day,
    load_calendar,
    working_days_between,
)
from inspections.workdays.models import CalendarDay, DayKind


def test_weekends_and_statutory_holidays_are_not_working_days():
    assert not is_working_day(date(2019, 9, 2))  # National Day
    assert not is_working_day(date(2019, 2, 5))  # Tết 2019 (lunar new year)
    assert not is_working_day(date(2026, 2, 17))  # Tết 2026
    assert not is_working_day(date(2019, 4, 30))
    assert not is_working_day(date(2019, 11, 30))  # a Saturday
    assert is_working_day(date(2019, 11, 29))


def test_a_bridge_day_off_and_the_saturday_worked_for_it():
    # 29/4/2019 was given off in exchange for working Saturday 4/5/2019.
    assert not is_working_day(date(2019, 4, 29))
    assert is_working_day(date(2019, 5, 4))


def test_notice_periods_count_working_days():
    # A notice on Friday 30/8/2019: 2/9 is National Day, so 1 working day later is 3/9.
    assert add_working_days(date(2019, 8, 30), 1) == date(2019, 9, 3)
    assert add_working_days(date(2019, 8, 30), 5) == date(2019, 9, 9)
    assert add_working_days(date(2019, 9, 9), -5) == date(2019, 8, 30)
    assert working_days_between(date(2019, 8, 30), date(2019, 9, 9)) == 5
    assert working_days_between(date(2019, 9, 9), date(2019, 8, 30)) == -5


def test_tet_week_has_no_working_days():
    assert working_days_between(date(2019, 2, 1), date(2019, 2, 10)) == 0


def test_announced_exceptions_from_the_database(db):
    db.session.add_all(
        [
            CalendarDay(day=date(2019, 12, 31), kind=DayKind.DAY_OFF, note="nghỉ bù"),
            CalendarDay(day=date(2019, 12, 28), kind=DayKind.WORKING_DAY, note="làm bù"),
        ]
    )
    db.session.flush()
    calendar = load_calendar(db.session)
    assert not calendar.is_working_day(date(2019, 12, 31))
    assert calendar.is_working_day(date(2019, 12, 28))
    assert WorkCalendar().is_working_day(date(2019, 12, 31))
