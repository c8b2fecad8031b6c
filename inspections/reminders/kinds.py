"""The mails of this feature, registered with the outbox, and the checks that keep a queued
one from going out once it is no longer true.

Notices that start a legal step (a schedule notice, an overdue corrective action and its
escalation) are mandatory; the recipient may switch off the other reminders.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from inspections.extensions import db
from inspections.findings.models import Finding
from inspections.links.services import document_of_action
from inspections.outbox.kinds import register
from inspections.outbox.models import Notification
from inspections.portal.mail import action_links, digest_links, visit_links, visit_page_links
from inspections.remediation.models import ActionStatus, CorrectiveAction
from inspections.visits.models import InspectionKind, InspectionStatus, Visit, VisitStatus

_VISIT_READS = ("visit_date", "visit_sequence")
_ACTION_READS = ("due_on",)


def _visit_reason(row: Notification) -> str | None:
    visit = db.session.get(Visit, row.object_id)
    if visit is None or visit.status == VisitStatus.CANCELLED:
        return "superseded: visit cancelled"
    inspection = visit.inspection
    if inspection.status == InspectionStatus.CANCELLED:
        return "superseded: inspection cancelled"
    expected = row.context.get("visit_date")
    if expected and expected != visit.starts_at.date().isoformat():
        return "superseded: visit moved"
    sequence = row.context.get("visit_sequence")
    if sequence is not None and sequence != (visit.sequence or 0):
        return "superseded: visit moved"
    if inspection.kind == InspectionKind.SURPRISE and row.recipient_contact_id is not None:
        return "surprise visit: nothing goes to the unit"
    return None


def _change_links(row: Notification) -> dict[str, object]:
    """The unit's contacts get the links of a schedule notice for the new time; the team the
    visit's page."""
    return visit_links(row) if row.recipient_contact_id is not None else visit_page_links(row)


def _cancelled_reason(row: Notification) -> str | None:
    """A cancellation is told while the visit stays cancelled (never a surprise one's unit)."""
    visit = db.session.get(Visit, row.object_id)
    if visit is None or visit.status != VisitStatus.CANCELLED:
        return "superseded: visit not cancelled"
    if visit.inspection.kind == InspectionKind.SURPRISE and row.recipient_contact_id is not None:
        return "surprise visit: nothing goes to the unit"
    return None


def _findings_reason(row: Notification) -> str | None:
    reason = _visit_reason(row)
    if reason is not None:
        return reason
    recorded = db.session.scalar(sa.select(Finding.id).where(Finding.visit_id == row.object_id).limit(1))
    return "resolved: findings recorded" if recorded is not None else None


def _conclusion_reason(row: Notification) -> str | None:
    reason = _visit_reason(row)
    if reason is not None:
        return reason
    inspection = db.session.get(Visit, row.object_id).inspection  # type: ignore[union-attr]
    return "resolved: conclusion issued" if inspection.status == InspectionStatus.CONCLUDED else None


def _action_reason(row: Notification) -> str | None:
    action = db.session.get(CorrectiveAction, row.object_id)
    if action is None:
        return "superseded: action removed"
    if action.status in (ActionStatus.REPORTED, ActionStatus.ACCEPTED):
        return "resolved: action reported"
    if document_of_action(action) is None:
        return "not yet told: conclusion not issued"
    expected = row.context.get("due_on")
    if expected and expected != action.due_on.isoformat():
        return "superseded: due date changed"
    return None


SCHEDULE_NOTICE = register("schedule_notice", relevance=_visit_reason, reads=_VISIT_READS, links=visit_links)
# A change of an announced visit's time, or its cancellation, told to the unit (and team).
VISIT_CHANGED = register("visit_changed", relevance=_visit_reason, reads=_VISIT_READS, links=_change_links)
VISIT_CANCELLED = register("visit_cancelled", relevance=_cancelled_reason, links=visit_page_links)
VISIT_REMINDER = register(
    "visit_reminder",
    optional=_l("Visit reminders"),
    relevance=_visit_reason,
    reads=_VISIT_READS,
    links=visit_page_links,
)
FINDINGS_OVERDUE = register(
    "findings_overdue", relevance=_findings_reason, reads=_VISIT_READS, links=visit_page_links
)
CONCLUSION_OVERDUE = register(
    "conclusion_overdue", relevance=_conclusion_reason, reads=_VISIT_READS, links=visit_page_links
)
# The action's mails carry the link to report on it (a unit contact) or to its page.
ACTION_DUE = register(
    "action_due",
    optional=_l("Corrective actions coming due"),
    relevance=_action_reason,
    reads=_ACTION_READS,
    links=action_links,
)
ACTION_OVERDUE = register("action_overdue", relevance=_action_reason, reads=_ACTION_READS, links=action_links)
COORDINATOR_DIGEST = register("coordinator_digest", optional=_l("Weekly digest"), links=digest_links)
