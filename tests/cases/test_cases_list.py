"""The cases list: keyset pages, filters, sorts, scope, and a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from inspections.auth.models import Role
from inspections.cases.models import Case, CaseSource, CaseStatus
from inspections.teams.models import TeamKind
from tests.conftest import csrf_token
from tests.list_helpers import ids_on, query_count, walk

ROW = r'id="case-(\d+)"'


@pytest.fixture
def world(make, db):
    inspector = make.user(Role.INSPECTOR)
    plan, other = make.plan(), make.plan()
    team = make.team(plan, TeamKind.JOINT, members=[inspector])
    admin = make.user(Role.ADMIN)
    db.session.commit()
    return {"admin": admin, "inspector": inspector, "plan": plan, "other": other, "team": team}


def add_cases(db, make, plan, n, *, team=None, status=CaseStatus.INTAKE, title="Phản ánh", unit=None):
    unit = unit or make.unit(name="Phường Láng Hạ")
    start = db.session.query(Case).count()
    rows = [
        Case(
            plan_id=plan.id,
            reference=f"VV-{start + i}",
            unit_id=unit.id,
            team_id=team.id if team else None,
            source=CaseSource.PRESS,
            title=f"{title} {i}",
            summary="…",
            received_on=date(2019, 1, 1) + timedelta(days=i % 30),
            status=status,
        )
        for i in range(n)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return [c.id for c in rows]


def test_paging_returns_every_case_exactly_once_in_every_sort(world, db, make, client, login):
    ids = add_cases(db, make, world["plan"], 70, team=world["team"])
    ids += add_cases(db, make, world["other"], 55, status=CaseStatus.CLOSED)
    login(world["admin"].username)
    for sort in ("received", "reference", "title", "unit", "source", "team", "status"):
        for order in ("asc", "desc"):
            seen = walk(client, f"/cases/?sort={sort}&order={order}", ROW)
            assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen)), (sort, order)


def test_the_filters_narrow_the_list(world, db, make, client, login):
    assigned = add_cases(db, make, world["plan"], 3, team=world["team"], status=CaseStatus.ASSIGNED)
    loose = add_cases(db, make, world["plan"], 2, title="Đường dây nóng")
    closed = add_cases(
        db, make, world["other"], 2, status=CaseStatus.CLOSED, unit=make.unit(name="Xã Đông Anh")
    )
    login(world["admin"].username)
    assert sorted(ids_on(client, f"/cases/?plan={world['plan'].id}", ROW)) == sorted(assigned + loose)
    assert sorted(ids_on(client, "/cases/?status=closed", ROW)) == sorted(closed)
    assert sorted(ids_on(client, f"/cases/?team={world['team'].id}", ROW)) == sorted(assigned)
    assert sorted(ids_on(client, "/cases/?q=dây+nóng", ROW)) == sorted(loose)
    assert sorted(ids_on(client, "/cases/?q=dong+anh", ROW)) == sorted(closed)  # the unit's name
    assert sorted(ids_on(client, "/cases/?q=VV-0", ROW)) == [assigned[0]]


def test_an_inspector_pages_only_through_the_own_teams_cases(world, db, make, client, login):
    mine = add_cases(db, make, world["plan"], 60, team=world["team"])
    add_cases(db, make, world["plan"], 60)
    login(world["inspector"].username)
    assert sorted(walk(client, "/cases/", ROW)) == sorted(mine)
    assert client.get(f"/cases/?plan={world['other'].id}").status_code == 200


@pytest.mark.parametrize(
    "query",
    ["plan=99999999999999999999", "status=nope", "team=-3", "q=%00%25_!", "sort=x&order=up", "after=WzEsMV0",
     "sort=received&after=WyIyMDE5LTAxLTAxIiwxXQ", "sort=team&after=W251bGwsMV0"],
)  # fmt: skip
def test_bad_filter_values_are_ignored(world, db, make, client, login, query):
    add_cases(db, make, world["plan"], 2)
    login(world["admin"].username)
    assert client.get(f"/cases/?{query}").status_code == 200


def test_the_number_of_queries_does_not_grow_with_the_cases(world, db, make, client, login):
    login(world["admin"].username)
    add_cases(db, make, world["plan"], 5, team=world["team"])
    small = query_count(client, "/cases/")
    add_cases(db, make, world["plan"], 60, team=world["team"])
    assert query_count(client, "/cases/") == small
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(world["inspector"].username)
    assert query_count(client, f"/cases/?plan={world['plan'].id}&sort=team") == query_count(
        client, f"/cases/?plan={world['plan'].id}&sort=team&order=desc"
    )
