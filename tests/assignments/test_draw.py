"""The seeded, risk-weighted surprise draw and its verification."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from inspections.assignments.draw import (
    PoolFilters,
    candidate_pool,
    perform_draw,
    sample,
    seed_hash,
    verify_draw,
)
from inspections.assignments.models import SurpriseDraw
from inspections.audit.models import AuditEvent
from inspections.audit.services import verify_chain
from inspections.auth.models import Role
from inspections.cases.models import Case, CaseSource
from inspections.errors import Conflict, InvalidInput
from inspections.teams.models import TeamKind
from inspections.units.models import UnitKind
from inspections.visits.models import Inspection, InspectionKind
from tests.factories import days_from_now


@pytest.fixture(autouse=True)
def _request(app, db):
    with app.test_request_context():
        yield


@pytest.fixture
def setting(db, make):
    lan = make.user(Role.COORDINATOR)
    plan = make.plan(coordinators=[lan])
    home = make.unit(code="so-noivu", kind=UnitKind.DEPARTMENT)
    leader = make.user(Role.INSPECTOR, home_unit_id=home.id)
    team = make.team(plan, TeamKind.PUBLIC_SERVICE, members=[leader])
    units = [make.unit(code=f"u{i:02d}", kind=UnitKind.DISTRICT) for i in range(40)]
    below_home = make.unit(code="under-noivu", kind=UnitKind.PUBLIC_SERVICE, parent=home)
    db.session.commit()
    return {
        "lan": lan,
        "plan": plan,
        "team": team,
        "units": units,
        "below_home": below_home,
        "leader": leader,
    }


def test_the_draw_assigns_count_units_and_verifies_from_its_seed(db, setting, runner):
    draw = perform_draw(setting["team"], actor=setting["lan"], count=28, filters=PoolFilters())
    db.session.commit()

    drawn = db.session.scalars(
        sa.select(Inspection).where(Inspection.plan_id == setting["plan"].id, Inspection.drawn.is_(True))
    ).all()
    assert len(drawn) == 28 and {i.kind for i in drawn} == {InspectionKind.SURPRISE}
    assert sorted(i.unit_id for i in drawn) == sorted(draw.drawn_unit_ids)
    assert setting["below_home"].id not in draw.drawn_unit_ids  # conflicts never enter the pool
    assert setting["below_home"].id not in {u for u, _ in draw.pool}

    # The hash was recorded before the draw, the seed after it.
    commit, reveal = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action.in_(["draw.commit", "draw.reveal"]))
        .order_by(AuditEvent.id)
    ).all()
    assert commit.action == "draw.commit" and "seed" not in commit.after
    assert commit.after["seed_sha256"] == seed_hash(reveal.after["seed"])
    first_assignment = db.session.scalar(
        sa.select(sa.func.min(AuditEvent.id)).where(AuditEvent.action == "inspection.assign")
    )
    assert commit.id < first_assignment < reveal.id
    assert verify_chain().ok

    # Anyone can re-run it from the recorded pool and seed.
    assert sample(reveal.after["seed"], reveal.after["pool"], 28) == draw.drawn_unit_ids
    assert verify_draw(draw).ok
    result = runner.invoke(args=["plans", "verify-draw", str(draw.id)])
    assert result.exit_code == 0, result.output
    assert "OK: re-running the draw gives the same units" in result.output


def test_a_tampered_draw_does_not_verify(db, setting, runner):
    draw = perform_draw(setting["team"], actor=setting["lan"], count=5, filters=PoolFilters())
    db.session.commit()
    draw.seed = "0" * 64
    db.session.commit()
    assert not verify_draw(draw).ok
    result = runner.invoke(args=["plans", "verify-draw", str(draw.id)])
    assert result.exit_code == 1 and "does NOT verify" in result.output


def test_the_same_seed_gives_the_same_units_and_another_seed_others(db, setting):
    pool = [[c.unit.id, c.weight] for c in candidate_pool(setting["team"], PoolFilters())]
    assert sample("seed-a", pool, 10) == sample("seed-a", pool, 10)
    assert sample("seed-a", pool, 10) != sample("seed-b", pool, 10)


def test_risk_raises_the_weight(db, make, setting):
    risky = setting["units"][0]
    db.session.add(
        Case(
            plan=setting["plan"],
            reference="VV-1",
            unit=risky,
            source=CaseSource.COMPLAINT,
            title="t",
            summary="s",
            received_on=days_from_now(-3).date(),
        )
    )
    other_plan_team = make.team(make.plan(), TeamKind.JOINT)
    make.inspection(other_plan_team, setting["units"][1], visit_at=days_from_now(-60))
    db.session.flush()
    weights = {c.unit.id: c for c in candidate_pool(setting["team"], PoolFilters())}
    assert weights[risky.id].factors["open_cases"] == 1
    assert weights[risky.id].weight > weights[setting["units"][2].id].weight  # never visited: 3 years
    assert weights[setting["units"][1].id].weight < weights[setting["units"][2].id].weight  # visited lately
    # "Not inspected in 6 months" leaves out the unit visited two months ago.
    recent = {c.unit.id for c in candidate_pool(setting["team"], PoolFilters(not_inspected_months=6))}
    assert setting["units"][1].id not in recent and setting["units"][2].id in recent


def test_the_heavier_unit_is_drawn_more_often(db):
    pool = [[1, 10.0], [2, 1.0]]
    firsts = [sample(f"s{i}", pool, 1)[0] for i in range(400)]
    assert firsts.count(1) > 300


def test_filters_and_limits(db, make, setting):
    ward = make.unit(code="ward", kind=UnitKind.COMMUNE, district_id=setting["units"][3].id)
    only_district = candidate_pool(setting["team"], PoolFilters(district_id=setting["units"][3].id))
    assert {c.unit.code for c in only_district} == {"u03", "ward"}
    communes = candidate_pool(setting["team"], PoolFilters(kinds=(UnitKind.COMMUNE,)))
    assert [c.unit.id for c in communes] == [ward.id]
    with pytest.raises(Conflict):
        perform_draw(setting["team"], actor=setting["lan"], count=100, filters=PoolFilters())
    joint = make.team(setting["plan"], TeamKind.JOINT)
    with pytest.raises(InvalidInput):
        perform_draw(joint, actor=setting["lan"], count=1, filters=PoolFilters())
    # A second draw leaves out the units already drawn.
    first = perform_draw(setting["team"], actor=setting["lan"], count=20, filters=PoolFilters())
    second = perform_draw(setting["team"], actor=setting["lan"], count=5, filters=PoolFilters())
    assert not set(first.drawn_unit_ids) & set(second.drawn_unit_ids)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurpriseDraw)) == 2
    assert timedelta(0) <= second.created_at - first.created_at
