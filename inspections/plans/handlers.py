"""What a plan does when its visits move on (domain events, `inspections.events`)."""

from __future__ import annotations

from inspections.events import VisitApproved, handles
from inspections.extensions import db
from inspections.plans.services import start_plan
from inspections.visits.models import Visit


@handles(VisitApproved)
def plan_in_progress(event: VisitApproved) -> None:
    """The plan's first fixed visit (by a schedule or by hand) puts it in progress."""
    visit = db.session.get(Visit, event.visit_id)
    start_plan(visit.inspection.plan)
