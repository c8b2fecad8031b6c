"""The calendars' events (JSON for static/calendar.js): the right visits, scoped like the
pages (a surprise visit reaches only those who may know it), clear refusals of bad input,
and the move route's JSON answer for a drag: accepted moves the item, refused changes
nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from inspections.auth.models import User
from inspections.plans.models import Plan
from inspections.scheduling.models import ProposalItem, ScheduleProposal
from inspections.scheduling.services import approve_proposal
from tests.conftest import csrf_token
from tests.scheduling import calendar_world

JSON = {"Accept": "application/json"}


@pytest.fixture
def world(db, make):
    return calendar_world.build(make, db)


def _range(item_day):
    start = item_day.replace(day=1)
    return {"start": start.isoformat(), "end": (start + timedelta(days=42)).isoformat()}


def _events(client, path, **query):
    response = client.get(path, query_string=query, headers=JSON)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_the_schedule_events_are_the_teams_proposed_items_draggable(world, client, login, db):
    login(world["coordinator"])
    [first, *_] = items = calendar_world.items(world["joint_id"])
    path = f"/plans/{world['plan_id']}/schedule/events"
    shown = _range(first.day)
    data = _events(client, path, team=world["joint_id"], **shown)
    expected = {f"item-{i.id}" for i in items if shown["start"] <= i.day.isoformat() < shown["end"]}
    assert {e["id"] for e in data["events"]} == expected
    event = next(e for e in data["events"] if e["id"] == f"item-{first.id}")
    assert event["startEditable"] is True and event["durationEditable"] is False
    assert event["extendedProps"]["moveUrl"] == f"/schedule/items/{first.id}/move"
    assert event["start"].startswith(first.day.isoformat()) and "Phường Láng" in event["title"]
    # The whole plan: the surprise team's item too, shown as a surprise.
    surprise = calendar_world.items(world["surprise_id"])[0]
    everything = _events(
        client, path, start=surprise.day.isoformat(), end=(surprise.day + timedelta(days=1)).isoformat()
    )
    titles = {e["id"]: e["title"] for e in everything["events"]}
    assert f"item-{surprise.id}" in titles and "Trường Tiểu học Kim Liên" in titles[f"item-{surprise.id}"]


@pytest.mark.parametrize("who", ["member", "joint_member", "contact"])
def test_only_those_who_schedule_the_plan_get_its_events(world, client, login, who):
    """The proposal holds surprise dates: a team member, a member of another team and the
    unit's official are all refused (404, as for the page)."""
    login(world[who])
    response = client.get(
        f"/plans/{world['plan_id']}/schedule/events",
        query_string={"start": "2030-01-01", "end": "2030-02-01"},
        headers=JSON,
    )
    assert response.status_code == 404


def test_the_personal_calendar_shows_a_surprise_visit_only_to_its_team(world, app, client, login, db):
    proposal = db.session.scalar(sa.select(ScheduleProposal))
    coordinator = db.session.scalar(sa.select(User).where(User.username == world["coordinator"]))
    with app.test_request_context():
        visits = approve_proposal(proposal, actor=coordinator)
    db.session.commit()
    secret = next(v for v in visits if v.inspection.team_id == world["surprise_id"])
    day = secret.starts_at.date()
    query = {"start": (day - timedelta(days=20)).isoformat(), "end": (day + timedelta(days=20)).isoformat()}
    seen = {}
    for who in ("member", "joint_member", "contact", "coordinator"):
        login(world[who])
        seen[who] = {e["id"] for e in _events(client, "/calendar/events", **query)["events"]}
        client.post("/logout", data={"csrf_token": csrf_token(client)})
    key = f"visit-{secret.id}"
    assert key in seen["member"]
    assert key not in seen["joint_member"]
    assert key not in seen["contact"]
    joint_visits = {f"visit-{v.id}" for v in visits if v.inspection.team_id == world["joint_id"]}
    assert seen["joint_member"] & joint_visits  # the same channel carries what they may see


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("/plans/999999/schedule/events", {"start": "2030-01-01", "end": "2030-02-01"}, 404),
        (
            "/plans/{plan_id}/schedule/events",
            {"start": "2030-01-01", "end": "2030-02-01", "team": "abc"},
            400,
        ),
        (
            "/plans/{plan_id}/schedule/events",
            {"start": "2030-01-01", "end": "2030-02-01", "team": "99999"},
            404,
        ),
        (
            "/plans/{plan_id}/schedule/events",
            {"start": "2030-01-01", "end": "2030-02-01", "team": "9" * 30},
            400,
        ),
        ("/plans/{plan_id}/schedule/events", {"start": "soon", "end": "2030-02-01"}, 400),
        ("/plans/{plan_id}/schedule/events", {"start": "2030-02-01", "end": "2030-01-01"}, 400),
        ("/plans/{plan_id}/schedule/events", {"start": "2030-01-01", "end": "2031-01-01"}, 400),
        ("/plans/{plan_id}/schedule/events", {"start": "9999-12-31", "end": "10000-01-01"}, 400),
        ("/plans/{plan_id}/schedule/events", {"end": "2030-02-01"}, 400),
        ("/calendar/events", {"start": "2030-01-01", "end": "2030-02-01", "team": "x1"}, 400),
        ("/calendar/events", {"start": "2030-01-01", "end": "2030-02-01", "team": "99999"}, 404),
        ("/calendar/events", {"start": "2030-01-01"}, 400),
    ],
)
def test_bad_ids_and_ranges_get_a_clear_refusal(world, client, login, path, query, status):
    login(world["coordinator"])
    response = client.get(path.format(**world), query_string=query, headers=JSON)
    assert response.status_code == status
    if status == 400:
        assert response.get_json()["error"]


def test_without_a_range_the_plans_first_month_is_shown(world, client, login, db):
    login(world["coordinator"])
    data = _events(client, f"/plans/{world['plan_id']}/schedule/events")
    days = {e["start"][:7] for e in data["events"]}
    start = db.session.get(Plan, world["plan_id"]).window_start
    assert days == {start.strftime("%Y-%m")}


def test_a_team_of_another_plan_is_not_found(world, make, db, client, login):
    other = make.team(make.plan())
    db.session.commit()
    login(world["coordinator"])
    response = client.get(
        f"/plans/{world['plan_id']}/schedule/events",
        query_string={"start": "2030-01-01", "end": "2030-02-01", "team": other.id},
        headers=JSON,
    )
    assert response.status_code == 404


def _move(client, world, item, day, **extra):
    path = f"/plans/{world['plan_id']}/schedule"
    data = {"csrf_token": csrf_token(client, path), "day": day.isoformat(), "slot": item.slot.value} | extra
    return client.post(f"/schedule/items/{item.id}/move", data=data, headers=JSON)


def test_an_accepted_json_move_moves_the_item(world, client, login, db):
    login(world["coordinator"])
    item, [day, *_] = calendar_world.movable(world["joint_id"])
    response = _move(client, world, item, day)
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["ok"] is True and answer["message"]
    assert answer["event"]["id"] == f"item-{item.id}" and answer["event"]["start"].startswith(day.isoformat())
    assert answer["when"].startswith(day.strftime("%d/%m/%Y"))
    db.session.expire_all()
    assert db.session.get(ProposalItem, item.id).day == day


def test_a_refused_json_move_changes_nothing_and_says_why(world, client, login, db):
    login(world["coordinator"])
    item, [day, *_] = calendar_world.movable(world["joint_id"])
    before = item.day
    calendar_world.black_out(item, day)
    response = _move(client, world, item, day)
    assert response.status_code == 422
    answer = response.get_json()
    assert answer["ok"] is False and "Ngày này vi phạm ràng buộc" in answer["message"]
    db.session.expire_all()
    assert db.session.get(ProposalItem, item.id).day == before


def test_a_json_move_with_a_bad_date_is_refused_with_the_fields_message(world, client, login, db):
    login(world["coordinator"])
    item = calendar_world.items(world["joint_id"])[0]
    path = f"/plans/{world['plan_id']}/schedule"
    response = client.post(
        f"/schedule/items/{item.id}/move",
        data={"csrf_token": csrf_token(client, path), "day": "31/02/2030", "slot": "morning"},
        headers=JSON,
    )
    assert response.status_code == 400 and response.get_json()["ok"] is False
    assert "dd/mm/yyyy" in response.get_json()["message"]
    db.session.expire_all()
    assert db.session.get(ProposalItem, item.id).day == item.day


def test_the_form_still_moves_with_a_day_typed_dd_mm_yyyy(world, client, login, db):
    login(world["coordinator"])
    item, [day, *_] = calendar_world.movable(world["joint_id"])
    path = f"/plans/{world['plan_id']}/schedule"
    data = {"csrf_token": csrf_token(client, path), "day": day.strftime("%d/%m/%Y"), "slot": item.slot.value}
    assert client.post(f"/schedule/items/{item.id}/move", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(ProposalItem, item.id).day == day
    page = client.get(f"{path}?team={world['joint_id']}").get_data(as_text=True)
    assert f'value="{day.strftime("%d/%m/%Y")}"' in page and "data-calendar" in page
