"""The plan list and the plan page: bounded, filtered, sorted; teams collapsed."""

from __future__ import annotations

import re

import pytest

from inspections.auth.models import Role
from inspections.plans.models import PlanStatus
from inspections.teams.models import TeamKind
from tests.list_helpers import ids_on, query_count, walk

PLAN_ROW = r'href="/plans/(\d+)">'
TEAM_ROW = r'<details class="team" id="team-(\d+)"'


@pytest.fixture
def admin(make, db):
    user = make.user(Role.ADMIN)
    db.session.commit()
    return user


def test_the_plan_list_pages_filters_and_sorts(make, db, client, login, admin):
    ids = [
        make.plan(year=2019 + i % 3, status=PlanStatus.DRAFT if i % 2 else PlanStatus.APPROVED).id
        for i in range(125)
    ]
    db.session.commit()
    login(admin.username)
    for sort in ("year", "title", "status"):
        for order in ("asc", "desc"):
            seen = walk(client, f"/plans/?sort={sort}&order={order}", PLAN_ROW)
            assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen)), (sort, order)
    in_2020 = walk(client, "/plans/?year=2020", PLAN_ROW)
    assert sorted(in_2020) == sorted(ids[1::3])
    drafts = walk(client, "/plans/?year=2020&status=draft", PLAN_ROW)
    assert sorted(drafts) == sorted(i for n, i in enumerate(ids) if n % 3 == 1 and n % 2)
    for bad in ("year=99999999999999999999", "year=abc", "status=nope", "sort=x", "after=WzEsMV0", "year=0"):
        assert client.get(f"/plans/?{bad}").status_code == 200


def test_an_inspector_pages_only_through_the_own_plans(make, db, client, login):
    inspector = make.user(Role.INSPECTOR)
    mine = []
    for n in range(60):
        plan = make.plan()
        if n % 2:
            make.team(plan, members=[inspector])
            mine.append(plan.id)
    db.session.commit()
    login(inspector.username)
    assert sorted(walk(client, "/plans/", PLAN_ROW)) == sorted(mine)


def test_the_plan_page_shows_teams_collapsed_and_paged(make, db, client, login, admin):
    plan = make.plan()
    people = [make.user(Role.INSPECTOR) for _ in range(4)]
    teams = [
        make.team(plan, TeamKind.JOINT if n % 2 else TeamKind.PUBLIC_SERVICE, members=people).id
        for n in range(120)
    ]
    db.session.commit()
    login(admin.username)
    seen = walk(client, f"/plans/{plan.id}", TEAM_ROW)
    assert sorted(seen) == sorted(teams) and len(seen) == len(set(seen))
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    # The members are counted, not listed.
    assert re.search(r"· 4 (thành viên|members)</summary>", page) and people[1].full_name not in page
    assert people[0].full_name in page  # the head is named
    assert f"/teams/{seen[0]}/members" in page
    joint = walk(client, f"/plans/{plan.id}?kind=joint&sort=kind&order=desc", TEAM_ROW)
    assert sorted(joint) == sorted(teams[1::2])
    for bad in ("kind=nope", "q=%00", "sort=x&after=WyJ4IiwxXQ", "after=" + "A" * 700):
        assert client.get(f"/plans/{plan.id}?{bad}").status_code == 200


def test_the_plan_pages_run_as_many_queries_for_few_rows_as_for_many(make, db, client, login, admin):
    plan = make.plan()
    people = [make.user(Role.INSPECTOR) for _ in range(3)]
    for _ in range(5):
        make.team(plan, members=people)
        make.plan()
    db.session.commit()
    login(admin.username)
    small = (query_count(client, "/plans/"), query_count(client, f"/plans/{plan.id}"))
    for _ in range(60):
        make.team(plan, members=people)
        make.plan()
    db.session.commit()
    assert (query_count(client, "/plans/"), query_count(client, f"/plans/{plan.id}")) == small
    assert ids_on(client, f"/plans/{plan.id}?q=nobody", TEAM_ROW) == []
