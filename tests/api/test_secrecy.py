"""Surprise secrecy on the API, exactly as on the pages (tests/visits/test_secrecy_per_visit.py,
whose world this reuses): a follow-up surprise visit next week is known only to the team,
the plan's coordinators and admins until it starts: not in any list, detail or count of
the unit's contact, the observer, another coordinator or another team."""

from __future__ import annotations

from datetime import timedelta

import pytest

from inspections.auth.models import Role
from inspections.teams.models import TeamKind
from tests.factories import days_from_now
from tests.visits.test_secrecy_per_visit import ENTITLED, FIRST_ACTION, OUTSIDERS, SECRET_ACTION
from tests.visits.test_secrecy_per_visit import world as secrecy_world  # noqa: F401


@pytest.fixture
def world(secrecy_world):  # noqa: F811 - this module's world is the secrecy world
    return secrecy_world


def _get(client, path, headers):
    response = client.get(path, headers=headers)
    return response.status_code, response.get_json()


def _everything(client, headers) -> str:
    """Every list the API has, as text (what a scraper of the API would see)."""
    paths = ["/api/v1/visits", "/api/v1/inspections", "/api/v1/actions", "/api/v1/findings",
             "/api/v1/documents", "/api/v1/plans", "/api/v1/teams", "/api/v1/cases"]  # fmt: skip
    return " ".join(str(client.get(p, headers=headers).get_json()) for p in paths)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_a_follow_up_surprise_visit_is_hidden_on_the_api_until_it_starts(world, client, bearer, who):
    headers = bearer(world["users"][who])
    follow_up = world["follow_up"]
    status, _body = _get(client, f"/api/v1/visits/{follow_up.id}", headers)
    assert status == 404
    listed = {v["id"] for v in client.get("/api/v1/visits", headers=headers).get_json()["items"]}
    assert follow_up.id not in listed
    everything = _everything(client, headers)
    assert SECRET_ACTION not in everything
    assert follow_up.starts_at.isoformat()[:16] not in everything.replace(" ", "T")


def test_what_the_outsiders_may_see_they_do_see(world, client, bearer):
    first = world["first"]
    for who in ("contact", "observer", "other_coordinator"):
        headers = bearer(world["users"][who])
        assert _get(client, f"/api/v1/visits/{first.id}", headers)[0] == 200, who
    for who in ("observer", "other_coordinator"):
        actions = str(client.get("/api/v1/actions", headers=bearer(world["users"][who])).get_json())
        assert FIRST_ACTION in actions and SECRET_ACTION not in actions, who


@pytest.mark.parametrize("who", ENTITLED)
def test_the_team_the_plans_coordinators_and_admins_see_the_follow_up(world, client, bearer, who):
    headers = bearer(world["users"][who])
    follow_up = world["follow_up"]
    assert _get(client, f"/api/v1/visits/{follow_up.id}", headers)[0] == 200
    listed = {v["id"] for v in client.get("/api/v1/visits", headers=headers).get_json()["items"]}
    assert follow_up.id in listed
    actions = str(client.get("/api/v1/actions", headers=headers).get_json())
    assert SECRET_ACTION in actions and FIRST_ACTION in actions


def test_once_the_follow_up_has_started_the_observer_sees_it(world, db, client, bearer):
    follow_up = world["follow_up"]
    follow_up.starts_at = days_from_now(-1)
    follow_up.ends_at = follow_up.starts_at + timedelta(hours=3)
    db.session.commit()
    headers = bearer(world["users"]["observer"])
    assert _get(client, f"/api/v1/visits/{follow_up.id}", headers)[0] == 200
    assert SECRET_ACTION in str(client.get("/api/v1/actions", headers=headers).get_json())


def test_a_surprise_inspection_not_yet_started_is_unknown_outside(db, make, client, bearer):
    coordinator, member = make.user(Role.COORDINATOR), make.user(Role.INSPECTOR)
    plan = make.plan(coordinators=[coordinator])
    unit = make.unit(name="Bệnh viện Xanh Pôn")
    contact = make.user(Role.UNIT_CONTACT, home_unit_id=unit.id)
    team = make.team(plan, TeamKind.PUBLIC_SERVICE, members=[member])
    inspection = make.inspection(team, unit, visit_at=days_from_now(3))
    observer = make.user(Role.OBSERVER)
    db.session.commit()
    visit_id = inspection.visits[0].id
    for user, known in ((contact, False), (observer, False), (coordinator, True), (member, True)):
        headers = bearer(user)
        inspections = {
            i["id"] for i in client.get("/api/v1/inspections", headers=headers).get_json()["items"]
        }
        visits = client.get("/api/v1/visits", headers=headers).get_json()
        assert (inspection.id in inspections) == known, user.role
        assert (visit_id in {v["id"] for v in visits["items"]}) == known, user.role
        assert client.get(f"/api/v1/inspections/{inspection.id}", headers=headers).status_code == (
            200 if known else 404
        )
        if not known:  # not even a count gives it away
            assert visits["total"] == 0
