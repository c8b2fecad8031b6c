"""Proposals, the worker that makes them, moves and approval."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.auth.models import Role
from inspections.demo.services import load_demo
from inspections.errors import Conflict, InvalidInput
from inspections.i18n import today
from inspections.outbox.models import Notification
from inspections.plans.models import Plan
from inspections.scheduling.labels import CONSTRAINTS
from inspections.scheduling.models import MemberAbsence, ProposalStatus, ScheduleProposal
from inspections.scheduling.services import (
    SoftGoalBroken,
    approve_proposal,
    build_problem,
    claim_proposal,
    move_item,
    request_proposal,
)
from inspections.scheduling.validator import validate
from inspections.teams.models import Team, TeamKind
from inspections.units.models import Unit, UnitContact, UnitKind
from inspections.visits.models import Inspection, InspectionKind, InspectionStatus, Slot, Visit
from inspections.workdays.calendar import WorkCalendar
from workers.scheduling import propose_schedule

ROOT = Path(__file__).parents[2]
CAL = WorkCalendar()


@pytest.fixture
def in_request(app, db):
    """Domain errors translate their message, which needs a request (a user's language)."""
    with app.test_request_context():
        yield


def demo_plan(db) -> Plan:
    """The demo plan with its 15 joint and 28 surprise inspections (assigned here if the
    demo does not assign them itself)."""
    load_demo(password="demo password 1")
    plan = db.session.scalar(sa.select(Plan).where(Plan.year == 2019))
    has = db.session.scalar(sa.select(sa.func.count()).where(Inspection.plan_id == plan.id))
    if not has:
        teams = {t.kind: t for t in db.session.scalars(sa.select(Team).where(Team.plan_id == plan.id))}
        districts = db.session.scalars(
            sa.select(Unit).where(Unit.kind == UnitKind.DISTRICT).order_by(Unit.code).limit(15)
        ).all()
        others = db.session.scalars(
            sa.select(Unit)
            .where(Unit.kind.in_([UnitKind.PUBLIC_SERVICE, UnitKind.COMMUNE, UnitKind.DEPARTMENT]))
            .order_by(Unit.code)
            .limit(28)
        ).all()
        for unit in districts:
            db.session.add(
                Inspection(plan=plan, team=teams[TeamKind.JOINT], unit=unit, kind=InspectionKind.JOINT)
            )
        for unit in others:
            db.session.add(
                Inspection(
                    plan=plan, team=teams[TeamKind.PUBLIC_SERVICE], unit=unit, kind=InspectionKind.SURPRISE
                )
            )
    db.session.commit()
    return plan


def run_now(proposal: ScheduleProposal, db) -> ScheduleProposal:
    """What the worker does, in this process."""
    proposal_id = proposal.id
    db.session.commit()
    propose_schedule.apply(args=[proposal_id])
    db.session.expire_all()
    return db.session.get(ScheduleProposal, proposal_id)


def assert_demo_schedule(db, proposal: ScheduleProposal) -> None:
    plan = db.session.get(Plan, proposal.plan_id)
    assert proposal.status == ProposalStatus.READY, proposal.reasons
    assert proposal.progress == 100
    kinds = [item.inspection.kind for item in proposal.items]
    assert (kinds.count(InspectionKind.JOINT), kinds.count(InspectionKind.SURPRISE)) == (15, 28)
    for item in proposal.items:
        assert plan.window_start <= item.day <= plan.window_end
        assert item.day.weekday() < 5 and CAL.is_working_day(item.day)
        assert item.day != date(2019, 9, 2)  # National Day
        if item.inspection.kind == InspectionKind.JOINT:
            assert CAL.working_days_between(proposal.notice_on, item.day) >= 5
    problem = build_problem(plan, notice_on=proposal.notice_on)
    placements = {i.inspection_id: visit_placement_of(i) for i in proposal.items}
    assert validate(problem, placements) == []


def visit_placement_of(item):
    from inspections.scheduling.problem import Placement

    return Placement(item.day, str(item.slot))


def test_demo_plan_gets_dates_for_every_inspection_inside_the_window(db):
    plan = demo_plan(db)
    proposal = request_proposal(plan, actor=None, notice_on=date(2019, 3, 18), seed=2019)
    assert_demo_schedule(db, run_now(proposal, db))


def test_a_window_too_short_is_refused_with_reasons_and_schedules_nothing(db, make):
    leader = make.user(Role.INSPECTOR)
    plan = make.plan(window_start=date(2030, 3, 4), window_end=date(2030, 3, 6))
    team = make.team(plan, TeamKind.PUBLIC_SERVICE, members=[leader])
    for _ in range(5):
        make.inspection(team, make.unit())
    proposal = run_now(request_proposal(plan, actor=None, notice_on=date(2030, 3, 1)), db)
    assert proposal.status == ProposalStatus.REFUSED
    assert proposal.items == []
    assert proposal.reasons[0]["constraint"] == "capacity"
    assert proposal.reasons[0]["team"] == team.name
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Visit)) == 0


def test_every_member_away_is_refused_naming_team_and_unit(db, make):
    a, b = make.user(Role.INSPECTOR), make.user(Role.INSPECTOR)
    plan = make.plan(window_start=date(2030, 3, 4), window_end=date(2030, 3, 29))
    team = make.team(plan, TeamKind.JOINT, members=[a, b])
    unit = make.unit(name="Phường Điện Biên")
    make.inspection(team, unit)
    for person in (a, b):
        for day in CAL.working_days_in(plan.window_start, plan.window_end):
            db.session.add(MemberAbsence(user_id=person.id, day=day))
    proposal = run_now(request_proposal(plan, actor=None, notice_on=date(2030, 2, 20)), db)
    assert proposal.status == ProposalStatus.REFUSED
    assert [(r["constraint"], r["team"], r["unit"]) for r in proposal.reasons] == [
        ("absence", team.name, "Phường Điện Biên")
    ]


def test_a_second_request_while_one_runs_is_refused(db, make, in_request):
    plan = make.plan()
    request_proposal(plan, actor=None)
    with pytest.raises(Conflict):
        request_proposal(plan, actor=None)


def test_a_task_delivered_twice_computes_once(db, make):
    plan = make.plan()
    proposal = request_proposal(plan, actor=None)
    db.session.commit()
    assert claim_proposal(proposal.id)
    db.session.commit()
    assert not claim_proposal(proposal.id)


# --- moves and approval ------------------------------------------------------------------------


@pytest.fixture
def future_plan(db, make):
    coordinator = make.user(Role.COORDINATOR)
    start = today() + timedelta(days=14)
    plan = make.plan(window_start=start, window_end=start + timedelta(days=60), coordinators=[coordinator])
    joint = make.team(plan, TeamKind.JOINT, members=[make.user(Role.INSPECTOR)])
    surprise = make.team(plan, TeamKind.PUBLIC_SERVICE, members=[make.user(Role.INSPECTOR)])
    district = make.unit(name="Quận Ba Đình")
    units = [make.unit(name=f"Phường {n}", district_id=district.id) for n in range(4)]
    for unit in units:
        unit.contacts.append(UnitContact(name="Văn thư", email=f"{unit.code}@test.example"))
        make.inspection(joint, unit)
    make.inspection(surprise, make.unit(name="Bệnh viện X"))
    make.inspection(surprise, make.unit(name="Bệnh viện Y"))
    db.session.commit()
    return plan, coordinator


def ready_proposal(db, plan) -> ScheduleProposal:
    proposal = run_now(request_proposal(plan, actor=None), db)
    assert proposal.status == ProposalStatus.READY, proposal.reasons
    return proposal


def test_a_move_to_a_day_off_is_refused_and_nothing_changes(db, future_plan, in_request):
    plan, coordinator = future_plan
    proposal = ready_proposal(db, plan)
    item = proposal.items[0]
    before = (item.day, item.slot)
    sunday = item.day + timedelta(days=6 - item.day.weekday())
    with pytest.raises(InvalidInput) as refused:
        move_item(item, day=sunday, slot=Slot.MORNING, actor=coordinator)
    assert str(CONSTRAINTS["working_day"]) in str(refused.value.message)
    db.session.rollback()
    assert (item.day, item.slot) == before


def test_a_move_that_breaks_a_soft_goal_needs_a_reason(db, future_plan, in_request):
    plan, coordinator = future_plan
    proposal = ready_proposal(db, plan)
    joint = [i for i in proposal.items if i.inspection.kind == InspectionKind.JOINT]
    item = joint[0]
    far = CAL.add_working_days(max(i.day for i in proposal.items), 10)
    with pytest.raises(SoftGoalBroken) as asked:
        move_item(item, day=far, slot=Slot.MORNING, actor=coordinator)
    assert set(asked.value.goals) == {"district_grouping", "load_balance"}
    move_item(item, day=far, slot=Slot.MORNING, actor=coordinator, reason="Lãnh đạo đơn vị đi công tác")
    db.session.commit()
    assert item.day == far and item.moved_reason == "Lãnh đạo đơn vị đi công tác"
    assert (
        db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "schedule.move")).actor_id
        == coordinator.id
    )


def test_approval_fixes_visits_writes_notices_for_announced_only_and_is_audited(db, future_plan):
    plan, coordinator = future_plan
    proposal = ready_proposal(db, plan)
    visits = approve_proposal(proposal, actor=coordinator)
    db.session.commit()
    assert len(visits) == 6 and all(v.fixed for v in visits)
    assert {i.status for i in db.session.scalars(sa.select(Inspection))} == {InspectionStatus.SCHEDULED}
    notices = db.session.scalars(sa.select(Notification).where(Notification.kind == "schedule_notice")).all()
    assert len(notices) == 4  # one per announced visit's contact; surprise visits get none
    assert all("Bệnh viện" not in str(n.context) for n in notices)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "schedule.approve"))
    assert event.actor_id == coordinator.id and len(event.after["visits"]) == 6


def test_proposing_again_after_approval_touches_only_what_is_not_fixed(db, make, future_plan):
    plan, coordinator = future_plan
    approve_proposal(ready_proposal(db, plan), actor=coordinator)
    db.session.commit()
    fixed_before = {v.id: (v.starts_at, v.version) for v in db.session.scalars(sa.select(Visit))}
    team = db.session.scalar(sa.select(Team).where(Team.plan_id == plan.id, Team.kind == TeamKind.JOINT))
    late = make.inspection(team, make.unit(name="Phường mới"))
    db.session.commit()
    again = ready_proposal(db, plan)
    assert [i.inspection_id for i in again.items] == [late.id]
    assert {v.id: (v.starts_at, v.version) for v in db.session.scalars(sa.select(Visit))} == fixed_before
    taken = {
        (v.starts_at.date(), v.slot)
        for v in db.session.scalars(sa.select(Visit))
        if v.inspection.team_id == team.id
    }
    assert (again.items[0].day, again.items[0].slot) not in taken


# --- the real worker -----------------------------------------------------------------------------


def test_a_real_worker_proposes_the_demo_schedule(app, db, instance_dir, migrated):
    plan = demo_plan(db)
    proposal = request_proposal(plan, actor=None, notice_on=date(2019, 3, 18), seed=7)
    db.session.commit()
    queue = f"test-sched-{uuid.uuid4().hex[:8]}"
    env = os.environ | {
        "INSPECTIONS_INSTANCE": str(instance_dir),
        "DATABASE_URL": migrated,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "PYTHONPATH": str(ROOT),
    }
    log = instance_dir / f"{queue}.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "--pool=solo",
             "-Q", queue, "-n", f"{queue}@{socket.gethostname()}", "--without-mingle", "--without-gossip",
             "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        app.extensions["celery"].send_task("scheduling.propose", args=[proposal.id], queue=queue)
        deadline = time.monotonic() + 90
        status = ProposalStatus.QUEUED
        while status in (ProposalStatus.QUEUED, ProposalStatus.RUNNING) and time.monotonic() < deadline:
            time.sleep(0.5)
            db.session.rollback()
            status = db.session.scalar(
                sa.select(ScheduleProposal.status).where(ScheduleProposal.id == proposal.id)
            )
            assert worker.poll() is None, log.read_text()[-3000:]
        db.session.expire_all()
        done = db.session.get(ScheduleProposal, proposal.id)
        assert done.status == ProposalStatus.READY, log.read_text()[-3000:]
        assert_demo_schedule(db, done)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def test_progress_is_written_while_the_run_goes_on(db, make):
    from inspections.scheduling.services import progress_writer

    plan = make.plan()
    proposal = request_proposal(plan, actor=None)
    db.session.commit()
    assert claim_proposal(proposal.id)
    db.session.commit()
    write = progress_writer(proposal.id)
    write(0.42)
    write(0.44)  # too small a step to be worth a write
    db.session.rollback()
    assert (
        db.session.scalar(sa.select(ScheduleProposal.progress).where(ScheduleProposal.id == proposal.id))
        == 42
    )


def test_a_proposal_is_approved_once(db, future_plan, in_request):
    plan, coordinator = future_plan
    proposal = ready_proposal(db, plan)
    approve_proposal(proposal, actor=coordinator)
    db.session.commit()
    with pytest.raises(Conflict):
        approve_proposal(proposal, actor=coordinator)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Visit)) == 6
