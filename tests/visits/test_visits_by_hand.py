"""A visit made by hand lies inside the plan's window and not in the past (issue 11,
item 13): each refusal is a clear message on the visits page, and nothing is added."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from inspections.auth.models import Role
from inspections.i18n import local_day, today
from inspections.teams.models import TeamKind
from inspections.visits.models import Visit
from inspections.workdays.calendar import load_calendar
from tests.conftest import csrf_token


@pytest.fixture
def world(db, make):
    coordinator = make.user(Role.COORDINATOR)
    cal = load_calendar(db.session)
    start = cal.add_working_days(today(), -5)
    end = cal.add_working_days(today(), 15)
    plan = make.plan(window_start=start, window_end=end, coordinators=[coordinator])
    team = make.team(plan, TeamKind.JOINT, members=[make.user(Role.INSPECTOR)])
    inspection = make.inspection(team, make.unit(name="Xã Minh Phú"))
    db.session.commit()
    return {"coordinator": coordinator, "inspection": inspection, "plan": plan, "cal": cal}


def _add(client, world, day):
    return client.post(
        f"/visits/new/{world['inspection'].id}",
        data={"csrf_token": csrf_token(client, "/visits/"), "day": day.isoformat(), "slot": "morning"},
        follow_redirects=True,
    )


def _visits(db) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(Visit.id)))


def test_a_visit_in_the_past_is_refused(world, db, client, login):
    login(world["coordinator"].username)
    yesterday = world["cal"].add_working_days(today(), -1)  # a working day, inside the window
    page = _add(client, world, yesterday).get_data(as_text=True)
    assert f"Ngày {yesterday:%d/%m/%Y} đã qua" in page
    assert _visits(db) == 0


def test_a_visit_outside_the_plans_window_is_refused(world, db, client, login):
    login(world["coordinator"].username)
    plan, cal = world["plan"], world["cal"]
    after = cal.add_working_days(plan.window_end, 1)
    page = _add(client, world, after).get_data(as_text=True)
    assert f"Ngày {after:%d/%m/%Y} nằm ngoài thời gian kiểm tra của kế hoạch" in page
    assert f"{plan.window_start:%d/%m/%Y}" in page and f"{plan.window_end:%d/%m/%Y}" in page
    plan.window_start = cal.add_working_days(today(), 3)  # a window that opens later
    db.session.commit()
    before = cal.add_working_days(today(), 1)
    assert "nằm ngoài thời gian kiểm tra của kế hoạch" in _add(client, world, before).get_data(as_text=True)
    assert _visits(db) == 0


def test_a_working_day_ahead_inside_the_window_is_added(world, db, client, login):
    login(world["coordinator"].username)
    day = world["cal"].add_working_days(today(), 2)
    page = _add(client, world, day).get_data(as_text=True)
    assert "Đã thêm buổi kiểm tra." in page
    assert _visits(db) == 1
    assert local_day(db.session.scalar(sa.select(Visit.starts_at))) == day
