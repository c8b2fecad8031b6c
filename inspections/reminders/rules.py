"""Time-based rules: reminders, overdue notices, escalations, the weekly digest.

`schedule_due(now)` runs every minute (beat, `reminders.schedule_due`). Each rule looks at
the state now and writes the rows that should exist by now; the idempotency keys make a
second run (or two beats at once) write nothing new, and a missed minute, hour or day is
caught up on the next run. The rows carry the dates they speak of, and the dispatcher
checks them again when it sends (`kinds.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from inspections import policy
from inspections.auth.models import User
from inspections.extensions import db
from inspections.findings.models import Finding
from inspections.i18n import local_day
from inspections.outbox.services import enqueue
from inspections.plans.models import Plan, PlanStatus
from inspections.remediation.models import ActionStatus, CorrectiveAction
from inspections.reminders import kinds
from inspections.reminders.notices import visit_context, visit_day, visit_ref
from inspections.reminders.services import plans_with_settings
from inspections.reminders.settings import DEFAULTS, ReminderSettings
from inspections.teams.models import Membership, Team
from inspections.units.models import Unit, UnitContact
from inspections.visits.models import (
    CONFIRMED,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Visit,
    VisitStatus,
)
from inspections.workdays.calendar import WorkCalendar, load_calendar

LOOKBACK_DAYS = 120  # calendar days of past visits and actions worth a look


@dataclass(frozen=True)
class RuleBook:
    """The settings of the plans that have their own; every other plan (and an action not
    tied to a plan) follows `default`."""

    plans: Mapping[int, ReminderSettings] = field(default_factory=dict)
    default: ReminderSettings = DEFAULTS

    def of(self, plan_id: int | None) -> ReminderSettings:
        return self.plans.get(plan_id, self.default) if plan_id is not None else self.default

    def widest(self, pick: Callable[[ReminderSettings], int]) -> int:
        """The largest value any plan uses: how far ahead or back a query must look."""
        return max(pick(rules) for rules in (self.default, *self.plans.values()))


def load_rule_book() -> RuleBook:
    return RuleBook(plans=plans_with_settings())


def _user_row(key: str, kind: str, user: User, context: dict[str, object], **kw: object) -> int:
    if not user.active:
        return 0
    row = enqueue(
        key=key,
        kind=kind,
        email=user.email,
        name=user.full_name,
        language=user.language,
        context=context,
        user_id=user.id,
        **kw,  # type: ignore[arg-type]
    )
    return row is not None


def _contact_row(key: str, kind: str, contact: UnitContact, context: dict[str, object], **kw: object) -> int:
    if not contact.active:
        return 0
    row = enqueue(
        key=key,
        kind=kind,
        email=contact.email,
        name=contact.name,
        language=contact.language,
        context=context,
        user_id=contact.user_id,
        contact_id=contact.id,
        **kw,  # type: ignore[arg-type]
    )
    return row is not None


def _heads(team: Team) -> list[User]:
    return [team.head.user] if team.head else []


def _visits(where: sa.ColumnElement[bool]) -> list[Visit]:
    return list(
        db.session.scalars(
            sa.select(Visit)
            .join(Inspection)
            .where(where, Inspection.status != InspectionStatus.CANCELLED)
            .options(
                selectinload(Visit.inspection).selectinload(Inspection.unit).selectinload(Unit.contacts),
                selectinload(Visit.inspection)
                .selectinload(Inspection.team)
                .selectinload(Team.memberships)
                .selectinload(Membership.user),
                selectinload(Visit.inspection).selectinload(Inspection.plan).selectinload(Plan.coordinators),
            )
        )
    )


def visit_reminders(now: datetime, cal: WorkCalendar, book: RuleBook | None = None) -> int:
    """T-3 and T-1 to the team; T-1 to the unit's contacts, for announced visits only."""
    book = book if book is not None else load_rule_book()
    today = local_day(now)
    ahead = book.widest(lambda r: max(*r.team_reminders, r.unit_reminder))
    horizon = now + timedelta(days=ahead * 3 + 10)
    written = 0
    for visit in _visits(
        sa.and_(
            Visit.status == VisitStatus.APPROVED,
            Visit.starts_at > now,
            Visit.starts_at <= horizon,
        )
    ):
        rules = book.of(visit.inspection.plan_id)
        left = cal.working_days_between(today, local_day(visit.starts_at))
        context = visit_context(visit) | {"working_days_before": left}
        day = visit_day(visit)
        # The reminder of the nearest step not yet passed: a visit approved two days
        # ahead gets its T-1, not a late T-3 as well.
        due_step = next((s for s in sorted(rules.team_reminders) if left <= s), None)
        if due_step is not None:
            for member in visit.inspection.team.memberships:
                written += _user_row(
                    f"visit:{visit_ref(visit)}:T-{due_step}:user:{member.user_id}:{day}",
                    kinds.VISIT_REMINDER,
                    member.user,
                    context | {"audience": "team"},
                    deadline_at=visit.starts_at,
                    object_type="visit",
                    object_id=visit.id,
                )
        if visit.inspection.kind == InspectionKind.JOINT and left <= rules.unit_reminder:
            for contact in visit.inspection.unit.contacts:
                written += _contact_row(
                    f"visit:{visit_ref(visit)}:T-{rules.unit_reminder}:contact:{contact.id}:{day}",
                    kinds.VISIT_REMINDER,
                    contact,
                    context | {"audience": "unit"},
                    deadline_at=visit.starts_at,
                    object_type="visit",
                    object_id=visit.id,
                )
    return written


def findings_and_conclusions(now: datetime, cal: WorkCalendar, book: RuleBook | None = None) -> int:
    """Findings not recorded 2 working days after a visit; no conclusion after 15 (then 20)."""
    book = book if book is not None else load_rule_book()
    today = local_day(now)
    written = 0
    has_findings = sa.exists().where(Finding.visit_id == Visit.id)
    for visit in _visits(
        sa.and_(
            Visit.status.in_(CONFIRMED),
            Visit.ends_at <= now,
            Visit.ends_at >= now - timedelta(days=LOOKBACK_DAYS),
            Inspection.status != InspectionStatus.CONCLUDED,
        )
    ):
        after = cal.working_days_between(local_day(visit.starts_at), today)
        inspection = visit.inspection
        rules = book.of(inspection.plan_id)
        context = visit_context(visit) | {"working_days_after": after}
        day = visit_day(visit)
        common = {"object_type": "visit", "object_id": visit.id}
        recorded = db.session.scalar(sa.select(has_findings.where(Visit.id == visit.id)))
        if after >= rules.findings_after and not recorded:
            for head in _heads(inspection.team):
                written += _user_row(
                    f"visit:{visit_ref(visit)}:findings_overdue:user:{head.id}:{day}",
                    kinds.FINDINGS_OVERDUE,
                    head,
                    context,
                    **common,
                )
        if visit is not inspection.visits[-1]:
            continue  # the conclusion follows the last visit
        if after >= rules.conclusion_after:
            for head in _heads(inspection.team):
                written += _user_row(
                    f"visit:{visit_ref(visit)}:conclusion_overdue:user:{head.id}:{day}",
                    kinds.CONCLUSION_OVERDUE,
                    head,
                    context,
                    **common,
                )
        if after >= rules.conclusion_to_coordinator_after:
            for coordinator in inspection.plan.coordinators:
                written += _user_row(
                    f"visit:{visit_ref(visit)}:conclusion_overdue:coordinator:{coordinator.id}:{day}",
                    kinds.CONCLUSION_OVERDUE,
                    coordinator,
                    context | {"escalated": True},
                    **common,
                )
    return written


def _action_context(action: CorrectiveAction, today: date, cal: WorkCalendar) -> dict[str, object]:
    return {
        "action_id": action.id,
        "unit_name": action.unit.name,
        "description": action.description,
        "due_on": action.due_on.isoformat(),
        "days_left": (action.due_on - today).days,
        "working_days_overdue": max(cal.working_days_between(action.due_on, today), 0),
    }


def _action_plan(action: CorrectiveAction) -> Plan | None:
    finding = action.finding
    if finding.visit_id is None:
        return None
    visit = db.session.get(Visit, finding.visit_id)
    return visit.inspection.plan if visit else None


def corrective_actions(now: datetime, cal: WorkCalendar, book: RuleBook | None = None) -> int:
    """Due in 7 days, due today, overdue → the unit; 10 working days overdue → also the
    plan's coordinators and the contacts of the unit above. Only for actions whose
    conclusion has been issued (announced visits too)."""
    book = book if book is not None else load_rule_book()
    today = local_day(now)
    written = 0
    soon = book.widest(lambda r: r.action_due_soon_days)
    actions = db.session.scalars(
        sa.select(CorrectiveAction)
        .join(Finding, Finding.id == CorrectiveAction.finding_id)
        .where(
            # An action reaches the unit through the conclusion that sets it: no reminder of
            # it (nor escalation) before that conclusion is issued.
            policy.conclusion_issued(),
            CorrectiveAction.status.in_((ActionStatus.OPEN, ActionStatus.RETURNED)),
            CorrectiveAction.due_on <= today + timedelta(days=soon),
            CorrectiveAction.due_on >= today - timedelta(days=LOOKBACK_DAYS),
        )
        .options(selectinload(CorrectiveAction.unit).selectinload(Unit.contacts))
    )
    for action in actions:
        plan = _action_plan(action)
        rules = book.of(plan.id if plan else None)
        left = (action.due_on - today).days
        if left > rules.action_due_soon_days:
            continue
        context = _action_context(action, today, cal)
        base = f"action:{action.id}"
        due = action.due_on.isoformat()
        common = {"object_type": "corrective_action", "object_id": action.id}
        if left > 0:
            step, kind = f"due{rules.action_due_soon_days}", kinds.ACTION_DUE
        elif left == 0:
            step, kind = "due0", kinds.ACTION_DUE
        else:
            step, kind = "overdue", kinds.ACTION_OVERDUE
        for contact in action.unit.contacts:
            key = f"{base}:{step}:contact:{contact.id}:{due}"
            written += _contact_row(key, kind, contact, context, **common)
        if left < 0 and context["working_days_overdue"] >= rules.escalate_after:
            escalated = context | {"escalated": True}
            for coordinator in plan.coordinators if plan else []:
                written += _user_row(
                    f"{base}:escalated:coordinator:{coordinator.id}:{due}",
                    kinds.ACTION_OVERDUE,
                    coordinator,
                    escalated,
                    **common,
                )
            parent = action.unit.parent
            for contact in parent.contacts if parent else []:
                key = f"{base}:escalated:contact:{contact.id}:{due}"
                written += _contact_row(key, kinds.ACTION_OVERDUE, contact, escalated, **common)
    return written


def coordinator_digests(now: datetime, cal: WorkCalendar, book: RuleBook | None = None) -> int:
    """On the plan's digest day (Monday by default, local time), one digest per
    coordinator and running plan."""
    book = book if book is not None else load_rule_book()
    today = local_day(now)
    year, week, _ = today.isocalendar()
    written = 0
    week_end = now + timedelta(days=7)
    plans = db.session.scalars(
        sa.select(Plan)
        .where(Plan.status.in_((PlanStatus.APPROVED, PlanStatus.IN_PROGRESS)))
        .options(selectinload(Plan.coordinators))
    )
    for plan in plans:
        if today.weekday() != book.of(plan.id).digest_weekday:
            continue
        in_plan = Inspection.plan_id == plan.id
        upcoming = db.session.scalar(
            sa.select(sa.func.count(Visit.id))
            .join(Inspection)
            .where(in_plan, Visit.status == VisitStatus.APPROVED)
            .where(Visit.starts_at > now, Visit.starts_at <= week_end)
        )
        open_actions = (
            sa.select(sa.func.count(CorrectiveAction.id))
            .join(Finding, Finding.id == CorrectiveAction.finding_id)
            .join(Visit, Visit.id == Finding.visit_id)
            .join(Inspection)
            .where(in_plan, CorrectiveAction.status.in_((ActionStatus.OPEN, ActionStatus.RETURNED)))
        )
        due = db.session.scalar(
            open_actions.where(
                CorrectiveAction.due_on >= today, CorrectiveAction.due_on <= today + timedelta(days=7)
            )
        )
        overdue = db.session.scalar(open_actions.where(CorrectiveAction.due_on < today))
        pending = db.session.scalar(
            sa.select(sa.func.count(Inspection.id)).where(
                in_plan, Inspection.status == InspectionStatus.VISITED
            )
        )
        context = {
            "plan_id": plan.id,
            "plan_title": plan.title,
            "week": f"{year}-W{week:02d}",
            "upcoming_visits": upcoming or 0,
            "actions_due": due or 0,
            "actions_overdue": overdue or 0,
            "conclusions_pending": pending or 0,
        }
        for coordinator in plan.coordinators:
            written += _user_row(
                f"digest:plan:{plan.id}:user:{coordinator.id}:{year}-W{week:02d}",
                kinds.COORDINATOR_DIGEST,
                coordinator,
                context,
                deadline_at=now + timedelta(days=2),
                object_type="plan",
                object_id=plan.id,
            )
    return written


def schedule_due(now: datetime, book: RuleBook | None = None) -> int:
    """Every time-based rule, each plan with its own settings; returns how many rows were
    written (flushed, not committed)."""
    cal = load_calendar(db.session)
    book = book if book is not None else load_rule_book()
    written = 0
    for rule in (visit_reminders, findings_and_conclusions, corrective_actions, coordinator_digests):
        written += rule(now, cal, book)
    db.session.flush()
    return written
