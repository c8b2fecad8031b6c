"""After approval: move or cancel a visit (re-validated, with a reason), a team head's proposed
move, member absences and the re-proposal of just the visits an absence hits.

Services flush and never commit. What the unit and the team are told (a change notice, a
cancellation, nothing for a surprise visit's unit) and which reminders are superseded is
decided by the reminders feature's handlers of `VisitMoved` and `VisitCancelled`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from inspections.audit.services import record, snapshot
from inspections.auth.models import User
from inspections.db import utcnow
from inspections.errors import Conflict, InvalidInput
from inspections.events import VisitCancelled, VisitMoved, publish
from inspections.extensions import db
from inspections.i18n import local_day, show_date, today
from inspections.plans.models import Plan
from inspections.scheduling.labels import describe
from inspections.scheduling.models import ChangeStatus, MemberAbsence, VisitChangeRequest
from inspections.scheduling.problem import COMPLETE, FIXED, NOTICE, Infeasible, Issue, Placement, Problem
from inspections.scheduling.scheduler import propose
from inspections.scheduling.services import build_problem, reason_row, visit_placement
from inspections.scheduling.validator import validate
from inspections.teams.models import Membership, Team
from inspections.visits.models import (
    CONFIRMED,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Slot,
    Visit,
    VisitStatus,
)
from inspections.visits.services import visit_times
from inspections.workdays.calendar import load_calendar

REASON_MAX = 500


class ShortNotice(InvalidInput):
    """The new time of an announced visit is inside the notice period: allowed once the
    mover confirms it (the change notice then says it is short notice, with the reason)."""


def _reason(text: str | None) -> str:
    reason = (text or "").strip()
    if not reason:
        raise InvalidInput(_l("Give the reason for the change: the unit and the team are told it."))
    if len(reason) > REASON_MAX:
        raise InvalidInput(_l("The reason is at most %(max)d characters.", max=REASON_MAX))
    return reason


def _changeable(visit: Visit) -> None:
    if visit.status != VisitStatus.APPROVED:
        raise Conflict(_l("Only an approved visit that has not started can be moved or cancelled."))
    if visit.inspection.status in (InspectionStatus.CONCLUDED, InspectionStatus.CANCELLED):
        raise Conflict(_l("This inspection is closed: its visits cannot change."))


def _problem_for(visit: Visit, on: date) -> tuple[Problem, dict[int, Placement]]:
    """The plan's problem with this visit standing for its inspection, and the placements of
    every visit fixed so far."""
    problem = build_problem(visit.inspection.plan, notice_on=on)
    # Every confirmed visit holds its team and people, fixed by hand or not.
    confirmed = {
        v.inspection_id: visit_placement(v)
        for v in db.session.scalars(
            sa.select(Visit)
            .join(Inspection, Inspection.id == Visit.inspection_id)
            .where(Inspection.plan_id == visit.inspection.plan_id, Visit.status.in_(CONFIRMED))
            .order_by(Visit.starts_at)
        )
    }
    confirmed[visit.inspection_id] = visit_placement(visit)
    problem = dataclasses.replace(
        problem,
        inspections=tuple(
            dataclasses.replace(i, fixed=confirmed[i.id])
            if i.id == visit.inspection_id or (i.fixed is None and i.id in confirmed)
            else i
            for i in problem.inspections
        ),
    )
    return problem, {i.id: i.fixed for i in problem.inspections if i.fixed is not None}


def _text(issues: list[Issue], problem: Problem) -> str:
    return "; ".join(describe(reason_row(problem, i)) for i in issues[:5])


def check_move(visit: Visit, *, day: date, slot: Slot, on: date | None = None) -> bool:
    """Refuse a new time that breaks a hard rule (working day, window, capacity, nobody in
    two places, blackout, absence, gap between teams); True when it is short notice."""
    on = on or today()
    if day <= on:
        raise InvalidInput(_l("%(day)s is not after today: choose a later day.", day=show_date(day)))
    new = Placement(day, str(slot))
    if new == visit_placement(visit):
        raise InvalidInput(_l("The visit is already at that time."))
    problem, placements = _problem_for(visit, on)
    moved = placements | {visit.inspection_id: new}
    already = set(validate(problem, placements))
    broken = [
        issue
        for issue in validate(problem, moved)
        if issue.constraint not in (NOTICE, FIXED, COMPLETE)
        and (issue not in already or issue.inspection_id == visit.inspection_id)
    ]
    if broken:
        raise InvalidInput(_l("This time breaks a rule: %(reasons)s", reasons=_text(broken, problem)))
    announced = visit.inspection.kind == InspectionKind.JOINT
    notice = visit.inspection.plan.notice_working_days
    return announced and load_calendar(db.session).working_days_between(on, day) < notice


def move_visit(
    visit: Visit,
    *,
    day: date,
    slot: Slot,
    reason: str,
    actor: User,
    accept_short_notice: bool = False,
    on: date | None = None,
) -> Visit:
    """Move an approved visit to another day or half-day, with a reason.

    Re-validated against every hard rule; a new time inside an announced visit's notice
    period needs `accept_short_notice`. The audit holds the time before and after.
    """
    _changeable(visit)
    reason = _reason(reason)
    short = check_move(visit, day=day, slot=slot, on=on)
    if short and not accept_short_notice:
        raise ShortNotice(
            _l(
                "%(day)s is less than %(n)d working days away: the unit gets short notice. "
                "Confirm the short notice to move the visit anyway.",
                day=show_date(day),
                n=visit.inspection.plan.notice_working_days,
            )
        )
    before = snapshot(visit, "starts_at", "ends_at", "slot", "sequence")
    old_starts_at = visit.starts_at
    visit.starts_at, visit.ends_at = visit_times(day, slot)
    visit.slot = slot
    visit.change_reason = reason
    db.session.flush()
    record(
        "visit.move",
        actor=actor,
        object_type="visit",
        object_id=visit.id,
        before=before,
        after=snapshot(visit, "starts_at", "ends_at", "slot", "sequence")
        | {"reason": reason, "short_notice": short},
    )
    publish(VisitMoved(visit.id, old_starts_at))
    return visit


def cancel_visit(visit: Visit, *, reason: str, actor: User) -> Visit:
    """Call off an approved visit, with a reason. An inspection left without a visit goes
    back to assigned, to be scheduled again."""
    _changeable(visit)
    reason = _reason(reason)
    before = snapshot(visit, "status", "starts_at")
    visit.status = VisitStatus.CANCELLED
    visit.cancelled_at = utcnow()
    visit.change_reason = reason
    inspection = visit.inspection
    if inspection.status == InspectionStatus.SCHEDULED and all(
        v.status == VisitStatus.CANCELLED for v in inspection.visits
    ):
        inspection.status = InspectionStatus.ASSIGNED
    db.session.execute(
        sa.update(VisitChangeRequest)
        .where(VisitChangeRequest.visit_id == visit.id, VisitChangeRequest.status == ChangeStatus.PENDING)
        .values(status=ChangeStatus.REFUSED, decided_by_id=actor.id, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    record(
        "visit.cancel",
        actor=actor,
        object_type="visit",
        object_id=visit.id,
        before=before,
        after=snapshot(visit, "status", "starts_at") | {"reason": reason},
    )
    publish(VisitCancelled(visit.id))
    return visit


# --- a team head proposes, the coordinator decides ---------------------------------------


def pending_request(visit: Visit) -> VisitChangeRequest | None:
    return db.session.scalar(
        sa.select(VisitChangeRequest).where(
            VisitChangeRequest.visit_id == visit.id, VisitChangeRequest.status == ChangeStatus.PENDING
        )
    )


def propose_move(visit: Visit, *, day: date, slot: Slot, reason: str, actor: User) -> VisitChangeRequest:
    """A team head asks to move a visit; nothing changes until the coordinator accepts."""
    _changeable(visit)
    reason = _reason(reason)
    if pending_request(visit) is not None:
        raise Conflict(_l("A move of this visit is already waiting for the coordinator."))
    short = check_move(visit, day=day, slot=slot)
    request = VisitChangeRequest(
        visit_id=visit.id, day=day, slot=slot, reason=reason, proposed_by_id=actor.id
    )
    db.session.add(request)
    db.session.flush()
    record(
        "visit.move_proposed",
        actor=actor,
        object_type="visit_change_request",
        object_id=request.id,
        before=snapshot(visit, "starts_at", "slot"),
        after={"visit_id": visit.id, "day": day, "slot": slot, "reason": reason, "short_notice": short},
    )
    return request


def decide_move(
    request: VisitChangeRequest, *, accept: bool, actor: User, accept_short_notice: bool = False
) -> VisitChangeRequest:
    """Accept (the visit moves, re-validated now) or refuse a proposed move, once."""
    claimed = db.session.execute(
        sa.update(VisitChangeRequest)
        .where(VisitChangeRequest.id == request.id, VisitChangeRequest.status == ChangeStatus.PENDING)
        .values(
            status=ChangeStatus.ACCEPTED if accept else ChangeStatus.REFUSED,
            decided_by_id=actor.id,
            decided_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise Conflict(_l("This proposed move has already been decided."))
    db.session.refresh(request)
    if accept:
        move_visit(
            request.visit,
            day=request.day,
            slot=request.slot,
            reason=request.reason,
            actor=actor,
            accept_short_notice=accept_short_notice,
        )
    record(
        "visit.move_decided",
        actor=actor,
        object_type="visit_change_request",
        object_id=request.id,
        after={"visit_id": request.visit_id, "accepted": accept},
    )
    return request


# --- member absences, and re-proposing the visits they hit --------------------------------


def plan_people(plan: Plan) -> list[User]:
    """The members of the plan's teams, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.id.in_(sa.select(Membership.user_id).join(Team).where(Team.plan_id == plan.id)))
            .order_by(User.full_name, User.id)
        )
    )


def plan_absences(plan: Plan, *, since: date | None = None) -> list[MemberAbsence]:
    people = sa.select(Membership.user_id).join(Team).where(Team.plan_id == plan.id)
    return list(
        db.session.scalars(
            sa.select(MemberAbsence)
            .where(MemberAbsence.user_id.in_(people), MemberAbsence.day >= (since or today()))
            .order_by(MemberAbsence.day, MemberAbsence.id)
            .limit(500)
        )
    )


def add_absence(plan: Plan, *, user_id: int, day: date, note: str, actor: User) -> MemberAbsence:
    if user_id not in {u.id for u in plan_people(plan)}:
        raise InvalidInput(_l("Choose a member of one of the plan's teams."))
    if day < today():
        raise InvalidInput(_l("%(day)s is in the past: choose a day from today on.", day=show_date(day)))
    note = (note or "").strip()[:255]
    exists = db.session.scalar(
        sa.select(MemberAbsence.id).where(MemberAbsence.user_id == user_id, MemberAbsence.day == day)
    )
    if exists is not None:
        raise Conflict(_l("This absence is already recorded."))
    absence = MemberAbsence(user_id=user_id, day=day, note=note)
    db.session.add(absence)
    db.session.flush()
    record(
        "absence.add",
        actor=actor,
        object_type="member_absence",
        object_id=absence.id,
        after={"user_id": user_id, "day": day, "note": note},
    )
    return absence


def remove_absence(plan: Plan, absence: MemberAbsence, *, actor: User) -> None:
    if absence.user_id not in {u.id for u in plan_people(plan)}:
        raise InvalidInput(_l("This absence is not of a member of the plan's teams."))
    record(
        "absence.remove",
        actor=actor,
        object_type="member_absence",
        object_id=absence.id,
        before={"user_id": absence.user_id, "day": absence.day, "note": absence.note},
    )
    db.session.delete(absence)
    db.session.flush()


def hit_visits(plan: Plan, *, on: date | None = None) -> list[Visit]:
    """The plan's approved visits still to come on a day a member of their team is away."""
    on = on or today()
    visits = db.session.scalars(
        sa.select(Visit)
        .join(Inspection, Inspection.id == Visit.inspection_id)
        .where(
            Inspection.plan_id == plan.id,
            Inspection.status.not_in([InspectionStatus.CONCLUDED, InspectionStatus.CANCELLED]),
            Visit.status == VisitStatus.APPROVED,
            Visit.starts_at > utcnow(),
        )
        .options(
            selectinload(Visit.inspection).selectinload(Inspection.unit),
            selectinload(Visit.inspection).selectinload(Inspection.team).selectinload(Team.memberships),
        )
        .order_by(Visit.starts_at, Visit.id)
    ).all()
    people = {m.user_id for v in visits for m in v.inspection.team.memberships}
    away: set[tuple[int, date]] = set(
        db.session.execute(
            sa.select(MemberAbsence.user_id, MemberAbsence.day).where(
                MemberAbsence.user_id.in_(people), MemberAbsence.day > on
            )
        ).tuples()
    )
    return [
        v
        for v in visits
        if any((m.user_id, local_day(v.starts_at)) in away for m in v.inspection.team.memberships)
    ]


@dataclass(frozen=True)
class Suggestion:
    visit: Visit
    day: date
    slot: Slot


def repropose(plan: Plan, *, on: date | None = None) -> list[Suggestion]:
    """New times for just the visits an absence hits, every other visit kept where it is
    (the scheduler's fixed visits): the fewest visits move. Infeasible → the reasons."""
    on = on or today()
    hit = hit_visits(plan, on=on)
    if not hit:
        raise InvalidInput(_l("No approved visit is hit by an absence."))
    full = build_problem(plan, notice_on=on)
    moving = {v.inspection_id: v for v in reversed(hit)}
    kept = {
        v.inspection_id: visit_placement(v)
        for v in db.session.scalars(
            sa.select(Visit)
            .join(Inspection, Inspection.id == Visit.inspection_id)
            .where(
                Inspection.plan_id == plan.id,
                Visit.status == VisitStatus.APPROVED,
                Visit.starts_at > utcnow(),
                Visit.id.not_in([v.id for v in hit]),
            )
        )
        if local_day(v.starts_at) > on
    }
    specs = []
    for spec in full.inspections:
        if spec.id in moving:
            specs.append(dataclasses.replace(spec, fixed=None))
        elif spec.id in kept:
            # Already told (or secret): its notice period is not asked again.
            specs.append(dataclasses.replace(spec, fixed=kept[spec.id], announced=False))
    problem = dataclasses.replace(
        full, inspections=tuple(specs), window_start=max(full.window_start, on + timedelta(days=1))
    )
    try:
        placements = propose(problem, rounds=1)
        violations = validate(problem, placements)
        if violations:
            raise Infeasible(violations)
    except Infeasible as refusal:
        raise InvalidInput(
            _l("No new time can be found: %(reasons)s", reasons=_text(refusal.reasons, problem))
        ) from None
    return [
        Suggestion(visit, placements[k].day, Slot(placements[k].slot))
        for k, visit in sorted(moving.items(), key=lambda kv: (kv[1].starts_at, kv[1].id))
    ]


def apply_moves(
    plan: Plan,
    moves: list[tuple[int, date, Slot]],
    *,
    reason: str,
    actor: User,
    accept_short_notice: bool = False,
) -> list[Visit]:
    """Move each listed visit of the plan (all or none: the caller commits once)."""
    if not moves:
        raise InvalidInput(_l("There is nothing to move."))
    moved = []
    for visit_id, day, slot in moves:
        visit = db.session.get(Visit, visit_id)
        if visit is None or visit.inspection.plan_id != plan.id:
            raise InvalidInput(_l("A visit of another plan cannot be moved here."))
        moved.append(
            move_visit(
                visit, day=day, slot=slot, reason=reason, actor=actor, accept_short_notice=accept_short_notice
            )
        )
    return moved
