"""Teams: set up by a decision, with members in team roles and their home units."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager, selectinload

from inspections import policy
from inspections.audit.services import record, snapshot
from inspections.auth.models import Role, User
from inspections.errors import Conflict, InvalidInput
from inspections.extensions import db
from inspections.listing import PAGE_SIZE, Order, Page, keyset_page
from inspections.plans.models import Plan, PlanStatus
from inspections.teams.conflicts import conflicts_of_member
from inspections.teams.models import Membership, Team, TeamKind, TeamRole
from inspections.units.models import Unit
from inspections.units.services import search_key
from inspections.visits.models import Inspection, InspectionStatus

_FIELDS = ("plan_id", "name", "kind", "decision_number", "decision_date", "decision_signer", "visits_per_day")


def create_team(
    plan: Plan,
    *,
    actor: User,
    name: str,
    kind: TeamKind,
    decision_number: str | None = None,
    decision_date: date | None = None,
    decision_signer: str | None = None,
    visits_per_day: int = 1,
) -> Team:
    if plan.status == PlanStatus.CLOSED:
        raise Conflict(_l("The plan is closed."))
    name = name.strip()
    if db.session.scalar(sa.select(Team.id).where(Team.plan_id == plan.id, Team.name == name)):
        raise Conflict(_l("This plan already has a team named %(name)s.", name=name))
    if visits_per_day < 1:
        raise InvalidInput(_l("A team makes at least one visit a day."))
    team = Team(
        plan=plan,
        name=name,
        kind=kind,
        decision_number=(decision_number or "").strip() or None,
        decision_date=decision_date,
        decision_signer=(decision_signer or "").strip() or None,
        visits_per_day=visits_per_day,
    )
    db.session.add(team)
    db.session.flush()
    record(
        "team.create",
        actor=actor,
        object_type="team",
        object_id=team.id,
        after=snapshot(team, *_FIELDS),
    )
    return team


def add_member(
    team: Team, *, actor: User, user: User, role: TeamRole, home_unit: Unit | None = None
) -> tuple[Membership, list[Inspection]]:
    """Seat a person on the team; returns the team's assignments that now conflict.

    A person may sit on several teams; the home unit is kept as at appointment.
    """
    if user.role == Role.UNIT_CONTACT:
        raise InvalidInput(_l("A unit contact cannot sit on an inspection team."))
    home = home_unit or user.home_unit
    if home is None:
        raise InvalidInput(_l("Give the member's home unit."))
    if any(m.user_id == user.id for m in team.memberships):
        raise Conflict(_l("%(name)s is already on this team.", name=user.full_name))
    if role == TeamRole.HEAD and any(m.role == TeamRole.HEAD for m in team.memberships):
        raise Conflict(_l("The team already has a head."))
    membership = Membership(team=team, user=user, role=role, home_unit_id=home.id)
    db.session.add(membership)
    db.session.flush()
    conflicts = conflicts_of_member(membership)
    record(
        "team.add_member",
        actor=actor,
        object_type="team",
        object_id=team.id,
        after={
            "user": user.id,
            "role": role.value,
            "home_unit": home.code,
            "new_conflicts": [i.id for i in conflicts],
        },
    )
    return membership, conflicts


def remove_member(membership: Membership, *, actor: User) -> None:
    team = membership.team
    before = {"user": membership.user_id, "role": membership.role.value, "home_unit": membership.home_unit_id}
    team.memberships.remove(membership)
    db.session.flush()
    record("team.remove_member", actor=actor, object_type="team", object_id=team.id, before=before)


# --- the lists: members and assigned units, bounded -----------------------------------------

# Heads first, then deputies, secretaries and members.
_ROLE_RANK = sa.case(
    (Membership.role == TeamRole.HEAD, 0),
    (Membership.role == TeamRole.DEPUTY, 1),
    (Membership.role == TeamRole.SECRETARY, 2),
    else_=3,
)
# The columns the member list sorts on; the membership's id breaks ties.
MEMBER_SORTS: dict[str, sa.ColumnElement[Any]] = {
    "role": _ROLE_RANK,
    "name": User.full_name,
    "unit": Unit.search_name,
}


def list_members(team: Team, *, order: Order, size: int = PAGE_SIZE) -> Page[Membership]:
    """One keyset page of the team's members, with their user and home unit (no N+1)."""
    query = (
        sa.select(Membership)
        .where(Membership.team_id == team.id)
        .join(User, User.id == Membership.user_id)
        .join(Unit, Unit.id == Membership.home_unit_id)
        .options(contains_eager(Membership.user), contains_eager(Membership.home_unit))
    )
    return keyset_page(query, order=order, sorts=MEMBER_SORTS, id_column=Membership.id, size=size)


# The columns the team's list of assigned units sorts on.
INSPECTION_SORTS: dict[str, sa.ColumnElement[Any]] = {
    "code": Unit.code,
    "unit": Unit.search_name,
    "status": Inspection.status,
}


def list_inspections(
    viewer: User,
    team: Team,
    *,
    status: InspectionStatus | None,
    q: str,
    order: Order,
    size: int = PAGE_SIZE,
) -> Page[Inspection]:
    """One keyset page of the team's inspections the viewer may know of
    (`policy.visible_inspections`: a surprise one is hidden from outsiders until it starts)."""
    query = (
        policy.visible_inspections(viewer)
        .where(Inspection.team_id == team.id)
        .join(Unit, Unit.id == Inspection.unit_id)
        .options(contains_eager(Inspection.unit))
    )
    if status is not None:
        query = query.where(Inspection.status == status)
    if q:
        escaped = search_key(q).replace("!", "!!").replace("%", "!%").replace("_", "!_")
        query = query.where(sa.or_(Unit.search_name.like(f"%{escaped}%", escape="!"), Unit.code == q))
    return keyset_page(query, order=order, sorts=INSPECTION_SORTS, id_column=Inspection.id, size=size)


# --- suggestions for the pickers (inspections/static/pickers.js) ----------------------------

# A picker shows at most this many suggestions: the person types more to narrow them down.
SUGGESTIONS = 20
# Teams a user may assign to are few (their plans' teams); the text match on them runs here,
# accent-free, over at most this many.
_TEAM_SCAN = 500


def _like(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def suggest_people(viewer: User, team: Team, q: str, *, limit: int = SUGGESTIONS) -> list[User]:
    """People `viewer` may seat on `team` (`policy.team_candidates`) whose username or email
    starts with `q`, or whose name holds it; exact usernames first."""
    q = q.strip().lower()
    if not q:
        return []
    pattern = _like(q)
    query = (
        policy.team_candidates(viewer, team)
        .where(
            sa.or_(
                sa.func.lower(User.username).like(f"{pattern}%", escape="!"),
                sa.func.lower(User.email).like(f"{pattern}%", escape="!"),
                sa.func.lower(User.full_name).like(f"%{pattern}%", escape="!"),
            )
        )
        .where(User.id.not_in(sa.select(Membership.user_id).where(Membership.team_id == team.id)))
        .options(selectinload(User.home_unit))
        .order_by(sa.case((sa.func.lower(User.username) == q, 0), else_=1), User.full_name, User.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def suggest_teams(viewer: User, q: str, *, limit: int = SUGGESTIONS) -> list[Team]:
    """Teams `viewer` may assign units to (`policy.assignable_teams`) whose name or plan's
    title holds `q` (accent-free); the newest plan's first. An empty `q`: the first ones."""
    key = search_key(q)
    query = (
        policy.assignable_teams(viewer)
        .options(contains_eager(Team.plan))
        .order_by(Plan.year.desc(), Plan.id.desc(), Team.id)
        .limit(_TEAM_SCAN)
    )
    found = [t for t in db.session.scalars(query) if key in search_key(f"{t.name} {t.plan.title}")]
    return found[:limit]
