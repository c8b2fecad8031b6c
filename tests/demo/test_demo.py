from __future__ import annotations

import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.auth.models import User
from inspections.cases.models import Case
from inspections.demo.services import load_demo
from inspections.plans.models import Plan, TargetKind
from inspections.teams.models import Team
from inspections.units.models import DivisionType, Unit, UnitKind


def _count(db, query):
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def test_demo_holds_the_facts_of_the_source_document(db):
    load_demo(password="demo password 1")
    db.session.commit()

    districts = sa.select(Unit).where(Unit.kind == UnitKind.DISTRICT)
    assert _count(db, districts) == 30
    for division, expected in (
        (DivisionType.URBAN_DISTRICT, 12),
        (DivisionType.RURAL_DISTRICT, 17),
        (DivisionType.TOWN, 1),
    ):
        assert _count(db, districts.where(Unit.division_type == division)) == expected
    assert db.session.scalar(sa.select(Unit.name).where(Unit.code == "tx-sontay")) == "Thị xã Sơn Tây"
    hospitals = sa.select(Unit).where(Unit.kind == UnitKind.PUBLIC_SERVICE)
    assert _count(db, hospitals) == 17
    assert _count(db, sa.select(Unit).where(Unit.kind == UnitKind.COMMUNE)) >= 3

    plan = db.session.scalar(sa.select(Plan).where(Plan.year == 2019))
    assert plan.title == "Kế hoạch kiểm tra công tác cải cách hành chính năm 2019"
    assert (
        plan.target(TargetKind.JOINT),
        plan.target(TargetKind.SURPRISE),
        plan.target(TargetKind.CASE),
    ) == (
        15,
        28,
        4,
    )
    assert _count(db, sa.select(Case).where(Case.plan_id == plan.id)) == 4

    teams = db.session.scalars(sa.select(Team)).all()
    assert {t.kind.value for t in teams} == {"joint", "public_service"}
    for team in teams:
        assert len({m.home_unit_id for m in team.memberships}) >= 2  # several departments

    usernames = set(db.session.scalars(sa.select(User.username)))
    assert {"admin", "coordinator", "leader.joint", "leader.surprise", "member", "observer"} <= usernames
    assert any(name.startswith("contact.") for name in usernames)


def test_loading_twice_changes_nothing(db):
    load_demo(password="demo password 1")
    db.session.commit()
    counts = [_count(db, sa.select(model)) for model in (Unit, User, Plan, Team, Case, AuditEvent)]

    report = load_demo(password="demo password 1")
    db.session.commit()

    assert report.created == {}
    assert counts == [_count(db, sa.select(model)) for model in (Unit, User, Plan, Team, Case, AuditEvent)]


def test_demo_command_prints_the_accounts(runner, db, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo password 2")
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "coordinator" in result.output and "demo password 2" in result.output

    monkeypatch.delenv("DEMO_PASSWORD")
    again = runner.invoke(args=["demo", "load"])
    assert "nothing new" in again.output
    assert "(unchanged)" in again.output


def test_demo_coordinator_can_log_in(client, login, db):
    load_demo(password="demo password 3")
    db.session.commit()
    assert login("coordinator", "demo password 3").status_code == 302


def test_demo_plan_has_its_joint_targets_assigned_and_its_surprise_targets_drawn(db):
    from inspections.assignments.draw import verify_draw
    from inspections.assignments.models import SurpriseDraw
    from inspections.plans.progress import plan_progress
    from inspections.visits.models import Inspection

    load_demo(password="demo password 4")
    db.session.commit()
    plan = db.session.scalar(sa.select(Plan).where(Plan.year == 2019))
    progress = {row.kind: (row.assigned, row.target) for row in plan_progress([plan])[plan.id]}
    assert progress[TargetKind.JOINT] == (15, 15)
    assert progress[TargetKind.SURPRISE] == (28, 28)
    draws = db.session.scalars(sa.select(SurpriseDraw)).all()
    assert all(verify_draw(draw).ok for draw in draws)
    # One draw for the 2019 plan and one for next year's copy, each committed once.
    assert len(draws) == 2
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "draw.commit")) == 2
    overrides = sa.select(Inspection).where(Inspection.conflict_override_reason.is_not(None))
    assert _count(db, overrides) == 0
