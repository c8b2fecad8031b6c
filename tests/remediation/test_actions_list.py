"""The corrective actions list and the requests for more time: keyset pages, filters, sorts,
secrecy, and a number of queries that does not grow with the data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from inspections.auth.models import Role
from inspections.findings.models import Finding, FindingResult
from inspections.remediation.models import ActionStatus, CorrectiveAction, ExtensionRequest, ExtensionStatus
from inspections.teams.models import TeamKind
from tests.conftest import csrf_token
from tests.factories import days_from_now
from tests.list_helpers import ids_on, query_count, walk

ROW = r'id="action-(\d+)"'
EXT_ROW = r'id="extension-(\d+)"'


@pytest.fixture
def world(make, db):
    admin = make.user(Role.ADMIN)
    leader = make.user(Role.INSPECTOR)
    observer = make.user(Role.OBSERVER)
    plan = make.plan()
    other_plan = make.plan()
    team = make.team(plan, TeamKind.JOINT, members=[leader])
    district = make.unit(name="Quận Cầu Giấy")
    units = [make.unit(name="Phường Dịch Vọng", district_id=district.id), make.unit(name="Xã Tân Lập")]
    visits = []
    for unit in units:
        visits.append(make.inspection(team, unit, visit_at=days_from_now(-30)).visits[0])
    other_team = make.team(other_plan, TeamKind.JOINT, members=[make.user(Role.INSPECTOR)])
    other_visit = make.inspection(other_team, make.unit(name="Thị trấn Xuân Mai"), visit_at=days_from_now(-9))
    db.session.commit()
    return {
        "admin": admin,
        "leader": leader,
        "observer": observer,
        "plan": plan,
        "other_plan": other_plan,
        "team": team,
        "district": district,
        "visits": visits,
        "other_visit": other_visit.visits[0],
        "units": units,
    }


def add_actions(db, visit, unit, n, *, author, status=ActionStatus.OPEN, due=date(2030, 1, 1)):
    rows = []
    for i in range(n):
        finding = Finding(visit_id=visit.id, result=FindingResult.NON_COMPLIANT, author_id=author.id)
        db.session.add(finding)
        db.session.flush()
        action = CorrectiveAction(
            finding_id=finding.id,
            unit_id=unit.id,
            description=f"Khắc phục {i}",
            due_on=due + timedelta(days=i % 7),
            status=status,
        )
        db.session.add(action)
        rows.append(action)
    db.session.commit()
    return [a.id for a in rows]


def test_paging_returns_every_action_exactly_once(world, db, client, login):
    w = world
    ids = add_actions(db, w["visits"][0], w["units"][0], 70, author=w["leader"])
    ids += add_actions(
        db, w["visits"][1], w["units"][1], 55, author=w["leader"], status=ActionStatus.REPORTED
    )
    login(w["admin"].username)
    for sort in ("due", "unit", "status"):
        for order in ("asc", "desc"):
            seen = walk(client, f"/actions/?sort={sort}&order={order}", ROW)
            assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen)), (sort, order)
    first = client.get("/actions/").get_data(as_text=True)
    assert "125" in first  # the total


def test_the_filters_narrow_the_list(world, db, client, login):
    w = world
    late = add_actions(db, w["visits"][0], w["units"][0], 3, author=w["leader"], due=date(2020, 1, 1))
    reported = add_actions(
        db,
        w["visits"][1],
        w["units"][1],
        2,
        author=w["leader"],
        status=ActionStatus.REPORTED,
        due=date(2020, 1, 1),
    )
    elsewhere = add_actions(db, w["other_visit"], w["units"][0], 2, author=w["leader"], due=date(2031, 1, 1))
    login(w["admin"].username)
    assert sorted(ids_on(client, f"/actions/?plan={w['plan'].id}", ROW)) == sorted(late + reported)
    assert sorted(ids_on(client, f"/actions/?plan={w['other_plan'].id}", ROW)) == sorted(elsewhere)
    assert sorted(ids_on(client, "/actions/?status=reported", ROW)) == sorted(reported)
    assert sorted(ids_on(client, "/actions/?overdue=1", ROW)) == sorted(late)  # reported is not overdue
    assert sorted(ids_on(client, "/actions/?q=dich+vong", ROW)) == sorted(late + elsewhere)
    assert sorted(ids_on(client, "/actions/?q=DỊCH", ROW)) == sorted(late + elsewhere)
    assert sorted(ids_on(client, f"/actions/?district={w['district'].id}", ROW)) == sorted(late + elsewhere)
    by_due = ids_on(client, "/actions/?sort=due&order=desc", ROW)
    assert by_due[: len(elsewhere)] == sorted(elsewhere, reverse=True) or set(by_due[:2]) == set(elsewhere)


@pytest.mark.parametrize(
    "query",
    ["plan=99999999999999999999", "status=nope", "overdue=yes", "q=%00%25_!", "district=-1", "district=²",
     "sort=nope&order=sideways", "after=not-a-cursor", "after=WyJ4IiwxXQ", "sort=due&after=WzEsMV0"],
)  # fmt: skip
def test_bad_filter_values_are_ignored(world, db, client, login, query):
    add_actions(db, world["visits"][0], world["units"][0], 2, author=world["leader"])
    login(world["admin"].username)
    assert client.get(f"/actions/?{query}").status_code == 200
    assert client.get(f"/actions/extensions/?{query}").status_code == 200


def test_a_surprise_visit_not_started_keeps_its_actions_secret(make, db, client, login, world):
    plan = world["plan"]
    member = make.user(Role.INSPECTOR)
    surprise = make.team(plan, TeamKind.PUBLIC_SERVICE, members=[member])
    visit = make.inspection(surprise, make.unit(name="Bệnh viện huyện"), visit_at=days_from_now(5)).visits[0]
    db.session.commit()
    secret = add_actions(db, visit, visit.inspection.unit, 60, author=member)
    shown = add_actions(db, world["visits"][0], world["units"][0], 60, author=world["leader"])
    login(world["observer"].username)
    seen = walk(client, "/actions/", ROW)
    assert sorted(seen) == sorted(shown) and not set(seen) & set(secret)
    assert not set(ids_on(client, f"/actions/?q=benh+vien&plan={plan.id}", ROW))
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(member.username)
    assert sorted(walk(client, "/actions/", ROW)) == sorted(secret)


def test_the_number_of_queries_does_not_grow_with_the_actions(world, db, client, login):
    w = world
    login(w["leader"].username)
    add_actions(db, w["visits"][0], w["units"][0], 5, author=w["leader"], status=ActionStatus.REPORTED)
    small = query_count(client, "/actions/")
    add_actions(db, w["visits"][1], w["units"][1], 60, author=w["leader"], status=ActionStatus.REPORTED)
    assert query_count(client, "/actions/") == small
    assert query_count(client, "/actions/?sort=unit&order=desc&status=reported") == small


def _requests(db, action_ids, status=ExtensionStatus.PENDING):
    ids = []
    for action_id in action_ids:
        action = db.session.get(CorrectiveAction, action_id)
        req = ExtensionRequest(
            action_id=action.id,
            unit_id=action.unit_id,
            old_due_on=action.due_on,
            requested_on=action.due_on + timedelta(days=10),
            reason="Chờ kinh phí",
            status=status,
            granted_on=action.due_on + timedelta(days=10) if status == ExtensionStatus.GRANTED else None,
        )
        db.session.add(req)
        db.session.flush()
        ids.append(req.id)
    db.session.commit()
    return ids


def test_requests_for_more_time_page_filter_and_stay_bounded(world, db, client, login):
    w = world
    pending = _requests(db, add_actions(db, w["visits"][0], w["units"][0], 70, author=w["leader"]))
    granted = _requests(
        db, add_actions(db, w["visits"][1], w["units"][1], 55, author=w["leader"]), ExtensionStatus.GRANTED
    )
    login(w["admin"].username)
    seen = walk(client, "/actions/extensions/", EXT_ROW)
    assert sorted(seen) == sorted(pending + granted) and len(seen) == len(set(seen))
    assert seen[: len(pending)] == sorted(pending)  # pending first
    assert sorted(walk(client, "/actions/extensions/?status=granted", EXT_ROW)) == sorted(granted)
    assert sorted(walk(client, "/actions/extensions/?q=tan+lap", EXT_ROW)) == sorted(granted)
    for sort in ("unit", "due", "asked"):
        assert sorted(walk(client, f"/actions/extensions/?sort={sort}&order=desc", EXT_ROW)) == sorted(seen)


def test_the_requests_page_runs_as_many_queries_for_few_as_for_many(world, db, client, login):
    w = world
    login(w["admin"].username)
    _requests(db, add_actions(db, w["visits"][0], w["units"][0], 5, author=w["leader"]))
    small = query_count(client, "/actions/extensions/")
    _requests(db, add_actions(db, w["visits"][1], w["units"][1], 60, author=w["leader"]))
    assert query_count(client, "/actions/extensions/") == small
