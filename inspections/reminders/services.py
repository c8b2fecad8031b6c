"""A plan's reminder settings: the defaults until its coordinator changes them."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from inspections.audit.services import record
from inspections.auth.models import User
from inspections.errors import Conflict, InvalidInput
from inspections.extensions import db
from inspections.plans.models import Plan, PlanStatus
from inspections.reminders.models import PlanReminderSettings
from inspections.reminders.settings import DEFAULTS, ROW_SETTINGS, ReminderSettings


def _settings_of(row: PlanReminderSettings, notice_working_days: int) -> ReminderSettings:
    return ReminderSettings(
        notice_working_days=notice_working_days, **{name: getattr(row, name) for name in ROW_SETTINGS}
    )


def current_settings(plan: Plan) -> ReminderSettings:
    row = db.session.get(PlanReminderSettings, plan.id)
    if row is None:
        return dataclasses.replace(DEFAULTS, notice_working_days=plan.notice_working_days)
    return _settings_of(row, plan.notice_working_days)


def plans_with_settings() -> dict[int, ReminderSettings]:
    """The plans that have settings of their own; every other plan uses the defaults."""
    rows = db.session.execute(
        sa.select(PlanReminderSettings, Plan.notice_working_days).join(
            Plan, Plan.id == PlanReminderSettings.plan_id
        )
    )
    return {row.plan_id: _settings_of(row, notice) for row, notice in rows}


def set_reminder_settings(plan: Plan, wanted: ReminderSettings, *, actor: User) -> PlanReminderSettings:
    """Save a plan's reminder settings; the next run of the rules uses them."""
    if plan.status == PlanStatus.CLOSED:
        raise Conflict(_l("A closed plan cannot be changed."))
    refusal = wanted.refusal()
    if refusal is not None:
        raise InvalidInput(refusal)
    before = current_settings(plan)
    row = db.session.get(PlanReminderSettings, plan.id)
    if row is None:
        row = PlanReminderSettings(plan_id=plan.id)
        db.session.add(row)
    for name in ROW_SETTINGS:
        setattr(row, name, getattr(wanted, name))
    plan.notice_working_days = wanted.notice_working_days
    db.session.flush()
    if wanted != before:
        old, new = wanted.changes_from(before)
        record(
            "plan.reminder_settings",
            actor=actor,
            object_type="plan",
            object_id=plan.id,
            before=old,
            after=new,
        )
    return row
