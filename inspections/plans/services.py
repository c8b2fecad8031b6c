"""Plans: create, edit, approve (targets lock), in progress from the first fixed visit, reopen
with a reason, close, copy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from inspections import policy
from inspections.audit.services import record, snapshot
from inspections.auth.models import User
from inspections.errors import Conflict, InvalidInput
from inspections.extensions import db
from inspections.labels import label
from inspections.listing import PAGE_SIZE, Order, Page, keyset_page
from inspections.plans.models import Plan, PlanStatus, PlanTarget, TargetKind
from inspections.teams.models import Membership, Team, TeamKind, TeamRole

_FIELDS = (
    "year",
    "title",
    "number",
    "issued_on",
    "window_start",
    "window_end",
    "content_areas",
    "notice_working_days",
    "status",
)


def _snapshot(plan: Plan) -> dict[str, Any]:
    return snapshot(plan, *_FIELDS) | {"targets": {t.kind.value: t.count for t in plan.targets}}


def _check(
    *, year: int, number: str | None, window_start: date, window_end: date, targets: dict[TargetKind, int]
) -> None:
    if window_end < window_start:
        raise InvalidInput(_l("The window must end on or after the day it starts."))
    if any(n < 0 for n in targets.values()):
        raise InvalidInput(_l("A target cannot be negative."))
    if not (window_start.year <= year <= window_end.year):
        raise InvalidInput(_l("The window must fall in the plan's year."))
    # Within a year either side: a window of 0001-01-01 to 9999-12-31 would be accepted by
    # the rule above, and every calendar and copy of the plan would then run off the dates.
    if window_start.year < year - 1 or window_end.year > year + 1:
        raise InvalidInput(_l("The window may reach at most one year before or after %(year)d.", year=year))


def _number_taken(number: str | None, year: int, plan_id: int | None) -> bool:
    if not number:
        return False
    query = sa.select(Plan.id).where(Plan.number == number, Plan.year == year)
    if plan_id is not None:
        query = query.where(Plan.id != plan_id)
    return db.session.scalar(query) is not None


def create_plan(
    *,
    actor: User,
    year: int,
    title: str,
    window_start: date,
    window_end: date,
    targets: dict[TargetKind, int],
    number: str | None = None,
    issued_on: date | None = None,
    content_areas: str = "",
    notice_working_days: int = 5,
    copied_from: Plan | None = None,
) -> Plan:
    """A draft plan; its author becomes one of its coordinators."""
    number = (number or "").strip() or None
    _check(year=year, number=number, window_start=window_start, window_end=window_end, targets=targets)
    if _number_taken(number, year, None):
        raise Conflict(
            _l("Another plan of %(year)d already has number %(number)s.", year=year, number=number)
        )
    plan = Plan(
        year=year,
        title=title.strip(),
        number=number,
        issued_on=issued_on,
        window_start=window_start,
        window_end=window_end,
        content_areas=content_areas.strip(),
        notice_working_days=notice_working_days,
        status=PlanStatus.DRAFT,
        created_by_id=actor.id,
        copied_from_id=copied_from.id if copied_from else None,
        targets=[PlanTarget(kind=k, count=targets.get(k, 0)) for k in TargetKind],
        coordinators=[actor],
    )
    db.session.add(plan)
    db.session.flush()
    after = _snapshot(plan) | {"copied_from": copied_from.id if copied_from else None}
    record("plan.create", actor=actor, object_type="plan", object_id=plan.id, after=after)
    return plan


def update_plan(
    plan: Plan,
    *,
    actor: User,
    title: str,
    window_start: date,
    window_end: date,
    targets: dict[TargetKind, int],
    number: str | None = None,
    issued_on: date | None = None,
    content_areas: str = "",
    notice_working_days: int = 5,
) -> None:
    """Change a plan. Once approved its targets are locked until it is reopened."""
    if plan.status == PlanStatus.CLOSED:
        raise Conflict(_l("A closed plan cannot be changed."))
    number = (number or "").strip() or None
    _check(year=plan.year, number=number, window_start=window_start, window_end=window_end, targets=targets)
    current = {t.kind: t.count for t in plan.targets}
    wanted = {k: targets.get(k, 0) for k in TargetKind}
    if plan.status != PlanStatus.DRAFT and any(current.get(k, 0) != n for k, n in wanted.items()):
        raise Conflict(_l("The targets of an approved plan are locked: reopen the plan to change them."))
    if _number_taken(number, plan.year, plan.id):
        raise Conflict(
            _l("Another plan of %(year)d already has number %(number)s.", year=plan.year, number=number)
        )
    before = _snapshot(plan)
    plan.title = title.strip()
    plan.number = number
    plan.issued_on = issued_on
    plan.window_start = window_start
    plan.window_end = window_end
    plan.content_areas = content_areas.strip()
    plan.notice_working_days = notice_working_days
    by_kind = {t.kind: t for t in plan.targets}
    for kind, count in wanted.items():
        if kind in by_kind:
            by_kind[kind].count = count
        else:
            plan.targets.append(PlanTarget(kind=kind, count=count))
    db.session.flush()
    after = _snapshot(plan)
    if after != before:
        record(
            "plan.update",
            actor=actor,
            object_type="plan",
            object_id=plan.id,
            before=before,
            after=after,
        )


def _transition(
    plan: Plan,
    *,
    actor: User | None,
    to: PlanStatus,
    allowed_from: tuple[PlanStatus, ...],
    action: str,
    **extra: Any,
) -> None:
    if plan.status not in allowed_from:
        raise Conflict(
            _l("This cannot be done to a plan that is %(status)s.", status=_status_label(plan.status))
        )
    before = {"status": plan.status.value}
    plan.status = to
    db.session.flush()
    record(
        action,
        actor=actor,
        object_type="plan",
        object_id=plan.id,
        before=before,
        after={"status": to.value, **extra},
    )


def _status_label(status: PlanStatus) -> str:
    return label(status).lower()


def approve_plan(plan: Plan, *, actor: User) -> None:
    _transition(
        plan, actor=actor, to=PlanStatus.APPROVED, allowed_from=(PlanStatus.DRAFT,), action="plan.approve"
    )


def start_plan(plan: Plan, *, actor: User | None = None) -> None:
    """An approved plan is in progress once its first visit is fixed; later ones change nothing."""
    if plan.status != PlanStatus.APPROVED:
        return
    _transition(
        plan, actor=actor, to=PlanStatus.IN_PROGRESS, allowed_from=(PlanStatus.APPROVED,), action="plan.start"
    )


def reopen_plan(plan: Plan, *, actor: User, reason: str) -> None:
    """Back to draft so its targets can change; the reason goes into the audit log."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_l("Give the reason for reopening the plan."))
    _transition(
        plan,
        actor=actor,
        to=PlanStatus.DRAFT,
        allowed_from=(PlanStatus.APPROVED, PlanStatus.IN_PROGRESS),
        action="plan.reopen",
        reason=reason,
    )


def close_plan(plan: Plan, *, actor: User) -> None:
    _transition(
        plan,
        actor=actor,
        to=PlanStatus.CLOSED,
        allowed_from=(PlanStatus.APPROVED, PlanStatus.IN_PROGRESS),
        action="plan.close",
    )


def copy_plan(source: Plan, *, actor: User, year: int | None = None) -> Plan:
    """Next year's draft: same content areas, targets and notice; dates moved by the years."""
    year = year or source.year + 1
    shift = year - source.year
    try:
        window_start, window_end = _shift(source.window_start, shift), _shift(source.window_end, shift)
    except (ValueError, OverflowError):  # a window saved before it was bounded
        raise InvalidInput(_l("The plan's window cannot be moved to %(year)d.", year=year)) from None
    title = (
        source.title.replace(str(source.year), str(year))
        if str(source.year) in source.title
        else source.title
    )
    return create_plan(
        actor=actor,
        year=year,
        title=title,
        window_start=window_start,
        window_end=window_end,
        targets={t.kind: t.count for t in source.targets},
        content_areas=source.content_areas,
        notice_working_days=source.notice_working_days,
        copied_from=source,
    )


def _shift(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- the lists: bounded keyset pages ---------------------------------------------------------

# The columns the plan list sorts on; the id breaks ties.
PLAN_SORTS: dict[str, sa.ColumnElement[Any]] = {
    "year": Plan.year,
    "title": Plan.title,
    "status": Plan.status,
}


def list_plans(
    viewer: User, *, year: int | None, status: PlanStatus | None, order: Order, size: int = PAGE_SIZE
) -> Page[Plan]:
    """One keyset page of the plans the viewer may see (`policy.visible_plans`)."""
    query = policy.visible_plans(viewer).options(selectinload(Plan.targets))
    if year is not None:
        query = query.where(Plan.year == year)
    if status is not None:
        query = query.where(Plan.status == status)
    return keyset_page(query, order=order, sorts=PLAN_SORTS, id_column=Plan.id, size=size)


# The columns a plan's team list sorts on.
TEAM_SORTS: dict[str, sa.ColumnElement[Any]] = {"name": Team.name, "kind": Team.kind}


@dataclass(frozen=True)
class TeamSummary:
    """A team on the plan page, collapsed: its size and its head, not its members."""

    team: Team
    members: int
    head: str | None


def plan_teams(
    plan: Plan, *, kind: TeamKind | None, q: str, order: Order, size: int = PAGE_SIZE
) -> Page[TeamSummary]:
    """One keyset page of the plan's teams, each with its number of members and its head
    (two aggregate queries for the page, whatever the size of the teams)."""
    query = sa.select(Team).where(Team.plan_id == plan.id)
    if kind is not None:
        query = query.where(Team.kind == kind)
    if q:
        escaped = q.replace("!", "!!").replace("%", "!%").replace("_", "!_")
        query = query.where(Team.name.ilike(f"%{escaped}%", escape="!"))
    page: Page[Any] = keyset_page(query, order=order, sorts=TEAM_SORTS, id_column=Team.id, size=size)
    ids = [t.id for t in page.rows]
    counts: dict[int, int] = {}
    heads: dict[int, str] = {}
    if ids:
        counts = dict(
            db.session.execute(
                sa.select(Membership.team_id, sa.func.count())
                .where(Membership.team_id.in_(ids))
                .group_by(Membership.team_id)
            ).all()
        )
        heads = dict(
            db.session.execute(
                sa.select(Membership.team_id, User.full_name)
                .join(User, User.id == Membership.user_id)
                .where(Membership.team_id.in_(ids), Membership.role == TeamRole.HEAD)
            ).all()
        )
    page.rows = [TeamSummary(t, counts.get(t.id, 0), heads.get(t.id)) for t in page.rows]
    return page
