"""The items that wait on a person, found by the same rules that send the reminders.

Each kind is a bounded query (`SHOWN` rows at most) scoped by `policy`; an item leaves the
inbox by itself once it is done (a request decided, a report accepted or returned, the
findings recorded, the conclusion issued, the notice acknowledged), because it is asked
again each time rather than stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, contains_eager

from inspections import policy
from inspections.auth.models import Role, User
from inspections.db import utcnow
from inspections.extensions import db
from inspections.findings.models import Criterion, Finding, RefusedSave
from inspections.findings.services import refused_saves_of
from inspections.i18n import local_day
from inspections.outbox.models import Notification, NotificationStatus
from inspections.plans.models import plan_coordinators
from inspections.portal.models import Acknowledgement
from inspections.remediation.models import ActionStatus, CorrectiveAction, ExtensionRequest, ExtensionStatus
from inspections.reminders.kinds import SCHEDULE_NOTICE
from inspections.reminders.rules import LOOKBACK_DAYS, RuleBook, load_rule_book
from inspections.scheduling.models import ChangeStatus, VisitChangeRequest
from inspections.teams.models import Membership
from inspections.units.models import Unit
from inspections.visits.models import (
    CONFIRMED,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Visit,
    VisitStatus,
)
from inspections.workdays.calendar import WorkCalendar, load_calendar

SHOWN = 50  # items of one kind on the page; the count says if there are more


class ItemKind(StrEnum):
    EXTENSION = "extension"
    VERIFY = "verify"
    FINDINGS = "findings"
    CONCLUSION = "conclusion"
    UNACKNOWLEDGED = "unacknowledged"
    MOVE_PROPOSED = "move_proposed"
    REFUSED_SAVE = "refused_save"


HEADINGS = {
    ItemKind.EXTENSION: _l("Requests for more time to decide"),
    ItemKind.VERIFY: _l("Remediation reports to verify"),
    ItemKind.FINDINGS: _l("Visits whose findings are not recorded"),
    ItemKind.CONCLUSION: _l("Conclusions overdue"),
    ItemKind.UNACKNOWLEDGED: _l("Schedule notices the unit has not acknowledged"),
    ItemKind.MOVE_PROPOSED: _l("Proposed visit moves to decide"),
    ItemKind.REFUSED_SAVE: _l("Offline saves the server refused (drafts on your phone)"),
}


@dataclass(frozen=True)
class Item:
    kind: ItemKind
    text: str
    day: date | None
    url: str


@dataclass(frozen=True)
class Inbox:
    items: dict[ItemKind, list[Item]]

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.items.values())


def inbox_of(user: User, *, now: datetime | None = None) -> Inbox:
    now = now or utcnow()
    book, cal = load_rule_book(), load_calendar(db.session)
    items = {
        ItemKind.EXTENSION: _extensions(user),
        ItemKind.VERIFY: _reports_to_verify(user),
        ItemKind.FINDINGS: _findings_missing(user, now, book, cal),
        ItemKind.CONCLUSION: _conclusions_overdue(user, now, book, cal),
        ItemKind.UNACKNOWLEDGED: _unacknowledged(user, now),
        ItemKind.MOVE_PROPOSED: _moves_proposed(user),
        ItemKind.REFUSED_SAVE: _refused_saves(user),
    }
    return Inbox({kind: rows for kind, rows in items.items() if rows})


def _extensions(user: User) -> list[Item]:
    if not policy.can_decide_extensions(user):
        return []
    rows = db.session.execute(
        policy.visible_extension_requests(user)
        .join(CorrectiveAction, CorrectiveAction.id == ExtensionRequest.action_id)
        .join(Unit, Unit.id == CorrectiveAction.unit_id)
        .where(ExtensionRequest.status == ExtensionStatus.PENDING)
        .add_columns(Unit.name, CorrectiveAction.description)
        .order_by(ExtensionRequest.id)
        .limit(SHOWN)
    ).all()
    return [
        Item(
            ItemKind.EXTENSION,
            f"{unit} — {description}",
            request.requested_on,
            url_for("remediation.extensions"),
        )
        for request, unit, description in rows
    ]


def _reports_to_verify(user: User) -> list[Item]:
    rows = db.session.execute(
        sa.select(CorrectiveAction, Unit.name)
        .join(Unit, Unit.id == CorrectiveAction.unit_id)
        .where(
            CorrectiveAction.status == ActionStatus.REPORTED,
            CorrectiveAction.id.in_(policy.verifiable_action_ids(user)),
        )
        .order_by(CorrectiveAction.reported_at, CorrectiveAction.id)
        .limit(SHOWN)
    ).all()
    return [
        Item(
            ItemKind.VERIFY,
            f"{unit} — {action.description}",
            local_day(action.reported_at) if action.reported_at else None,
            url_for("remediation.index", status=ActionStatus.REPORTED.value),
        )
        for action, unit in rows
    ]


def _ended_visits(where: sa.ColumnElement[bool], now: datetime) -> list[Visit]:
    """Visits that took place (confirmed, over, within the look-back) of an inspection not
    yet concluded, with their inspection and unit."""
    return list(
        db.session.scalars(
            sa.select(Visit)
            .join(Inspection, Inspection.id == Visit.inspection_id)
            .join(Unit, Unit.id == Inspection.unit_id)
            .where(
                where,
                Visit.status.in_(CONFIRMED),
                Visit.ends_at <= now,
                Visit.ends_at >= now - timedelta(days=LOOKBACK_DAYS),
                Inspection.status.not_in([InspectionStatus.CONCLUDED, InspectionStatus.CANCELLED]),
            )
            .options(contains_eager(Visit.inspection).contains_eager(Inspection.unit))
            .order_by(Visit.starts_at, Visit.id)
            .limit(SHOWN * 4)
        )
    )


def _led_teams(user: User) -> sa.Select[tuple[int]]:
    return sa.select(Membership.team_id).where(
        Membership.user_id == user.id, Membership.role.in_(policy.LEADING_ROLES)
    )


def _visit_item(kind: ItemKind, visit: Visit) -> Item:
    return Item(
        kind,
        visit.inspection.unit.name,
        local_day(visit.starts_at),
        url_for("findings.visit", visit_id=visit.id),
    )


def _findings_missing(user: User, now: datetime, book: RuleBook, cal: WorkCalendar) -> list[Item]:
    """The reminders' rule: no finding `findings_after` working days after the visit."""
    if user.role != Role.INSPECTOR:
        return []
    no_findings = ~sa.exists().where(Finding.visit_id == Visit.id)
    today = local_day(now)
    return [
        _visit_item(ItemKind.FINDINGS, visit)
        for visit in _ended_visits(sa.and_(Inspection.team_id.in_(_led_teams(user)), no_findings), now)
        if cal.working_days_between(local_day(visit.starts_at), today)
        >= book.of(visit.inspection.plan_id).findings_after
    ][:SHOWN]


def _conclusions_overdue(user: User, now: datetime, book: RuleBook, cal: WorkCalendar) -> list[Item]:
    """The reminders' rule: no conclusion `conclusion_after` working days after the last
    visit (its team's leaders), then `conclusion_to_coordinator_after` (the coordinators)."""
    later = aliased(Visit)
    last = ~sa.exists().where(later.inspection_id == Visit.inspection_id, later.starts_at > Visit.starts_at)
    if user.role == Role.INSPECTOR:
        mine, threshold = Inspection.team_id.in_(_led_teams(user)), "conclusion_after"
    elif user.role == Role.COORDINATOR:
        coordinated = sa.select(plan_coordinators.c.plan_id).where(plan_coordinators.c.user_id == user.id)
        mine, threshold = Inspection.plan_id.in_(coordinated), "conclusion_to_coordinator_after"
    else:
        return []
    today = local_day(now)
    return [
        _visit_item(ItemKind.CONCLUSION, visit)
        for visit in _ended_visits(sa.and_(mine, last), now)
        if cal.working_days_between(local_day(visit.starts_at), today)
        >= getattr(book.of(visit.inspection.plan_id), threshold)
    ][:SHOWN]


def _unacknowledged(user: User, now: datetime) -> list[Item]:
    """Announced visits still to come whose notice was sent and not acknowledged: their
    coordinators may want to call the unit."""
    if user.role != Role.COORDINATOR:
        return []
    coordinated = sa.select(plan_coordinators.c.plan_id).where(plan_coordinators.c.user_id == user.id)
    notice_sent = sa.exists().where(
        Notification.kind == SCHEDULE_NOTICE,
        Notification.object_type == "visit",
        Notification.object_id == Visit.id,
        Notification.status == NotificationStatus.SENT,
    )
    acknowledged = sa.exists().where(Acknowledgement.visit_id == Visit.id)
    visits = db.session.scalars(
        sa.select(Visit)
        .join(Inspection, Inspection.id == Visit.inspection_id)
        .join(Unit, Unit.id == Inspection.unit_id)
        .where(
            Inspection.plan_id.in_(coordinated),
            Inspection.kind == InspectionKind.JOINT,
            Visit.status == VisitStatus.APPROVED,
            Visit.starts_at > now,
            notice_sent,
            ~acknowledged,
        )
        .options(contains_eager(Visit.inspection).contains_eager(Inspection.unit))
        .order_by(Visit.starts_at, Visit.id)
        .limit(SHOWN)
    )
    return [_visit_item(ItemKind.UNACKNOWLEDGED, visit) for visit in visits]


def _moves_proposed(user: User) -> list[Item]:
    """A team head's proposed move of a visit waits on who may decide it
    (`policy.visits_changeable`, the SQL twin of `policy.can_change_visit`)."""
    query = (
        sa.select(VisitChangeRequest, Unit.name)
        .join(Visit, Visit.id == VisitChangeRequest.visit_id)
        .join(Inspection, Inspection.id == Visit.inspection_id)
        .join(Unit, Unit.id == Inspection.unit_id)
        .where(
            VisitChangeRequest.status == ChangeStatus.PENDING,
            Visit.status == VisitStatus.APPROVED,
            policy.visits_changeable(user),
        )
        .order_by(VisitChangeRequest.id)
        .limit(SHOWN)
    )
    return [
        Item(
            ItemKind.MOVE_PROPOSED,
            f"{unit} — {request.reason}",
            request.day,
            url_for("scheduling.change_visit", visit_id=request.visit_id),
        )
        for request, unit in db.session.execute(query).all()
    ]


def _refused_saves(user: User) -> list[Item]:
    """A save queued offline that the server refused: the draft waits in the member's browser
    until it is corrected and saved again, which removes the row."""
    query = (
        refused_saves_of(user)
        .add_columns(Unit.name, Criterion.code)
        .join(Inspection, Inspection.id == Visit.inspection_id)
        .join(Unit, Unit.id == Inspection.unit_id)
        .join(Criterion, Criterion.id == RefusedSave.criterion_id)
        .limit(SHOWN)
    )
    return [
        Item(
            ItemKind.REFUSED_SAVE,
            f"{unit} — {code}: {refused.message}",
            local_day(refused.refused_at),
            url_for("findings.visit", visit_id=refused.visit_id, _anchor=f"c{refused.criterion_id}"),
        )
        for refused, unit, code in db.session.execute(query).all()
    ]
