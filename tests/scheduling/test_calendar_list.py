"""The calendars: one month at a time, the grid bounded, every visit of the month in the list
below page by page, a team filter, surprise secrecy, and a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from inspections.auth.models import Role
from inspections.scheduling.services import GRID_LIMIT
from inspections.teams.models import TeamKind
from tests.conftest import csrf_token
from tests.list_helpers import ids_on, query_count, walk

ROW = r'<li id="visit-(\d+)">'
MONTH = "2030-05"


def at(day: int, hour: int = 2) -> datetime:
    """A morning in May 2030 (UTC: 09:00 in Vietnam)."""
    return datetime(2030, 5, day, hour, tzinfo=UTC)


def add_visits(make, db, team, n, *, start=1, fixed=False):
    ids = []
    for i in range(n):
        inspection = make.inspection(team, make.unit(), visit_at=at(start + i % 28))
        visit = inspection.visits[0]
        visit.fixed = fixed
        ids.append(visit.id)
    db.session.commit()
    return ids


@pytest.fixture
def world(make, db):
    member = make.user(Role.INSPECTOR)
    observer = make.user(Role.OBSERVER)
    admin = make.user(Role.ADMIN)
    plan = make.plan()
    joint = make.team(plan, TeamKind.JOINT, members=[make.user(Role.INSPECTOR)])
    surprise = make.team(plan, TeamKind.PUBLIC_SERVICE, members=[member])
    db.session.commit()
    return {
        "member": member,
        "observer": observer,
        "admin": admin,
        "plan": plan,
        "joint": joint,
        "surprise": surprise,
    }


def test_a_month_pages_through_every_visit_and_the_grid_stays_bounded(world, make, db, client, login):
    ids = add_visits(make, db, world["joint"], GRID_LIMIT + 20)
    for _ in range(3):  # June: another month
        make.inspection(world["joint"], make.unit(), visit_at=at(1) + timedelta(days=40))
    db.session.commit()
    login(world["observer"].username)
    seen = walk(client, f"/calendar?month={MONTH}", ROW)
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen))
    page = client.get(f"/calendar?month={MONTH}").get_data(as_text=True)
    assert page.count('class="entry') == GRID_LIMIT
    assert "2030-04" in page and "2030-06" in page  # the previous and next months


def test_the_team_filter_narrows_the_month(world, make, db, client, login):
    other = make.team(world["plan"], TeamKind.JOINT)
    mine = add_visits(make, db, world["joint"], 60)
    theirs = add_visits(make, db, other, 5)
    login(world["observer"].username)
    assert sorted(walk(client, f"/calendar?month={MONTH}&team={other.id}", ROW)) == sorted(theirs)
    assert sorted(walk(client, f"/calendar?month={MONTH}&team={world['joint'].id}", ROW)) == sorted(mine)
    page = client.get(f"/calendar?month={MONTH}").get_data(as_text=True)
    assert f'<option value="{other.id}"' in page


def test_a_surprise_visit_not_started_stays_off_an_outsiders_month(world, make, db, client, login):
    shown = add_visits(make, db, world["joint"], 60)
    secret = add_visits(make, db, world["surprise"], 60)
    login(world["observer"].username)
    assert sorted(walk(client, f"/calendar?month={MONTH}", ROW)) == sorted(shown)
    page = client.get(f"/calendar?month={MONTH}").get_data(as_text=True)
    assert world["surprise"].name not in page  # not even in the team filter
    assert ids_on(client, f"/calendar?month={MONTH}&team={world['surprise'].id}", ROW) != secret[:50]
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(world["member"].username)
    assert sorted(walk(client, f"/calendar?month={MONTH}", ROW)) == sorted(secret)


@pytest.mark.parametrize(
    "query",
    ["team=99999999999999999999", "team=x", "month=9999-99", "after=WzEsMV0", "sort=time&after=WyJ4IiwxXQ",
     "sort=nope&order=sideways", "after=" + "B" * 601],
)  # fmt: skip
def test_bad_values_are_ignored(world, make, db, client, login, query):
    add_visits(make, db, world["joint"], 2, fixed=True)
    login(world["admin"].username)
    assert client.get(f"/calendar?month={MONTH}&{query}").status_code == 200
    assert client.get(f"/plans/{world['plan'].id}/schedule?month={MONTH}&{query}").status_code == 200


def test_the_calendar_runs_as_many_queries_for_few_visits_as_for_many(world, make, db, client, login):
    login(world["admin"].username)
    add_visits(make, db, world["joint"], 5, fixed=True)
    calendar = query_count(client, f"/calendar?month={MONTH}")
    schedule = query_count(client, f"/plans/{world['plan'].id}/schedule?month={MONTH}")
    add_visits(make, db, world["joint"], 60, fixed=True)
    assert query_count(client, f"/calendar?month={MONTH}") == calendar
    assert query_count(client, f"/plans/{world['plan'].id}/schedule?month={MONTH}") == schedule


def test_the_schedule_shows_one_team_one_month(world, make, db, client, login):
    other = make.team(world["plan"], TeamKind.JOINT)
    add_visits(make, db, world["joint"], 3, fixed=True)
    add_visits(make, db, other, 2, fixed=True)
    login(world["admin"].username)
    page = client.get(f"/plans/{world['plan'].id}/schedule?team={other.id}&month={MONTH}").get_data(
        as_text=True
    )
    assert page.count('class="entry') == 2
    page = client.get(f"/plans/{world['plan'].id}/schedule?team={world['joint'].id}").get_data(as_text=True)
    assert page.count('class="entry') == 3  # the team's first month opens by default


def test_an_empty_month_points_to_the_next_visit_the_viewer_may_see(world, make, db, client, login):
    add_visits(make, db, world["surprise"], 1, start=3)  # 03/05/2030, a surprise visit
    add_visits(make, db, world["joint"], 1, start=20)  # 20/05/2030, announced
    login(world["member"].username)  # on the surprise team: knows its date
    page = client.get("/calendar?month=2030-02").get_data(as_text=True)
    assert "03/05/2030" in page and 'href="/calendar?month=2030-05"' in page
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(world["observer"].username)  # an outsider: the surprise visit stays unknown
    page = client.get("/calendar?month=2030-02").get_data(as_text=True)
    assert "20/05/2030" in page and "03/05/2030" not in page
    assert "next-visit" not in client.get(f"/calendar?month={MONTH}").get_data(as_text=True)  # not empty
