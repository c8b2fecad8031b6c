"""Every domain event and the handlers that react to it, in one list.

A new handler or event changes this list on purpose: the publisher does not know its
listeners, so this is where a reader finds them.
"""

from __future__ import annotations

import sqlalchemy as sa

from inspections import events
from inspections.outbox.models import Notification
from inspections.units.models import UnitContact
from tests.factories import days_from_now

EXPECTED = {
    events.VisitApproved: [
        "inspections.plans.handlers.plan_in_progress",
        "inspections.reminders.handlers.visit_approved",
        "inspections.webhooks.handlers.visit_approved",
    ],
    events.VisitMoved: [
        "inspections.reminders.handlers.visit_moved",
        "inspections.webhooks.handlers.visit_moved",
    ],
    events.VisitCancelled: [
        "inspections.reminders.handlers.visit_cancelled",
        "inspections.webhooks.handlers.visit_cancelled",
    ],
    events.ConclusionIssued: [
        "inspections.portal.handlers.conclusion_issued",
        "inspections.webhooks.handlers.conclusion_issued",
    ],
    events.ActionDueChanged: [
        "inspections.reminders.handlers.action_due_changed",
        "inspections.webhooks.handlers.action_due_changed",
    ],
    events.ExtensionDecided: [
        "inspections.portal.handlers.extension_decided",
        "inspections.webhooks.handlers.extension_decided",
    ],
    events.RemediationReported: ["inspections.webhooks.handlers.remediation_reported"],
}


def test_every_event_and_its_handlers(app):
    assert set(events.EVENTS) == set(EXPECTED)
    assert {event: events.handlers_of(event) for event in events.EVENTS} == EXPECTED


def test_handlers_run_in_the_callers_transaction(db, make):
    """A handler's rows are part of the publisher's unit of work: a rollback takes both."""
    plan = make.plan()
    unit = make.unit()
    unit.contacts.append(UnitContact(name="Văn thư", email="vanthu@unit.example"))
    inspection = make.inspection(make.team(plan), unit, visit_at=days_from_now(30))
    db.session.commit()
    count = sa.select(sa.func.count(Notification.id))
    before = db.session.scalar(count)
    events.publish(events.VisitApproved(inspection.visits[0].id))
    assert db.session.scalar(count) == before + 1  # the unit's schedule notice
    db.session.rollback()
    assert db.session.scalar(count) == before
