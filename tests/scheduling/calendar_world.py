"""A plan with a ready proposal for the calendar tests (plain helpers, no fixtures: the
browser tests import them too).

A joint team of three units in one district and a surprise team of one unit; the days a
proposed item may move to are found by the scheduler's own checks, so the tests do not
guess at the working-day calendar.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from inspections.auth.models import Role
from inspections.extensions import db as _db
from inspections.i18n import today
from inspections.plans.models import Plan
from inspections.scheduling.models import ProposalItem, ProposalStatus, ScheduleProposal, UnitBlackout
from inspections.scheduling.problem import Placement
from inspections.scheduling.scheduler import soft_goal_breaks
from inspections.scheduling.services import _placements, build_problem, latest_proposal, request_proposal
from inspections.scheduling.validator import validate
from inspections.teams.models import TeamKind
from inspections.visits.models import Inspection
from workers.scheduling import propose_schedule


def build(make: Any, db: Any) -> dict[str, Any]:
    coordinator = make.user(Role.COORDINATOR)
    member = make.user(Role.INSPECTOR)  # of the surprise team
    joint_member = make.user(Role.INSPECTOR)  # of the joint team only
    start = today() + timedelta(days=21)
    plan = make.plan(window_start=start, window_end=start + timedelta(days=60), coordinators=[coordinator])
    joint = make.team(plan, TeamKind.JOINT, members=[joint_member])
    joint.visits_per_day = 2  # room on its days: an item can move without breaking a rule
    surprise = make.team(plan, TeamKind.PUBLIC_SERVICE, members=[member])
    district = make.unit(name="Quận Đống Đa")
    for n in range(3):
        make.inspection(joint, make.unit(name=f"Phường Láng {n}", district_id=district.id))
    secret_unit = make.unit(name="Trường Tiểu học Kim Liên")
    contact = make.user(Role.UNIT_CONTACT, home_unit_id=secret_unit.id)
    make.inspection(surprise, secret_unit)
    proposal = request_proposal(plan, actor=None, seed=11)
    db.session.commit()
    propose_schedule.apply(args=[proposal.id])
    db.session.expire_all()
    assert db.session.get(ScheduleProposal, proposal.id).status == ProposalStatus.READY
    return {
        "plan_id": plan.id,
        "joint_id": joint.id,
        "surprise_id": surprise.id,
        "coordinator": coordinator.username,
        "member": member.username,
        "joint_member": joint_member.username,
        "contact": contact.username,
    }


def items(team_id: int) -> list[ProposalItem]:
    return list(
        _db.session.scalars(
            sa.select(ProposalItem)
            .join(Inspection, Inspection.id == ProposalItem.inspection_id)
            .where(Inspection.team_id == team_id)
            .order_by(ProposalItem.day, ProposalItem.id)
        )
    )


def free_days(item: ProposalItem) -> list[date]:
    """Days of its month (other than its own) the item may move to, its half-day kept: no
    hard rule broken and no scheduling goal (which would ask for a reason)."""
    plan = _db.session.get(Plan, item.proposal.plan_id)
    proposal = latest_proposal(plan)
    problem = build_problem(plan, notice_on=proposal.notice_on)
    placements = _placements(proposal, problem)
    already = set(validate(problem, placements))
    month = item.day.replace(day=1)
    days = []
    day = month
    while day.month == month.month:
        new = Placement(day, str(item.slot))
        moved = placements | {item.inspection_id: new}
        if (
            day != item.day
            and not [v for v in validate(problem, moved) if v not in already]
            and not soft_goal_breaks(problem, placements, item.inspection_id, new)
        ):
            days.append(day)
        day += timedelta(days=1)
    return days


def movable(team_id: int) -> tuple[ProposalItem, list[date]]:
    """The team's first item that has a free day, with its free days."""
    for item in items(team_id):
        days = free_days(item)
        if days:
            return item, days
    raise AssertionError("no proposed item of the team can move")


def black_out(item: ProposalItem, day: date) -> None:
    """The item's unit cannot receive a team on `day`."""
    _db.session.add(UnitBlackout(unit_id=item.inspection.unit_id, day=day, note="Đại hội chi bộ"))
    _db.session.commit()
