"""The national data set (`flask demo national`) at a small scale: counts, the audit chain,
idempotence, refusal on a database with real data, and the main pages still answering."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.audit.services import verify_chain
from inspections.auth.models import Role, User
from inspections.demo.national import MARKER, NationalRefused, foreign_data, generate_national, targets
from inspections.demo.services import load_demo
from inspections.findings.models import Finding, FindingResult
from inspections.outbox.models import Notification
from inspections.plans.models import Plan
from inspections.remediation.models import CorrectiveAction
from inspections.teams.models import Team
from inspections.units.models import Unit, UnitKind
from inspections.units.services import search_key
from inspections.visits.models import Inspection, InspectionKind, Visit, VisitStatus

SCALE = 0.002
PASSWORD = "demo password national"
MODELS = (Unit, User, Plan, Team, Inspection, Visit, Finding, CorrectiveAction, Notification, AuditEvent)


def _count(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _counts(db) -> list[int]:
    return [_count(db, model) for model in MODELS]


@pytest.fixture
def demo(db):
    load_demo(password=PASSWORD)
    db.session.commit()
    return db


def test_the_counts_scale_and_the_rows_hold_together(demo):
    db = demo
    before = {model: _count(db, model) for model in MODELS}
    report = generate_national(scale=SCALE)
    goal = targets(SCALE)

    added = {model: _count(db, model) - before[model] for model in MODELS}
    assert added[Unit] == goal["units"] == 200
    assert added[User] == goal["people"]
    assert added[Inspection] == added[Visit] == goal["inspections"]
    assert added[Finding] == goal["findings"] == 2000
    assert added[CorrectiveAction] == goal["actions"]
    assert added[Team] >= goal["teams"]
    assert added[Notification] > 0 and added[AuditEvent] > goal["inspections"]
    assert report.created["units"] == goal["units"]

    # A realistic hierarchy, searchable: communes under districts under a province.
    commune = db.session.scalar(sa.select(Unit).where(Unit.kind == UnitKind.COMMUNE, Unit.code.like("qg-%")))
    assert commune.parent.kind == UnitKind.DISTRICT and commune.district_id == commune.parent_id
    assert commune.parent.parent.kind == UnitKind.CITY
    assert commune.search_name == search_key(commune.name)
    assert commune.name.split()[0] in {"Phường", "Xã", "Thị"}
    assert _count(db, Unit, Unit.kind == UnitKind.PUBLIC_SERVICE, Unit.code.like("qg-s%")) > 100

    # Both kinds, past visits done with findings, future ones approved with none.
    kinds = set(db.session.scalars(sa.select(Inspection.kind).distinct()))
    assert kinds == {InspectionKind.JOINT, InspectionKind.SURPRISE}
    future = db.session.scalars(sa.select(Visit).where(Visit.starts_at > sa.func.now())).all()
    assert future and all(v.status == VisitStatus.APPROVED for v in future)
    assert _count(db, Finding, Finding.visit_id.in_([v.id for v in future])) == 0
    assert _count(db, Visit, Visit.status == VisitStatus.DONE) > 0
    # Actions only on non-compliant findings, of the inspected unit.
    action = db.session.scalar(sa.select(CorrectiveAction).order_by(CorrectiveAction.id.desc()).limit(1))
    assert action.finding.result == FindingResult.NON_COMPLIANT
    visit = db.session.get(Visit, action.finding.visit_id)
    assert visit.inspection.unit_id == action.unit_id
    # Generated people cannot log in; every team has a head.
    generated = db.session.scalars(sa.select(User).where(User.email.like("%@cchc.example"))).all()
    assert {u.role for u in generated} >= {Role.COORDINATOR, Role.INSPECTOR}
    assert all(t.head is not None for t in db.session.scalars(sa.select(Team)))


def test_the_audit_chain_still_verifies(demo):
    generate_national(scale=SCALE)
    chain = verify_chain()
    assert chain.ok, chain
    assert chain.checked == _count(demo, AuditEvent)
    assert _count(demo, AuditEvent, AuditEvent.action == MARKER) == 1


def test_a_second_run_adds_nothing(demo, runner):
    first = runner.invoke(args=["demo", "national", "--scale", str(SCALE)])
    assert first.exit_code == 0, first.output
    assert "National data set" in first.output
    counts = _counts(demo)

    again = runner.invoke(args=["demo", "national", "--scale", str(SCALE)])
    assert again.exit_code == 0, again.output
    assert "nothing to do" in again.output
    assert _counts(demo) == counts


def test_an_empty_database_gets_the_demo_first(db, runner, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    result = runner.invoke(args=["demo", "national", "--scale", "0.001"])
    assert result.exit_code == 0, result.output
    assert "Demo loaded first" in result.output
    assert db.session.scalar(sa.select(User.id).where(User.username == "coordinator")) is not None


def test_a_database_with_real_data_is_refused(demo, runner, make):
    demo.session.add(Unit(code="ubnd-that", name="UBND xã Thật", search_name="ubnd xa that", kind="commune"))
    demo.session.commit()
    assert "ubnd-that" in foreign_data()
    counts = _counts(demo)

    result = runner.invoke(args=["demo", "national", "--scale", str(SCALE)])

    assert result.exit_code != 0
    assert "Refused" in result.output and "ubnd-that" in result.output
    assert _counts(demo) == counts
    with pytest.raises(NationalRefused):
        generate_national(scale=SCALE)


@pytest.mark.parametrize("what", ["user", "plan"])
def test_a_foreign_user_or_plan_is_refused_too(demo, make, what):
    if what == "user":
        make.user(Role.COORDINATOR)
    else:
        make.plan()
    demo.session.commit()
    assert foreign_data() is not None


PAGES = {
    "coordinator": ("/", "/units/", "/units/?q=xa", "/visits/", "/plans/", "/plans/1", "/actions/"),
    "leader.joint": ("/", "/visits/", "/calendar", "/plans/"),
}


@pytest.mark.parametrize("username", list(PAGES))
def test_the_main_pages_answer_after_generation(demo, client, login, username):
    generate_national(scale=SCALE)
    assert login(username, PASSWORD).status_code == 302
    for path in PAGES[username]:
        assert client.get(path).status_code == 200, path
