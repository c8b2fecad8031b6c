"""Scheduling rules: ask for a proposal, compute it (in a worker), move, approve.

Services flush and never commit. The pure scheduler and validator know nothing of the
database; `build_problem` is the one bridge between the models and them.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from inspections import policy
from inspections.audit.services import record
from inspections.auth.models import User
from inspections.db import utcnow
from inspections.errors import Conflict, InvalidInput
from inspections.events import VisitApproved, publish
from inspections.extensions import db
from inspections.i18n import local_day, local_moment, today
from inspections.listing import Order, Page, keyset_page
from inspections.plans.models import Plan
from inspections.scheduling.constraints import cross_team_gap
from inspections.scheduling.labels import GOALS, describe
from inspections.scheduling.models import (
    MemberAbsence,
    ProposalItem,
    ProposalStatus,
    ScheduleProposal,
    UnitBlackout,
)
from inspections.scheduling.problem import Infeasible, InspectionSpec, Issue, Placement, Problem, TeamSpec
from inspections.scheduling.scheduler import propose, soft_goal_breaks
from inspections.scheduling.validator import validate
from inspections.teams.models import Team
from inspections.visits.models import Inspection, InspectionKind, InspectionStatus, Slot, Visit, VisitStatus
from inspections.visits.services import visit_times
from inspections.workdays.calendar import load_calendar

ACTIVE = (ProposalStatus.QUEUED, ProposalStatus.RUNNING)
log = logging.getLogger(__name__)


class SoftGoalBroken(InvalidInput):
    """A move breaks a soft goal: allowed with a reason. The message names the goals."""

    def __init__(self, goals: list[str]) -> None:
        super().__init__(LazyString(_soft_goals_message, goals))
        self.goals = goals


def _soft_goals_message(goals: list[str]) -> str:
    names = ", ".join(str(GOALS[g]) for g in goals)
    return f"{_('This move breaks a scheduling goal; give a reason to keep it.')} ({names})"


def visit_placement(visit: Visit) -> Placement:
    return Placement(local_day(visit.starts_at), str(visit.slot))


def fixed_visit(inspection: Inspection) -> Visit | None:
    return next((v for v in inspection.visits if v.fixed and v.status != VisitStatus.CANCELLED), None)


def build_problem(plan: Plan, *, notice_on: date) -> Problem:
    """The plan's scheduling problem: every live inspection, visits fixed by hand as fixed."""
    teams = db.session.scalars(
        sa.select(Team).where(Team.plan_id == plan.id).options(selectinload(Team.memberships))
    ).all()
    inspections = db.session.scalars(
        sa.select(Inspection)
        .where(Inspection.plan_id == plan.id, Inspection.status != InspectionStatus.CANCELLED)
        .options(selectinload(Inspection.unit), selectinload(Inspection.visits))
    ).all()
    people = {m.user_id for t in teams for m in t.memberships}
    units = {i.unit_id for i in inspections}
    absences: dict[int, set[date]] = {}
    for user_id, day in db.session.execute(
        sa.select(MemberAbsence.user_id, MemberAbsence.day).where(MemberAbsence.user_id.in_(people))
    ):
        absences.setdefault(user_id, set()).add(day)
    blackouts: dict[int, set[date]] = {}
    for unit_id, day in db.session.execute(
        sa.select(UnitBlackout.unit_id, UnitBlackout.day).where(UnitBlackout.unit_id.in_(units))
    ):
        blackouts.setdefault(unit_id, set()).add(day)
    specs = []
    for i in inspections:
        visit = fixed_visit(i)
        specs.append(
            InspectionSpec(
                id=i.id,
                team_id=i.team_id,
                unit_id=i.unit_id,
                announced=i.kind == InspectionKind.JOINT,
                district_id=i.unit.district_id or i.unit.id,
                fixed=visit_placement(visit) if visit else None,
                unit_name=i.unit.name,
            )
        )
    return Problem(
        window_start=plan.window_start,
        window_end=plan.window_end,
        teams=tuple(
            TeamSpec(t.id, t.visits_per_day, frozenset(m.user_id for m in t.memberships), t.name)
            for t in teams
        ),
        inspections=tuple(specs),
        calendar=load_calendar(db.session),
        notice_on=notice_on,
        notice_working_days=plan.notice_working_days,
        cross_team_gap=cross_team_gap(plan),
        unit_blackouts={u: frozenset(d) for u, d in blackouts.items()},
        absences={p: frozenset(d) for p, d in absences.items()},
    )


def latest_proposal(plan: Plan) -> ScheduleProposal | None:
    return db.session.scalar(
        sa.select(ScheduleProposal)
        .where(ScheduleProposal.plan_id == plan.id)
        .order_by(ScheduleProposal.id.desc())
        .limit(1)
    )


def request_proposal(
    plan: Plan, *, actor: User | None, notice_on: date | None = None, seed: int | None = None
) -> ScheduleProposal:
    """Queue a proposal for the worker; the caller enqueues `scheduling.propose` after commit."""
    running = db.session.scalar(
        sa.select(ScheduleProposal.id).where(
            ScheduleProposal.plan_id == plan.id, ScheduleProposal.status.in_(ACTIVE)
        )
    )
    if running is not None:
        raise Conflict(_l("A schedule is already being proposed for this plan."))
    supersede_open_proposals(plan)
    proposal = ScheduleProposal(
        plan_id=plan.id,
        status=ProposalStatus.QUEUED,
        progress=0,
        seed=secrets.randbelow(2**31) if seed is None else seed,
        notice_on=notice_on or today(),
        reasons=[],
        requested_by_id=actor.id if actor else None,
    )
    db.session.add(proposal)
    db.session.flush()
    record(
        "schedule.request",
        actor=actor,
        object_type="schedule_proposal",
        object_id=proposal.id,
        after={"plan_id": plan.id, "seed": proposal.seed, "notice_on": proposal.notice_on},
    )
    return proposal


def claim_proposal(proposal_id: int) -> bool:
    """Take a queued proposal (once, even if the task is delivered twice)."""
    claimed = db.session.execute(
        sa.update(ScheduleProposal)
        .where(ScheduleProposal.id == proposal_id, ScheduleProposal.status == ProposalStatus.QUEUED)
        .values(status=ProposalStatus.RUNNING, progress=0)
    )
    return claimed.rowcount == 1


def progress_writer(proposal_id: int) -> Callable[[float], None]:
    """Writes progress on its own connection, so the page sees it while the run goes on."""
    shown = -1

    def write(fraction: float) -> None:
        nonlocal shown
        percent = min(99, int(fraction * 100))
        if percent < shown + 5:
            return
        shown = percent
        try:
            with db.engine.begin() as connection:
                connection.execute(
                    sa.update(ScheduleProposal)
                    .where(
                        ScheduleProposal.id == proposal_id, ScheduleProposal.status == ProposalStatus.RUNNING
                    )
                    .values(progress=percent)
                )
        except sa.exc.OperationalError:
            # Progress is only shown; a busy database must not stop the run itself.
            log.warning("progress of proposal %s not written", proposal_id, exc_info=True)

    return write


def compute_proposal(
    proposal_id: int, *, progress: Callable[[float], None] | None = None
) -> ScheduleProposal:
    """Run the scheduler for a claimed proposal: every date, or the reasons, never a part."""
    proposal = db.session.get(ScheduleProposal, proposal_id, populate_existing=True)
    if proposal is None or proposal.status != ProposalStatus.RUNNING:
        raise Conflict(_l("This proposal is not running."))
    plan = db.session.get(Plan, proposal.plan_id)
    problem = build_problem(plan, notice_on=proposal.notice_on)
    try:
        placements = propose(problem, seed=proposal.seed, progress=progress)
        violations = validate(problem, placements)
        if violations:  # a scheduler bug must not reach a coordinator as a valid schedule
            raise Infeasible(violations)
    except Infeasible as refusal:
        proposal.status = ProposalStatus.REFUSED
        proposal.reasons = [reason_row(problem, r) for r in refusal.reasons]
    else:
        fixed = {i.id for i in problem.inspections if i.fixed is not None}
        proposal.items = [
            ProposalItem(inspection_id=k, day=p.day, slot=Slot(p.slot))
            for k, p in sorted(placements.items())
            if k not in fixed
        ]
        proposal.status = ProposalStatus.READY
        proposal.reasons = []
    proposal.progress = 100
    proposal.finished_at = utcnow()
    db.session.flush()
    record(
        "schedule.proposed" if proposal.status == ProposalStatus.READY else "schedule.refused",
        actor=None,
        object_type="schedule_proposal",
        object_id=proposal.id,
        after={"status": proposal.status, "items": len(proposal.items), "reasons": proposal.reasons},
    )
    return proposal


def fail_proposal(proposal_id: int, error: str) -> None:
    db.session.execute(
        sa.update(ScheduleProposal)
        .where(ScheduleProposal.id == proposal_id, ScheduleProposal.status.in_(ACTIVE))
        .values(
            status=ProposalStatus.FAILED,
            reasons=[{"constraint": "error", "detail": error[:500]}],
            finished_at=utcnow(),
        )
    )


def reason_row(problem: Problem, issue: Issue) -> dict[str, object]:
    """An issue as stored: ids and the names a reader needs, resolved now."""
    row = issue.as_dict()
    if issue.team_id is not None:
        row["team"] = problem.team(issue.team_id).name
    names = {i.unit_id: i.unit_name for i in problem.inspections}
    if issue.unit_id is not None:
        row["unit"] = names.get(issue.unit_id, "")
    if issue.person_id is not None:
        user = db.session.get(User, issue.person_id)
        row["person"] = user.full_name if user else ""
    return row


def _placements(proposal: ScheduleProposal, problem: Problem) -> dict[int, Placement]:
    placements = {i.id: i.fixed for i in problem.inspections if i.fixed is not None}
    placements |= {item.inspection_id: Placement(item.day, str(item.slot)) for item in proposal.items}
    return placements


def _describe(issues: list[Issue], problem: Problem) -> str:
    return "; ".join(describe(reason_row(problem, i)) for i in issues[:5])


def move_item(item: ProposalItem, *, day: date, slot: Slot, actor: User, reason: str = "") -> ProposalItem:
    """Move one proposed visit. Hard constraints refuse; a broken soft goal needs a reason."""
    proposal = item.proposal
    if proposal.status != ProposalStatus.READY:
        raise Conflict(_l("Only a proposal waiting for review can be changed."))
    plan = db.session.get(Plan, proposal.plan_id)
    problem = build_problem(plan, notice_on=proposal.notice_on)
    placements = _placements(proposal, problem)
    new = Placement(day, str(slot))
    moved = placements | {item.inspection_id: new}
    already = set(validate(problem, placements))
    mine = [v for v in validate(problem, moved) if v not in already]
    if mine:
        raise InvalidInput(_l("This date breaks a rule: %(reasons)s", reasons=_describe(mine, problem)))
    goals = soft_goal_breaks(problem, placements, item.inspection_id, new)
    reason = reason.strip()
    if goals and not reason:
        raise SoftGoalBroken(goals)
    before = {"day": item.day, "slot": item.slot}
    item.day, item.slot = day, slot
    item.moved_reason = reason or None
    db.session.flush()
    record(
        "schedule.move",
        actor=actor,
        object_type="schedule_proposal_item",
        object_id=item.id,
        before=before,
        after={"day": day, "slot": slot, "reason": reason, "goals": goals},
    )
    return item


def approve_proposal(proposal: ScheduleProposal, *, actor: User) -> list[Visit]:
    """Fix every proposed visit and audit it; each fixed visit is announced as `VisitApproved`
    (announced ones get their schedule notice from that event's handler)."""
    # A conditional update: of two approvals at once, one wins and the other is refused.
    claimed = db.session.execute(
        sa.update(ScheduleProposal)
        .where(ScheduleProposal.id == proposal.id, ScheduleProposal.status == ProposalStatus.READY)
        .values(status=ProposalStatus.APPROVED)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise Conflict(_l("Only a proposal waiting for review can be approved."))
    plan = db.session.get(Plan, proposal.plan_id)
    # The notices go out now, not on the day the proposal was asked for.
    problem = build_problem(plan, notice_on=max(proposal.notice_on, today()))
    placements = _placements(proposal, problem)
    violations = validate(problem, placements)
    if violations:
        raise InvalidInput(
            _l(
                "The schedule no longer holds: %(reasons)s. Propose again.",
                reasons=_describe(violations, problem),
            )
        )
    visits = []
    for item in proposal.items:
        inspection = item.inspection
        starts_at, ends_at = visit_times(item.day, item.slot)
        visit = next((v for v in inspection.visits if v.status == VisitStatus.PROPOSED), None)
        if visit is None:
            visit = Visit(inspection=inspection, starts_at=starts_at, ends_at=ends_at, slot=item.slot)
            db.session.add(visit)
        visit.starts_at, visit.ends_at, visit.slot = starts_at, ends_at, item.slot
        visit.status = VisitStatus.APPROVED
        visit.fixed = True
        if inspection.status == InspectionStatus.ASSIGNED:
            inspection.status = InspectionStatus.SCHEDULED
        visits.append(visit)
    proposal.status = ProposalStatus.APPROVED
    proposal.approved_by_id = actor.id
    proposal.approved_at = utcnow()
    db.session.flush()
    record(
        "schedule.approve",
        actor=actor,
        object_type="schedule_proposal",
        object_id=proposal.id,
        after={
            "plan_id": plan.id,
            "visits": [
                {"visit_id": v.id, "inspection_id": v.inspection_id, "starts_at": v.starts_at} for v in visits
            ],
        },
    )
    for visit in visits:
        publish(VisitApproved(visit.id))
    return visits


def supersede_open_proposals(plan: Plan) -> None:
    db.session.execute(
        sa.update(ScheduleProposal)
        .where(ScheduleProposal.plan_id == plan.id, ScheduleProposal.status == ProposalStatus.READY)
        .values(status=ProposalStatus.SUPERSEDED)
    )


# --- calendars: one month (or week) at a time, bounded ---------------------------------------

# A calendar grid shows at most this many entries (two or three a working day: more are not
# read, and cost the page its speed); the list below it has them all, page by page.
GRID_LIMIT = 60
# Teams offered by a calendar's team filter.
MAX_TEAMS = 500


def _moments(first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC moments from the start of `first` to the start of the day after `last`,
    both days in Vietnam."""
    return local_moment(first, time(0)), local_moment(last + timedelta(days=1), time(0))


def _in_days(first: date, last: date) -> sa.ColumnElement[bool]:
    start, end = _moments(first, last)
    return sa.and_(Visit.starts_at >= start, Visit.starts_at < end)


def _of_team(team_id: int) -> sa.ColumnElement[bool]:
    return Visit.inspection_id.in_(sa.select(Inspection.id).where(Inspection.team_id == team_id))


_LOADED = (
    selectinload(Visit.inspection).selectinload(Inspection.unit),
    selectinload(Visit.inspection).selectinload(Inspection.team),
)
VISIT_SORTS: dict[str, sa.ColumnElement[Any]] = {"time": Visit.starts_at}


def calendar_query(viewer: User, first: date, last: date, team_id: int | None) -> sa.Select[tuple[Visit]]:
    """The viewer's calendar visits (`policy.calendar_visits`) between two days, of one team."""
    query = policy.calendar_visits(viewer).where(_in_days(first, last))
    if team_id is not None:
        query = query.where(_of_team(team_id))
    return query


def next_calendar_day(viewer: User, after: date, team_id: int | None) -> date | None:
    """The day of the viewer's first calendar visit after `after`: where an empty month
    points to (a plan's visits are often months away)."""
    query = policy.calendar_visits(viewer).where(Visit.starts_at >= _moments(after, after)[1])
    if team_id is not None:
        query = query.where(_of_team(team_id))
    first = db.session.scalar(query.with_only_columns(sa.func.min(Visit.starts_at)))
    return local_day(first) if first is not None else None


def calendar_grid(viewer: User, first: date, last: date, team_id: int | None) -> list[Visit]:
    """At most GRID_LIMIT + 1 visits for a grid (one more tells there are more)."""
    query = calendar_query(viewer, first, last, team_id)
    return list(
        db.session.scalars(query.options(*_LOADED).order_by(Visit.starts_at, Visit.id).limit(GRID_LIMIT + 1))
    )


def calendar_page(viewer: User, first: date, last: date, team_id: int | None, *, order: Order) -> Page[Visit]:
    """The same visits as a keyset page for the list under the grid."""
    query = calendar_query(viewer, first, last, team_id).options(*_LOADED)
    return keyset_page(query, order=order, sorts=VISIT_SORTS, id_column=Visit.id)


def calendar_teams(viewer: User, first: date, last: date) -> list[tuple[int, str]]:
    """The teams of the viewer's calendar visits between the days, for the team filter."""
    visits = calendar_query(viewer, first, last, None).with_only_columns(Visit.inspection_id)
    return list(
        db.session.execute(
            sa.select(Team.id, Team.name)
            .where(Team.id.in_(sa.select(Inspection.team_id).where(Inspection.id.in_(visits))))
            .order_by(Team.name, Team.id)
            .limit(MAX_TEAMS)
        ).tuples()
    )


def _inspections_of(plan_id: int, team_id: int | None) -> sa.Select[tuple[int]]:
    """The ids of the plan's inspections, of one team if given."""
    query = sa.select(Inspection.id).where(Inspection.plan_id == plan_id)
    return query if team_id is None else query.where(Inspection.team_id == team_id)


def _live_fixed(inspections: sa.Select[tuple[int]]) -> sa.Select[tuple[Visit]]:
    """The visits fixed by hand and not cancelled, of the live ones of these inspections."""
    live = inspections.where(Inspection.status != InspectionStatus.CANCELLED)
    return sa.select(Visit).where(
        Visit.inspection_id.in_(live), Visit.fixed.is_(True), Visit.status != VisitStatus.CANCELLED
    )


def _proposed_items(
    proposal: ScheduleProposal | None, inspections: sa.Select[tuple[int]]
) -> sa.Select[tuple[ProposalItem]] | None:
    """The proposal's items for these inspections, when the proposal is ready."""
    if proposal is None or proposal.status != ProposalStatus.READY:
        return None
    return sa.select(ProposalItem).where(
        ProposalItem.proposal_id == proposal.id, ProposalItem.inspection_id.in_(inspections)
    )


def team_first_day(proposal: ScheduleProposal | None, team: Team) -> date | None:
    """The team's first fixed or proposed day: where its calendar opens."""
    inspections = _inspections_of(team.plan_id, team.id)
    days = []
    first_visit = db.session.scalar(_live_fixed(inspections).with_only_columns(sa.func.min(Visit.starts_at)))
    if first_visit is not None:
        days.append(local_day(first_visit))
    items = _proposed_items(proposal, inspections)
    if items is not None:
        first_item = db.session.scalar(items.with_only_columns(sa.func.min(ProposalItem.day)))
        if first_item is not None:
            days.append(first_item)
    return min(days, default=None)


def plan_schedule(
    plan: Plan, proposal: ScheduleProposal | None, first: date, last: date, *, team_id: int | None = None
) -> tuple[list[Visit], list[ProposalItem]]:
    """The plan's (or one team's) fixed visits and proposed items between two days, each at
    most GRID_LIMIT: what the schedule's calendar shows. Only for those who may schedule the
    plan (`policy.can_schedule`): surprise dates are in it."""
    inspections = _inspections_of(plan.id, team_id)
    loaded = selectinload(Visit.inspection).selectinload(Inspection.unit)
    visits = list(
        db.session.scalars(
            _live_fixed(inspections)
            .where(_in_days(first, last))
            .options(loaded)
            .order_by(Visit.starts_at, Visit.id)
            .limit(GRID_LIMIT)
        )
    )
    items_query = _proposed_items(proposal, inspections)
    items = (
        list(
            db.session.scalars(
                items_query.where(ProposalItem.day >= first, ProposalItem.day <= last)
                .options(selectinload(ProposalItem.inspection).selectinload(Inspection.unit))
                .order_by(ProposalItem.day, ProposalItem.id)
                .limit(GRID_LIMIT)
            )
        )
        if items_query is not None
        else []
    )
    return visits, items


ITEM_SORTS: dict[str, sa.ColumnElement[Any]] = {"day": ProposalItem.day}


def team_items_page(
    proposal: ScheduleProposal | None, team_id: int, *, order: Order
) -> Page[ProposalItem] | None:
    """The team's proposed dates, page by page, to review and move; None without a ready proposal."""
    items = _proposed_items(proposal, sa.select(Inspection.id).where(Inspection.team_id == team_id))
    if items is None:
        return None
    items = items.options(
        selectinload(ProposalItem.inspection).selectinload(Inspection.unit),
        selectinload(ProposalItem.inspection).selectinload(Inspection.team),
    )
    return keyset_page(items, order=order, sorts=ITEM_SORTS, id_column=ProposalItem.id)
