"""Corrective actions: set by the team leader on a non-compliant finding, reported on by
the unit, accepted or returned (with a reason) by the leader; and the unit's requests for
more time, decided by a coordinator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager

from inspections import i18n, policy
from inspections.audit.services import record, snapshot
from inspections.auth.models import User
from inspections.cases.models import Case
from inspections.db import utcnow
from inspections.errors import Conflict, InvalidInput
from inspections.events import ActionDueChanged, ExtensionDecided, RemediationReported, publish
from inspections.extensions import db
from inspections.findings.models import Finding, FindingResult
from inspections.findings.services import ensure_started, is_locked
from inspections.links.services import Actor
from inspections.listing import PAGE_SIZE, Order, Page, keyset_page
from inspections.portal.models import UnitUpload
from inspections.remediation.models import ActionStatus, CorrectiveAction, ExtensionRequest, ExtensionStatus
from inspections.units.models import Unit
from inspections.units.services import search_key
from inspections.visits.models import Inspection, Visit
from inspections.workdays.calendar import load_calendar

MAX_WORKING_DAYS = 250
MAX_EXTENSION = timedelta(days=365)
AUDITED = ("status", "description", "due_on", "report_text", "return_reason", "verified_by_id")


def add_action(
    finding: Finding,
    *,
    description: str,
    working_days: int,
    unit_id: int,
    actor: User,
    today: date | None = None,
) -> CorrectiveAction:
    """An action on a non-compliant finding, due `working_days` working days from today."""
    if finding.result != FindingResult.NON_COMPLIANT:
        raise InvalidInput(_l("Corrective actions are set on non-compliant findings only."))
    if is_locked(visit_id=finding.visit_id, case_id=finding.case_id):
        raise Conflict(_l("The conclusion has been issued: no more actions can be added to it."))
    ensure_started(visit_id=finding.visit_id)
    description = description.strip()
    if not description:
        raise InvalidInput(_l("Describe what the unit must do."))
    if not 1 <= working_days <= MAX_WORKING_DAYS:
        raise InvalidInput(_l("The time allowed must be between 1 and 250 working days."))
    due_on = load_calendar(db.session).add_working_days(today or i18n.today(), working_days)
    action = CorrectiveAction(finding_id=finding.id, unit_id=unit_id, description=description, due_on=due_on)
    db.session.add(action)
    db.session.flush()
    record(
        "action.create",
        actor=actor,
        object_type="corrective_action",
        object_id=action.id,
        after=snapshot(action, "finding_id", "unit_id", *AUDITED) | {"working_days": working_days},
    )
    return action


def _change(action: CorrectiveAction, event: str, actor: User | None, **values: object) -> CorrectiveAction:
    before = snapshot(action, *AUDITED)
    for name, value in values.items():
        setattr(action, name, value)
    db.session.flush()
    record(
        event,
        actor=actor,
        object_type="corrective_action",
        object_id=action.id,
        before=before,
        after=snapshot(action, *AUDITED),
    )
    return action


def report(action: CorrectiveAction, *, text: str, actor: User | None) -> CorrectiveAction:
    """The unit's report of what it did (báo cáo kết quả khắc phục).

    `actor` is None when the report comes from a signed link in a notice rather than from
    a logged-in unit contact.
    """
    if action.status not in (ActionStatus.OPEN, ActionStatus.RETURNED):
        raise Conflict(_l("This action has already been reported on."))
    if not text.strip():
        raise InvalidInput(_l("Write what the unit has done."))
    _change(
        action,
        "action.report",
        actor,
        status=ActionStatus.REPORTED,
        report_text=text.strip(),
        reported_at=utcnow(),
    )
    publish(RemediationReported(action.id))
    return action


def accept(action: CorrectiveAction, *, actor: User) -> CorrectiveAction:
    if action.status != ActionStatus.REPORTED:
        raise Conflict(_l("Only a reported action can be accepted."))
    return _change(
        action,
        "action.accept",
        actor,
        status=ActionStatus.ACCEPTED,
        verified_by_id=actor.id,
        verified_at=utcnow(),
    )


def return_report(action: CorrectiveAction, *, reason: str, actor: User) -> CorrectiveAction:
    if action.status != ActionStatus.REPORTED:
        raise Conflict(_l("Only a reported action can be returned."))
    if not reason.strip():
        raise InvalidInput(_l("Give the reason for returning the report."))
    return _change(
        action,
        "action.return",
        actor,
        status=ActionStatus.RETURNED,
        return_reason=reason.strip(),
        verified_by_id=actor.id,
        verified_at=utcnow(),
    )


def is_overdue(today: date) -> sa.ColumnElement[bool]:
    """SQL condition on `CorrectiveAction`: past its due date with nothing accepted."""
    return sa.and_(
        CorrectiveAction.due_on < today,
        CorrectiveAction.status.in_([ActionStatus.OPEN, ActionStatus.RETURNED]),
    )


def overdue_actions(today: date) -> sa.Select[tuple[CorrectiveAction]]:
    """The actions the reminders chase (`is_overdue`)."""
    return sa.select(CorrectiveAction).where(is_overdue(today))


# --- more time: the unit asks, a coordinator decides ----------------------------------------


def pending_extension(action_id: int) -> ExtensionRequest | None:
    return db.session.scalar(
        sa.select(ExtensionRequest).where(
            ExtensionRequest.action_id == action_id, ExtensionRequest.status == ExtensionStatus.PENDING
        )
    )


def extensions_of(action_id: int) -> list[ExtensionRequest]:
    return list(
        db.session.scalars(
            sa.select(ExtensionRequest)
            .where(ExtensionRequest.action_id == action_id)
            .order_by(ExtensionRequest.id)
        )
    )


def request_extension(
    action: CorrectiveAction, *, until: date, reason: str, actor: Actor
) -> ExtensionRequest:
    if action.status not in (ActionStatus.OPEN, ActionStatus.RETURNED):
        raise Conflict(_l("More time can be asked only for an action not yet reported on."))
    if pending_extension(action.id) is not None:
        raise Conflict(_l("A request for more time on this action is already waiting for a decision."))
    if until <= action.due_on:
        raise InvalidInput(_l("Ask for a date after the current due date."))
    if until > action.due_on + MAX_EXTENSION:
        raise InvalidInput(_l("Ask for at most one year more."))
    if not reason.strip():
        raise InvalidInput(_l("Give the reason for asking for more time."))
    req = ExtensionRequest(
        action_id=action.id,
        unit_id=action.unit_id,
        old_due_on=action.due_on,
        requested_on=until,
        reason=reason.strip(),
        contact_id=actor.contact_id,
        user_id=actor.user_id,
    )
    db.session.add(req)
    db.session.flush()
    record(
        "extension.request",
        actor=actor.user,
        object_type="extension_request",
        object_id=req.id,
        after=snapshot(req, "action_id", "old_due_on", "requested_on", "reason", "contact_id"),
    )
    return req


def decide_extension(
    req: ExtensionRequest, *, grant: bool, actor: User, granted_on: date | None = None, note: str = ""
) -> ExtensionRequest:
    """Granting moves the action's due date (`ActionDueChanged`: the reminders follow it);
    the decision goes to the unit (`ExtensionDecided`)."""
    if req.status != ExtensionStatus.PENDING:
        raise Conflict(_l("This request has already been decided."))
    action = db.session.get(CorrectiveAction, req.action_id)
    before = snapshot(req, "status", "granted_on", "decision_note")
    old_due = action.due_on
    if grant:
        new_due = granted_on or req.requested_on
        if new_due <= action.due_on:
            raise InvalidInput(_l("The new due date must be after the current one."))
        action_before = snapshot(action, "due_on")
        action.due_on = new_due
        req.granted_on = new_due
        db.session.flush()
        record(
            "action.extend",
            actor=actor,
            object_type="corrective_action",
            object_id=action.id,
            before=action_before,
            after=snapshot(action, "due_on") | {"extension_request_id": req.id},
        )
    elif not note.strip():
        raise InvalidInput(_l("Give the reason for refusing more time."))
    req.status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
    req.decision_note = note.strip() or None
    req.decided_by_id = actor.id
    req.decided_at = utcnow()
    db.session.flush()
    record(
        "extension.decide",
        actor=actor,
        object_type="extension_request",
        object_id=req.id,
        before=before,
        after=snapshot(req, "status", "granted_on", "decision_note"),
    )
    if action.due_on != old_due:
        publish(ActionDueChanged(action.id, old_due))
    publish(ExtensionDecided(req.id))
    return req


# --- the lists: bounded keyset pages with their filters -------------------------------------


@dataclass(frozen=True)
class ActionFilters:
    """What the actions list is narrowed to; None (or empty) is no filter."""

    plan_id: int | None = None
    status: ActionStatus | None = None
    overdue: bool = False
    q: str = ""
    district_id: int | None = None


# The columns the actions list sorts on (never NULL); the id breaks ties.
ACTION_SORTS: dict[str, sa.ColumnElement[Any]] = {
    "unit": Unit.search_name,
    "due": CorrectiveAction.due_on,
    "status": CorrectiveAction.status,
}


def _like(text: str) -> str:
    """A LIKE pattern (escape "!") finding the accent-free `text` anywhere in a search name."""
    key = search_key(text).replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{key}%"


def under_plan(plan_id: int) -> sa.ColumnElement[bool]:
    """The finding (joined as `Finding`) was made under the plan, on a visit or for a case."""
    visits = (
        sa.select(Visit.id)
        .join(Inspection, Inspection.id == Visit.inspection_id)
        .where(Inspection.plan_id == plan_id)
    )
    cases = sa.select(Case.id).where(Case.plan_id == plan_id)
    return sa.or_(Finding.visit_id.in_(visits), Finding.case_id.in_(cases))


def _narrowed(query: sa.Select[Any], filters: ActionFilters, today: date) -> sa.Select[Any]:
    """The filters of both lists, on a query that joins `Finding` and `Unit`."""
    if filters.plan_id is not None:
        query = query.where(under_plan(filters.plan_id))
    if filters.q:
        query = query.where(Unit.search_name.like(_like(filters.q), escape="!"))
    if filters.district_id is not None:
        query = query.where(sa.or_(Unit.district_id == filters.district_id, Unit.id == filters.district_id))
    if filters.status is not None:
        query = query.where(CorrectiveAction.status == filters.status)
    if filters.overdue:
        query = query.where(is_overdue(today))
    return query


def list_actions(
    viewer: User, filters: ActionFilters, *, order: Order, today: date, size: int = PAGE_SIZE
) -> Page[CorrectiveAction]:
    """One keyset page of the actions the viewer may see (`policy.visible_actions`)."""
    query = (
        policy.visible_actions(viewer)
        .join(Unit, Unit.id == CorrectiveAction.unit_id)
        .options(contains_eager(CorrectiveAction.unit))
    )
    return keyset_page(
        _narrowed(query, filters, today),
        order=order,
        sorts=ACTION_SORTS,
        id_column=CorrectiveAction.id,
        size=size,
    )


# Pending requests first: the coordinator's work.
EXTENSION_SORTS: dict[str, sa.ColumnElement[Any]] = {
    "status": sa.case(
        (ExtensionRequest.status == ExtensionStatus.PENDING, 0),
        (ExtensionRequest.status == ExtensionStatus.GRANTED, 1),
        else_=2,
    ),
    "unit": Unit.search_name,
    "due": ExtensionRequest.old_due_on,
    "asked": ExtensionRequest.requested_on,
}


def list_extension_requests(
    viewer: User,
    filters: ActionFilters,
    *,
    status: ExtensionStatus | None,
    order: Order,
    today: date,
    size: int = PAGE_SIZE,
) -> Page[tuple[ExtensionRequest, CorrectiveAction]]:
    """One keyset page of (request, action) the viewer may decide on."""
    # The policy's query as a set of ids: its own subqueries join actions and findings too,
    # and must not be correlated with the joins this list adds.
    visible = policy.visible_extension_requests(viewer).with_only_columns(ExtensionRequest.id).correlate(None)
    query = (
        sa.select(ExtensionRequest, CorrectiveAction)
        .where(ExtensionRequest.id.in_(visible))
        .join(CorrectiveAction, CorrectiveAction.id == ExtensionRequest.action_id)
        .join(Finding, Finding.id == CorrectiveAction.finding_id)
        .join(Unit, Unit.id == CorrectiveAction.unit_id)
        .options(contains_eager(CorrectiveAction.unit))
    )
    if status is not None:
        query = query.where(ExtensionRequest.status == status)
    return keyset_page(
        _narrowed(query, filters, today),
        order=order,
        sorts=EXTENSION_SORTS,
        id_column=ExtensionRequest.id,
        size=size,
        scalars=False,
    )


def uploads_of(action_ids: list[int]) -> dict[int, list[UnitUpload]]:
    """The files the unit sent on these actions (one query for a page of them)."""
    found: dict[int, list[UnitUpload]] = {}
    if action_ids:
        for upload in db.session.scalars(
            sa.select(UnitUpload).where(UnitUpload.action_id.in_(action_ids)).order_by(UnitUpload.id)
        ):
            found.setdefault(upload.action_id or 0, []).append(upload)
    return found
