"""Who may see or do what: the one place for authorisation.

Views ask these functions before loading or changing anything; lists are built from the
`visible_*` queries so that a list can never show what a detail page would refuse.

Surprise secrecy: a surprise inspection (and its visit date) is known only to admins, the
plan's coordinators and the members of its team until the visit starts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import sqlalchemy as sa

from inspections.auth.models import Role, User
from inspections.db import utcnow
from inspections.plans.models import Plan, plan_coordinators
from inspections.teams.models import Membership, Team
from inspections.visits.models import Inspection, InspectionKind, Visit

STAFF_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.OBSERVER})


class Viewer(Protocol):
    """A logged-in `User` or Flask-Login's anonymous user."""

    is_authenticated: bool


def _user(viewer: Viewer) -> User | None:
    return viewer if isinstance(viewer, User) and viewer.is_authenticated else None


def has_role(viewer: Viewer, *roles: Role) -> bool:
    user = _user(viewer)
    return user is not None and user.role in roles


def _member_team_ids(user: User) -> sa.Select[tuple[int]]:
    return sa.select(Membership.team_id).where(Membership.user_id == user.id)


# --- plans -------------------------------------------------------------------------------


def can_view_plans(viewer: Viewer) -> bool:
    return has_role(viewer, *STAFF_ROLES, Role.INSPECTOR)


def visible_plans(viewer: Viewer) -> sa.Select[tuple[Plan]]:
    """Staff see every plan; inspectors the plans they hold a team seat in."""
    query = sa.select(Plan)
    user = _user(viewer)
    if user is None or not can_view_plans(user):
        return query.where(sa.false())
    if user.role in STAFF_ROLES:
        return query
    return query.where(Plan.id.in_(sa.select(Team.plan_id).where(Team.id.in_(_member_team_ids(user)))))


def can_view_plan(viewer: Viewer, plan: Plan) -> bool:
    user = _user(viewer)
    if user is None or not can_view_plans(user):
        return False
    if user.role in STAFF_ROLES:
        return True
    from inspections.extensions import db

    return db.session.scalar(
        sa.select(sa.exists().where(Team.plan_id == plan.id, Team.id.in_(_member_team_ids(user))))
    )


def can_manage_plans(viewer: Viewer) -> bool:
    return has_role(viewer, Role.ADMIN, Role.COORDINATOR)


# --- inspections and surprise secrecy ----------------------------------------------------


def _started_visit(now: datetime) -> sa.ColumnElement[bool]:
    return sa.exists().where(Visit.inspection_id == Inspection.id, Visit.starts_at <= now)


def visible_inspections(viewer: Viewer, *, now: datetime | None = None) -> sa.Select[tuple[Inspection]]:
    """Inspections the viewer may know of.

    Surprise inspections are hidden from everyone but admins, the plan's coordinators and
    the team until a visit has started; unit contacts see only their own unit's.
    """
    now = now or utcnow()
    query = sa.select(Inspection)
    user = _user(viewer)
    if user is None:
        return query.where(sa.false())
    if user.role == Role.ADMIN:
        return query
    announced = Inspection.kind == InspectionKind.JOINT
    surprise_ok = sa.or_(announced, _started_visit(now))
    own_team = Inspection.team_id.in_(_member_team_ids(user))
    coordinates_plan = Inspection.plan_id.in_(
        sa.select(plan_coordinators.c.plan_id).where(plan_coordinators.c.user_id == user.id)
    )
    if user.role == Role.UNIT_CONTACT:
        return query.where(Inspection.unit_id == user.home_unit_id, surprise_ok)
    if user.role in (Role.COORDINATOR, Role.OBSERVER):
        return query.where(sa.or_(surprise_ok, coordinates_plan, own_team))
    return query.where(own_team)


def can_see_surprise(viewer: Viewer, inspection: Inspection) -> bool:
    user = _user(viewer)
    if user is None:
        return False
    if user.role == Role.ADMIN:
        return True
    if user in inspection.plan.coordinators:
        return True
    return any(m.user_id == user.id for m in inspection.team.memberships)


# --- administration ----------------------------------------------------------------------


def can_view_audit(viewer: Viewer) -> bool:
    return has_role(viewer, Role.ADMIN)


def can_view_system_status(viewer: Viewer) -> bool:
    return has_role(viewer, Role.ADMIN)
