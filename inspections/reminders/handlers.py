"""What this feature does when others act: the schedule notice, and cancelling the mail a
change supersedes (the dispatcher checks again at send time, whatever is missed here)."""

from __future__ import annotations

from inspections.events import ActionDueChanged, VisitApproved, VisitCancelled, VisitMoved, handles
from inspections.extensions import db
from inspections.remediation.models import CorrectiveAction
from inspections.reminders.notices import (
    cancel_superseded,
    cancel_superseded_action_reminders,
    cancellation_notices,
    change_notices,
    schedule_notices,
)
from inspections.visits.models import Visit


def _visit(visit_id: int) -> Visit:
    return db.session.get(Visit, visit_id)  # type: ignore[return-value]


@handles(VisitApproved)
def visit_approved(event: VisitApproved) -> None:
    """Announced visits only: a surprise visit gets no notice (`schedule_notices`)."""
    schedule_notices(_visit(event.visit_id))


@handles(VisitMoved)
def visit_moved(event: VisitMoved) -> None:
    """What named the old time is cancelled (the reminders of the new one are written by the
    next run of the rules); an announced visit's unit gets a change notice, a surprise
    visit's nothing (`change_notices`)."""
    visit = _visit(event.visit_id)
    cancel_superseded(visit)
    change_notices(visit, event.old_starts_at)


@handles(VisitCancelled)
def visit_cancelled(event: VisitCancelled) -> None:
    visit = _visit(event.visit_id)
    cancel_superseded(visit)
    cancellation_notices(visit)


@handles(ActionDueChanged)
def action_due_changed(event: ActionDueChanged) -> None:
    action = db.session.get(CorrectiveAction, event.action_id)
    cancel_superseded_action_reminders(action, event.old_due_on)  # type: ignore[arg-type]
