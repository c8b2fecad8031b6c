"""The schedule pages as a coordinator uses them: propose, watch progress, move, approve."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from inspections.auth.models import Role
from inspections.i18n import today
from inspections.scheduling.models import ProposalItem, ProposalStatus, ScheduleProposal
from inspections.teams.models import TeamKind
from inspections.visits.models import Visit, VisitStatus
from inspections.workdays.calendar import WorkCalendar
from tests.conftest import csrf_token
from workers.scheduling import propose_schedule

CAL = WorkCalendar()


@pytest.fixture
def plan_world(db, make):
    coordinator = make.user(Role.COORDINATOR)
    start = today() + timedelta(days=14)
    plan = make.plan(window_start=start, window_end=start + timedelta(days=50), coordinators=[coordinator])
    team = make.team(plan, TeamKind.JOINT, members=[make.user(Role.INSPECTOR)])
    district = make.unit(name="Quận Hoàn Kiếm")
    for n in range(3):
        make.inspection(team, make.unit(name=f"Phường Hàng {n}", district_id=district.id))
    db.session.commit()
    return {"plan_id": plan.id, "coordinator": coordinator.username, "team_id": team.id}


def _propose(client, world):
    path = f"/plans/{world['plan_id']}/schedule"
    return client.post(f"{path}/propose", data={"csrf_token": csrf_token(client, path)})


def test_coordinator_proposes_sees_progress_then_the_calendar_and_approves(plan_world, client, login, db):
    login(plan_world["coordinator"])
    path = f"/plans/{plan_world['plan_id']}/schedule"
    assert _propose(client, plan_world).status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "<progress" in page and 'http-equiv="refresh"' in page
    assert client.get(f"{path}/progress").get_json() == {"status": "queued", "progress": 0}

    proposal_id = db.session.scalar(sa.select(ScheduleProposal.id))
    propose_schedule.apply(args=[proposal_id])
    assert client.get(f"{path}/progress").get_json() == {"status": "ready", "progress": 100}
    page = client.get(path).get_data(as_text=True)
    assert "<progress" not in page
    assert page.count("Phường Hàng") >= 6  # in the month grid and in the list
    week = client.get(f"{path}?view=week&team={plan_world['team_id']}").get_data(as_text=True)
    assert "Phường Hàng" in week

    response = client.post(
        f"/schedule/proposals/{proposal_id}/approve", data={"csrf_token": csrf_token(client, path)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    visits = db.session.scalars(sa.select(Visit)).all()
    assert len(visits) == 3 and {v.status for v in visits} == {VisitStatus.APPROVED}


def test_a_refused_proposal_shows_its_reasons(db, make, client, login):
    coordinator = make.user(Role.COORDINATOR)
    plan = make.plan(window_start=date(2030, 3, 4), window_end=date(2030, 3, 5), coordinators=[coordinator])
    team = make.team(plan, TeamKind.PUBLIC_SERVICE, members=[make.user(Role.INSPECTOR)])
    for _ in range(6):
        make.inspection(team, make.unit())
    team.name = "Đoàn số 7"
    db.session.commit()
    login(coordinator.username)
    _propose(client, {"plan_id": plan.id})
    propose_schedule.apply(args=[db.session.scalar(sa.select(ScheduleProposal.id))])
    page = client.get(f"/plans/{plan.id}/schedule").get_data(as_text=True)
    assert "Đoàn số 7" in page and 'class="reasons"' in page


def test_moving_a_visit_far_away_asks_for_a_reason_then_keeps_it(plan_world, client, login, db):
    login(plan_world["coordinator"])
    _propose(client, plan_world)
    propose_schedule.apply(args=[db.session.scalar(sa.select(ScheduleProposal.id))])
    item = db.session.scalar(sa.select(ProposalItem).order_by(ProposalItem.day))
    far = CAL.add_working_days(item.day, 15)
    path = f"/plans/{plan_world['plan_id']}/schedule"
    data = {"csrf_token": csrf_token(client, path), "day": far.isoformat(), "slot": "afternoon"}
    client.post(f"/schedule/items/{item.id}/move", data=data)
    page = client.get(path).get_data(as_text=True)
    assert 'class="flash error' in page  # base.html adds Bootstrap's alert classes after it
    db.session.expire_all()
    assert db.session.get(ProposalItem, item.id).day != far
    client.post(f"/schedule/items/{item.id}/move", data=data | {"reason": "Đơn vị xin lùi lịch"})
    db.session.expire_all()
    moved = db.session.get(ProposalItem, item.id)
    assert (moved.day, moved.slot.value, moved.moved_reason) == (far, "afternoon", "Đơn vị xin lùi lịch")


def test_a_move_with_a_bad_date_changes_nothing(plan_world, client, login, db):
    login(plan_world["coordinator"])
    _propose(client, plan_world)
    propose_schedule.apply(args=[db.session.scalar(sa.select(ScheduleProposal.id))])
    item = db.session.scalar(sa.select(ProposalItem))
    path = f"/plans/{plan_world['plan_id']}/schedule"
    response = client.post(
        f"/schedule/items/{item.id}/move", data={"csrf_token": csrf_token(client, path), "day": "not a date"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ProposalItem, item.id).day == item.day
    assert db.session.get(ScheduleProposal, item.proposal_id).status == ProposalStatus.READY


def test_gap_and_unit_blackouts_are_kept_and_obeyed(plan_world, client, login, db):
    from inspections.scheduling.models import PlanScheduleSettings, UnitBlackout
    from inspections.visits.models import Inspection

    login(plan_world["coordinator"])
    path = f"/plans/{plan_world['plan_id']}/schedule"
    token = csrf_token(client, path)
    client.post(f"{path}/settings", data={"csrf_token": token, "cross_team_gap_days": "3"})
    assert db.session.get(PlanScheduleSettings, plan_world["plan_id"]).cross_team_gap_days == 3
    client.post(f"{path}/settings", data={"csrf_token": token, "cross_team_gap_days": "-1"})
    db.session.expire_all()
    assert db.session.get(PlanScheduleSettings, plan_world["plan_id"]).cross_team_gap_days == 3

    unit_id = db.session.scalar(sa.select(Inspection.unit_id).order_by(Inspection.id))
    window = [d for d in CAL.working_days_in(today(), today() + timedelta(days=80))]
    for day in window[:30]:
        client.post(
            f"{path}/blackouts", data={"csrf_token": token, "unit_id": str(unit_id), "day": day.isoformat()}
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UnitBlackout)) == 30
    _propose(client, plan_world)
    propose_schedule.apply(args=[db.session.scalar(sa.select(ScheduleProposal.id))])
    item = db.session.scalar(sa.select(ProposalItem).join(Inspection).where(Inspection.unit_id == unit_id))
    assert item.day > window[29]
