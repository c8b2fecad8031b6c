"""The XLSX export of a plan: progress per kind and per team, and its targets."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from inspections import policy
from inspections.extensions import db
from inspections.labels import label
from inspections.plans.models import Plan
from inspections.plans.progress import plan_progress, team_progress
from inspections.spreadsheets import xlsx_bytes
from inspections.visits.models import Inspection


def plan_workbook(plan: Plan, *, viewer: policy.Viewer) -> bytes:
    """Targets are listed through policy, so a surprise target appears only for those allowed."""
    stages = [_("Assigned"), _("Scheduled"), _("Visited"), _("Concluded")]
    progress = [[_("Kind"), _("Target"), *stages]] + [
        [label(r.kind), r.target, r.assigned, r.scheduled, r.visited, r.concluded]
        for r in plan_progress([plan])[plan.id]
    ]
    teams = [[_("Team"), _("Kind"), *stages]] + [
        [t.name, label(t.kind), t.assigned, t.scheduled, t.visited, t.concluded] for t in team_progress(plan)
    ]
    inspections = db.session.scalars(
        policy.visible_inspections(viewer)
        .where(Inspection.plan_id == plan.id)
        .options(selectinload(Inspection.unit), selectinload(Inspection.team))
        .order_by(Inspection.kind, Inspection.id)
    )
    targets = [
        [_("Code"), _("Unit"), _("Team"), _("Kind"), _("Status"), _("Drawn"), _("Override reason")]
    ] + [
        [
            i.unit.code,
            i.unit.name,
            i.team.name,
            label(i.kind),
            label(i.status),
            _("yes") if i.drawn else "",
            i.conflict_override_reason or "",
        ]
        for i in inspections
    ]
    return xlsx_bytes({_("Progress"): progress, _("Teams"): teams, _("Targets"): targets})
