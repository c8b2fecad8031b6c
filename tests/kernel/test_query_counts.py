"""Every main page of every persona runs as many SQL statements at two sizes of data.

The demo is loaded, each page is requested once to count its statements; then every demo
team gets many more inspections, visits, findings, actions, units, audit events and mails,
and the same pages must run the same number of statements: a page whose queries grow with
the data (an N+1, a per-row check) fails here long before it is slow in production.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from inspections.audit.services import record
from inspections.auth.models import User
from inspections.demo.services import load_demo
from inspections.extensions import db as _db
from inspections.findings.models import Finding, FindingResult, Severity
from inspections.outbox.services import enqueue
from inspections.plans.models import Plan
from inspections.remediation.models import CorrectiveAction
from inspections.teams.models import Team, TeamKind
from inspections.units.models import UnitKind
from inspections.visits.models import VisitStatus
from tests import factories
from tests.conftest import csrf_token
from tests.factories import days_from_now

PERSONAS = (
    "admin",
    "coordinator",
    "observer",
    "leader.joint",
    "leader.surprise",
    "member",
    "contact.q-hadong",
)
# Paths each persona reaches; `{plan}` and `{team}` are the demo's 2019 plan and joint team.
PAGES = (
    "/",
    "/visits/",
    "/visits/?sort=unit&order=asc",
    "/units/",
    "/units/?q=ha",
    "/actions/",
    "/cases/",
    "/plans/",
    "/plans/{plan}",
    "/teams/{team}",
    "/calendar",
    "/audit/",
    "/admin/outbox",
    "/unit/",
)


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sa.event.listen(_db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(_db.engine, "before_cursor_execute", count)


def _grow(db, make, rounds: int) -> None:
    """More of everything, visible to every persona: under each demo team, past and future,
    some this month (the calendars show it)."""
    author = db.session.scalar(sa.select(User).where(User.username == "leader.joint"))
    for team in db.session.scalars(sa.select(Team).order_by(Team.id)).all():
        for n in range(rounds):
            unit = make.unit(kind=UnitKind.COMMUNE)
            past = n % 2 == 0
            inspection = make.inspection(team, unit, visit_at=days_from_now(-20 - n if past else 20 + n))
            visit = inspection.visits[0]
            if past:
                visit.status = VisitStatus.DONE
                for r in range(4):
                    finding = Finding(
                        visit_id=visit.id, result=FindingResult.NON_COMPLIANT, severity=Severity.LOW,
                        text=f"Phát hiện {r}", author_id=author.id,
                    )  # fmt: skip
                    db.session.add(finding)
                    db.session.flush()
                    db.session.add(
                        CorrectiveAction(
                            finding_id=finding.id,
                            unit_id=unit.id,
                            description=f"Khắc phục {r}",
                            due_on=(days_from_now(30)).date(),
                        )  # fmt: skip
                    )
            record("test.grow", actor=author, object_type="unit", object_id=unit.id)
            enqueue(key=f"grow-{team.id}-{n}", kind="action_due", email=f"u{team.id}-{n}@unit.example")
    db.session.commit()


def _paths(db) -> list[str]:
    plan = db.session.scalar(sa.select(Plan).order_by(Plan.year, Plan.id))
    team = db.session.scalar(
        sa.select(Team).where(Team.plan_id == plan.id, Team.kind == TeamKind.JOINT).order_by(Team.id)
    )
    return [p.format(plan=plan.id, team=team.id) for p in PAGES]


def _counts(app, paths: list[str]) -> dict[tuple[str, str], tuple[int, int]]:
    """(persona, path) -> (status, statements) of one request.

    Each request gets an application context of its own, as in production: the test's
    context would share `g` (the logged-in user, the CSRF token) between requests."""
    found = {}
    for persona in PERSONAS:
        client = app.test_client()
        with app.app_context():
            token = csrf_token(client)
        with app.app_context():
            data = {"csrf_token": token, "username": persona, "password": factories.PASSWORD}
            assert client.post("/login", data=data).status_code == 302, persona
        for path in paths:
            with app.app_context(), counting() as statements:
                status = client.get(path).status_code
            found[persona, path] = (status, len(statements))
    return found


@pytest.fixture
def demo(db):
    load_demo(password=factories.PASSWORD)
    db.session.commit()


def test_no_main_page_runs_more_queries_with_more_data(app, db, make, demo):
    paths = _paths(db)
    _grow(db, make, rounds=2)  # a page that has rows to show may ask for their details once
    small = _counts(app, paths)
    _grow(db, make, rounds=12)
    large = _counts(app, paths)
    grown = {
        key: (small[key][1], large[key][1])
        for key in small
        if small[key][0] == 200 and small[key][1] != large[key][1]
    }
    assert grown == {}, "statements per page grew with the data (persona, path): (small, large)"
    # Every page that answers at one size answers the same at the other.
    assert {k: v[0] for k, v in small.items()} == {k: v[0] for k, v in large.items()}
    assert sum(1 for status, _ in small.values() if status == 200) > 40


def test_a_page_of_the_visits_list_never_holds_more_than_fifty_rows(app, db, make, demo):
    _grow(db, make, rounds=30)
    client = app.test_client()
    with app.app_context():
        token = csrf_token(client)
    with app.app_context():
        client.post("/login", data={"csrf_token": token, "username": "admin", "password": factories.PASSWORD})
    with app.app_context():
        html = client.get("/visits/").get_data(as_text=True)
    assert len(re.findall(r'<tr><td[^>]*><a href="/visits/\d+">', html)) == 50
    assert 'rel="next"' in html
