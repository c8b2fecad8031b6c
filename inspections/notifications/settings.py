"""A plan's reminder settings: the offsets of the time-based rules, defaults until changed."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask_babel import lazy_gettext as _l

from inspections.audit.services import record
from inspections.auth.models import User
from inspections.errors import Conflict, InvalidInput
from inspections.extensions import db
from inspections.notifications.models import PlanReminderSettings
from inspections.notifications.reminders import DEFAULTS
from inspections.plans.models import Plan, PlanStatus

# (lowest, highest) allowed; the same bounds as the table's CHECK constraints.
TEAM_RANGE = (0, 30)
AFTER_RANGE = (1, 60)
NOTICE_RANGE = (0, 60)


@dataclass(frozen=True)
class ReminderSettings:
    """Every setting a coordinator sees on the page, in working days unless named."""

    notice_working_days: int
    team_reminder_first: int
    team_reminder_second: int
    unit_reminder: int
    findings_after: int
    conclusion_after: int
    conclusion_to_coordinator_after: int
    action_due_soon_days: int  # calendar days
    escalate_after: int
    digest_weekday: int  # 0 = Monday


_ROW_FIELDS = tuple(f for f in ReminderSettings.__dataclass_fields__ if f != "notice_working_days")


def current_settings(plan: Plan) -> ReminderSettings:
    row = db.session.get(PlanReminderSettings, plan.id)
    if row is None:
        first, second = DEFAULTS.team_reminders
        return ReminderSettings(
            notice_working_days=plan.notice_working_days,
            team_reminder_first=first,
            team_reminder_second=second,
            unit_reminder=DEFAULTS.unit_reminder,
            findings_after=DEFAULTS.findings_after,
            conclusion_after=DEFAULTS.conclusion_after,
            conclusion_to_coordinator_after=DEFAULTS.conclusion_to_coordinator_after,
            action_due_soon_days=DEFAULTS.action_due_soon_days,
            escalate_after=DEFAULTS.escalate_after,
            digest_weekday=DEFAULTS.digest_weekday,
        )
    return ReminderSettings(
        notice_working_days=plan.notice_working_days,
        **{name: getattr(row, name) for name in _ROW_FIELDS},
    )


def _check(wanted: ReminderSettings) -> None:
    def within(value: int, bounds: tuple[int, int]) -> bool:
        return bounds[0] <= value <= bounds[1]

    if not within(wanted.notice_working_days, NOTICE_RANGE):
        raise InvalidInput(_l("The notice period must be between 0 and 60 working days."))
    if not all(
        within(v, TEAM_RANGE)
        for v in (wanted.team_reminder_first, wanted.team_reminder_second, wanted.unit_reminder)
    ):
        raise InvalidInput(_l("Visit reminders must be between 0 and 30 working days before the visit."))
    after = (
        wanted.findings_after,
        wanted.conclusion_after,
        wanted.conclusion_to_coordinator_after,
        wanted.action_due_soon_days,
        wanted.escalate_after,
    )
    if not all(within(v, AFTER_RANGE) for v in after):
        raise InvalidInput(_l("Overdue and due-soon periods must be between 1 and 60 days."))
    if wanted.conclusion_to_coordinator_after < wanted.conclusion_after:
        raise InvalidInput(
            _l("The coordinator is told of a late conclusion on or after the team leader, not before.")
        )
    if not 0 <= wanted.digest_weekday <= 6:
        raise InvalidInput(_l("Choose a day of the week for the digest."))


def set_reminder_settings(plan: Plan, wanted: ReminderSettings, *, actor: User) -> PlanReminderSettings:
    """Save a plan's reminder settings; the next run of the rules uses them."""
    if plan.status == PlanStatus.CLOSED:
        raise Conflict(_l("A closed plan cannot be changed."))
    _check(wanted)
    before = current_settings(plan)
    row = db.session.get(PlanReminderSettings, plan.id)
    if row is None:
        row = PlanReminderSettings(plan_id=plan.id)
        db.session.add(row)
    for name in _ROW_FIELDS:
        setattr(row, name, getattr(wanted, name))
    plan.notice_working_days = wanted.notice_working_days
    db.session.flush()
    if wanted != before:
        changed = [k for k, v in asdict(wanted).items() if asdict(before)[k] != v]
        record(
            "plan.reminder_settings",
            actor=actor,
            object_type="plan",
            object_id=plan.id,
            before={k: asdict(before)[k] for k in changed},
            after={k: asdict(wanted)[k] for k in changed},
        )
    return row
