"""The team page and its members page: bounded lists, secrecy, fixed number of queries."""

from __future__ import annotations

import pytest

from inspections.auth.models import Role
from inspections.teams.models import TeamKind
from inspections.visits.models import InspectionStatus
from tests.conftest import csrf_token
from tests.factories import days_from_now
from tests.list_helpers import ids_on, query_count, walk

UNIT_ROW = r'<tr data-code="unit-(\d+)">'
MEMBER_ROW = r"<td data-label=\"[^\"]*\">Người dùng (\d+)</td>"


@pytest.fixture
def admin(make, db):
    user = make.user(Role.ADMIN)
    db.session.commit()
    return user


def test_the_members_page_pages_through_every_member(make, db, client, login, admin):
    plan = make.plan()
    people = [make.user(Role.INSPECTOR) for _ in range(120)]
    team = make.team(plan, members=people)
    db.session.commit()
    numbers = sorted(int(p.full_name.split()[-1]) for p in people)
    login(admin.username)
    for sort in ("role", "name", "unit"):
        for order in ("asc", "desc"):
            seen = walk(client, f"/teams/{team.id}/members?sort={sort}&order={order}", MEMBER_ROW)
            assert sorted(seen) == numbers, (sort, order)
    page = client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert len(ids_on(client, f"/teams/{team.id}", MEMBER_ROW)) == 20
    assert f"/teams/{team.id}/members" in page and "120" in page


def test_the_team_page_pages_its_units_and_filters_them(make, db, client, login, admin):
    plan = make.plan()
    team = make.team(plan)
    codes = []
    for n in range(125):
        unit = make.unit()
        make.inspection(
            team, unit, status=InspectionStatus.VISITED if n % 5 == 0 else InspectionStatus.ASSIGNED
        )
        codes.append(int(unit.code.split("-")[1]))
    db.session.commit()
    login(admin.username)
    for sort in ("code", "unit", "status"):
        for order in ("asc", "desc"):
            seen = walk(client, f"/teams/{team.id}?sort={sort}&order={order}", UNIT_ROW)
            assert sorted(seen) == sorted(codes) and len(seen) == len(set(seen)), (sort, order)
    assert sorted(walk(client, f"/teams/{team.id}?status=visited", UNIT_ROW)) == sorted(codes[::5])
    assert ids_on(client, f"/teams/{team.id}?q=unit-{codes[7]}", UNIT_ROW) == [codes[7]]
    for bad in ("status=nope", "q=%00%25", "sort=x&order=y", "after=W10", "after=WyJ4IiwxXQ"):
        assert client.get(f"/teams/{team.id}?{bad}").status_code == 200
        assert client.get(f"/teams/{team.id}/members?{bad}").status_code == 200


def test_a_surprise_team_page_hides_units_not_yet_visited(make, db, client, login):
    coordinator = make.user(Role.COORDINATOR)  # not of this plan: an outsider to it
    leader = make.user(Role.INSPECTOR)
    plan = make.plan()
    team = make.team(plan, TeamKind.PUBLIC_SERVICE, members=[leader])
    future, past = [], []
    for n in range(60):
        unit = make.unit()
        started = n % 3 == 0
        make.inspection(team, unit, visit_at=days_from_now(-2 if started else 4))
        (past if started else future).append(int(unit.code.split("-")[1]))
    db.session.commit()
    login(coordinator.username)
    assert sorted(walk(client, f"/teams/{team.id}", UNIT_ROW)) == sorted(past)
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(leader.username)
    assert sorted(walk(client, f"/teams/{team.id}", UNIT_ROW)) == sorted(past + future)


def test_the_team_pages_run_as_many_queries_for_few_rows_as_for_many(make, db, client, login, admin):
    plan = make.plan()
    team = make.team(plan, members=[make.user(Role.INSPECTOR) for _ in range(5)])
    for _ in range(5):
        make.inspection(team, make.unit())
    db.session.commit()
    login(admin.username)
    small = (query_count(client, f"/teams/{team.id}"), query_count(client, f"/teams/{team.id}/members"))
    other = make.team(plan, members=[make.user(Role.INSPECTOR) for _ in range(60)])
    for _ in range(60):
        make.inspection(other, make.unit())
    db.session.commit()
    assert (
        query_count(client, f"/teams/{other.id}"),
        query_count(client, f"/teams/{other.id}/members"),
    ) == small
