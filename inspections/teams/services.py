"""Teams: set up by a decision, with members in team roles and their home units."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from inspections.audit.services import record, snapshot
from inspections.auth.models import Role, User
from inspections.errors import Conflict, InvalidInput
from inspections.extensions import db
from inspections.plans.models import Plan, PlanStatus
from inspections.teams.conflicts import conflicts_of_member
from inspections.teams.models import Membership, Team, TeamKind, TeamRole
from inspections.units.models import Unit
from inspections.visits.models import Inspection

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
