"""Inputs of the scheduler that people keep per plan: the gap between two teams' visits to
one unit, and the days a unit cannot receive a team (the working-day calendar itself is in
`inspections.workdays`)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from inspections.audit.services import record
from inspections.auth.models import User
from inspections.errors import InvalidInput
from inspections.extensions import db
from inspections.plans.models import Plan
from inspections.scheduling.models import PlanScheduleSettings, UnitBlackout
from inspections.units.models import Unit
from inspections.visits.models import Inspection

DEFAULT_CROSS_TEAM_GAP = 1


def cross_team_gap(plan: Plan) -> int:
    settings = db.session.get(PlanScheduleSettings, plan.id)
    return settings.cross_team_gap_days if settings else DEFAULT_CROSS_TEAM_GAP


def set_cross_team_gap(plan: Plan, *, days: int, actor: User) -> PlanScheduleSettings:
    if days < 0:
        raise InvalidInput(_l("The gap cannot be negative."))
    settings = db.session.get(PlanScheduleSettings, plan.id)
    before = {"cross_team_gap_days": settings.cross_team_gap_days} if settings else None
    if settings is None:
        settings = PlanScheduleSettings(plan_id=plan.id)
        db.session.add(settings)
    settings.cross_team_gap_days = days
    db.session.flush()
    record(
        "schedule.settings",
        actor=actor,
        object_type="plan",
        object_id=plan.id,
        before=before,
        after={"cross_team_gap_days": days},
    )
    return settings


def _plan_unit_ids(plan: Plan) -> sa.Select[tuple[int]]:
    return sa.select(Inspection.unit_id).where(Inspection.plan_id == plan.id)


def plan_units(plan: Plan) -> list[tuple[int, str]]:
    """The units inspected under the plan, as (id, name): those that may get a blackout."""
    return list(
        db.session.execute(
            sa.select(Unit.id, Unit.name).where(Unit.id.in_(_plan_unit_ids(plan))).order_by(Unit.name)
        ).tuples()
    )


def plan_blackouts(plan: Plan) -> list[tuple[UnitBlackout, str]]:
    """The unavailable days of the plan's units, with the unit's name, by date."""
    return list(
        db.session.execute(
            sa.select(UnitBlackout, Unit.name)
            .join(Unit, Unit.id == UnitBlackout.unit_id)
            .where(UnitBlackout.unit_id.in_(_plan_unit_ids(plan)))
            .order_by(UnitBlackout.day)
        ).tuples()
    )


def add_unit_blackout(plan: Plan, *, unit_id: int, day: date, note: str, actor: User) -> UnitBlackout:
    """A day a unit of this plan cannot receive a team."""
    in_plan = db.session.scalar(
        sa.select(sa.exists().where(Inspection.plan_id == plan.id, Inspection.unit_id == unit_id))
    )
    if not in_plan:
        raise InvalidInput(_l("This unit is not inspected under this plan."))
    exists = db.session.scalar(
        sa.select(UnitBlackout).where(UnitBlackout.unit_id == unit_id, UnitBlackout.day == day)
    )
    if exists is not None:
        return exists
    blackout = UnitBlackout(unit_id=unit_id, day=day, note=note)
    db.session.add(blackout)
    db.session.flush()
    record(
        "unit_blackout.add",
        actor=actor,
        object_type="unit",
        object_id=unit_id,
        after={"day": day, "note": note, "plan_id": plan.id},
    )
    return blackout
