"""The domain events webhooks react to: each writes deliveries in the publisher's
transaction (so a rolled-back change sends nothing), for subscribers who may know of it."""

from __future__ import annotations

from inspections import events
from inspections.webhooks import services


@events.handles(events.VisitApproved)
def visit_approved(event: events.VisitApproved) -> None:
    services.publish("visit.approved", lambda: services.visit_data(event.visit_id))


@events.handles(events.VisitMoved)
def visit_moved(event: events.VisitMoved) -> None:
    services.publish(
        "visit.moved",
        lambda: services.visit_data(event.visit_id) | {"old_starts_at": event.old_starts_at.isoformat()},
    )


@events.handles(events.VisitCancelled)
def visit_cancelled(event: events.VisitCancelled) -> None:
    services.publish("visit.cancelled", lambda: services.visit_data(event.visit_id))


@events.handles(events.ConclusionIssued)
def conclusion_issued(event: events.ConclusionIssued) -> None:
    services.publish("conclusion.issued", lambda: services.document_data(event.document_id))


@events.handles(events.ActionDueChanged)
def action_due_changed(event: events.ActionDueChanged) -> None:
    services.publish(
        "action.due_changed",
        lambda: services.action_data(event.action_id) | {"old_due_on": event.old_due_on.isoformat()},
    )


@events.handles(events.ExtensionDecided)
def extension_decided(event: events.ExtensionDecided) -> None:
    services.publish("extension.decided", lambda: services.extension_data(event.request_id))


@events.handles(events.RemediationReported)
def remediation_reported(event: events.RemediationReported) -> None:
    services.publish("remediation.reported", lambda: services.action_data(event.action_id))
