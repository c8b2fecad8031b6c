"""Every route × every role: the answer each persona gets.

The matrix must name every route of the application: a new route fails this test until
someone decides who may use it.
"""

from __future__ import annotations

import pytest

from inspections.auth.models import Role
from inspections.teams.models import TeamKind
from tests.conftest import csrf_token

PERSONAS = ["anonymous", "admin", "coordinator", "observer", "leader", "outsider", "contact"]

# endpoint -> (method, path template, {persona: expected status})
ALL = dict.fromkeys(PERSONAS)
MATRIX: dict[str, tuple[str, str, dict[str, int]]] = {
    "auth.login": ("GET", "/login", {p: 302 for p in PERSONAS} | {"anonymous": 200}),
    "auth.logout": ("POST", "/logout", {p: 302 for p in PERSONAS}),
    "auth.change_language": ("POST", "/language", {p: 302 for p in PERSONAS}),
    "reports.home": ("GET", "/", {p: 200 for p in PERSONAS} | {"anonymous": 302}),
    "plans.index": (
        "GET",
        "/plans/",
        {p: 200 for p in PERSONAS} | {"anonymous": 302, "contact": 403},
    ),
    "plans.detail": (
        "GET",
        "/plans/{plan_id}",
        {
            "anonymous": 302,
            "admin": 200,
            "coordinator": 200,
            "observer": 200,
            "leader": 200,
            "outsider": 404,
            "contact": 404,
        },
    ),
    "audit.index": ("GET", "/audit/", {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 200}),
    "system.status": ("GET", "/admin/system", {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 200}),
    "system.healthz": ("GET", "/healthz", {p: 200 for p in PERSONAS}),
}


@pytest.fixture
def world(db, make):
    users = {
        "admin": make.user(Role.ADMIN),
        "coordinator": make.user(Role.COORDINATOR),
        "observer": make.user(Role.OBSERVER),
        "leader": make.user(Role.INSPECTOR, home_unit_id=make.unit().id),
        "outsider": make.user(Role.INSPECTOR, home_unit_id=make.unit().id),
        "contact": make.user(Role.UNIT_CONTACT),
    }
    plan = make.plan()
    make.team(plan, TeamKind.JOINT, members=[users["leader"]])
    db.session.commit()
    return {"users": {k: u.username for k, u in users.items()}, "plan_id": plan.id}


def test_the_matrix_names_every_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints == set(MATRIX)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_answers_persona(endpoint, persona, world, client, login):
    method, path, expected = MATRIX[endpoint]
    if persona != "anonymous":
        assert login(world["users"][persona]).status_code == 302
    url = path.format(plan_id=world["plan_id"])
    if method == "POST":
        response = client.post(url, data={"csrf_token": csrf_token(client)})
    else:
        response = client.get(url)
    assert response.status_code == expected[persona], f"{persona} {method} {url}"
