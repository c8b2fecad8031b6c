"""The exports of a plan: its progress workbook, and its findings with their corrective
actions (XLSX or CSV).

Both speak the language of the request (Vietnamese unless English is asked for: the
routes wrap them in `spreadsheets.export_locale`). Everything in them is listed through
policy, so a surprise target, visit or finding appears only for those allowed to know of
it; a unit contact cannot open a plan at all (`policy.can_view_plan`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from inspections import policy
from inspections.cases.models import Case
from inspections.extensions import db
from inspections.findings.models import Criterion, Finding
from inspections.i18n import local_day
from inspections.labels import label
from inspections.plans.models import Plan
from inspections.plans.progress import plan_progress, team_progress
from inspections.remediation.models import CorrectiveAction
from inspections.spreadsheets import csv_bytes, xlsx_bytes
from inspections.teams.models import Team
from inspections.visits.models import Inspection, Visit, VisitStatus


def _visible_visits(plan: Plan, viewer: policy.Viewer) -> list[Visit]:
    return list(
        db.session.scalars(
            policy.visible_visits(viewer)
            .join(Inspection, Inspection.id == Visit.inspection_id)
            .where(Inspection.plan_id == plan.id)
            .options(
                selectinload(Visit.inspection).selectinload(Inspection.unit),
                selectinload(Visit.inspection).selectinload(Inspection.team),
            )
            .order_by(Visit.starts_at, Visit.id)
        )
    )


def plan_workbook(plan: Plan, *, viewer: policy.Viewer) -> bytes:
    """Targets and visits are listed through policy, so a surprise target (or its visit)
    appears only for those allowed."""
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
    visits = _visible_visits(plan, viewer)
    first_visit: dict[int, Visit] = {}
    for visit in visits:
        if visit.status != VisitStatus.CANCELLED:
            first_visit.setdefault(visit.inspection_id, visit)
    targets = [
        [_("Code"), _("Unit"), _("Team"), _("Kind"), _("Status"), _("Drawn"), _("Override reason"), _("Date")]
    ] + [
        [
            i.unit.code,
            i.unit.name,
            i.team.name,
            label(i.kind),
            label(i.status),
            i.drawn,
            i.conflict_override_reason or "",
            local_day(first_visit[i.id].starts_at) if i.id in first_visit else None,
        ]
        for i in inspections
    ]
    visit_rows = [[_("Code"), _("Unit"), _("Team"), _("Kind"), _("Date"), _("Half-day"), _("Status")]] + [
        [
            v.inspection.unit.code,
            v.inspection.unit.name,
            v.inspection.team.name,
            label(v.inspection.kind),
            local_day(v.starts_at),
            label(v.slot),
            label(v.status),
        ]
        for v in visits
    ]
    return xlsx_bytes(
        {_("Progress"): progress, _("Teams"): teams, _("Targets"): targets, _("Visits"): visit_rows}
    )


# --- findings and corrective actions -------------------------------------------------------


def _criterion(criterion: Criterion | None) -> str:
    if criterion is None:
        return ""
    text = criterion.text_en if str(get_locale()) == "en" else criterion.text_vi
    return f"{criterion.code} {text}".strip()


def findings_rows(plan: Plan, *, viewer: policy.Viewer) -> Iterator[list[Any]]:
    """One row per corrective action (a finding without one gets a row of its own), for
    the findings the viewer may see: those of the visits `policy.visible_visits` lets them
    know of (a surprise visit's only once it started, outside its team and coordinators)
    and of the plan's cases `policy.visible_cases` shows them. People named in a finding
    are never exported."""
    yield [
        _("Code"), _("Unit"), _("Team"), _("Date"), _("Case"), _("Criterion"), _("Result"),
        _("Severity"), _("Finding"), _("Corrective action"), _("Due date"), _("Action status"),
        _("Reported on"),
    ]  # fmt: skip
    visits = {v.id: v for v in _visible_visits(plan, viewer)}
    cases = {
        c.id: c
        for c in db.session.scalars(
            policy.visible_cases(viewer)
            .where(Case.plan_id == plan.id)
            .options(selectinload(Case.unit), selectinload(Case.team))
        )
    }
    if not visits and not cases:
        return
    findings = db.session.scalars(
        sa.select(Finding)
        .where(sa.or_(Finding.visit_id.in_(list(visits)), Finding.case_id.in_(list(cases))))
        .options(selectinload(Finding.criterion))
        .order_by(Finding.id)
    ).all()
    actions: dict[int, list[CorrectiveAction]] = {}
    for action in db.session.scalars(
        sa.select(CorrectiveAction)
        .where(CorrectiveAction.finding_id.in_([f.id for f in findings]))
        .order_by(CorrectiveAction.id)
    ):
        actions.setdefault(action.finding_id, []).append(action)

    def where(finding: Finding) -> tuple[Any, ...]:
        if finding.visit_id is not None:
            visit = visits[finding.visit_id]
            unit, team_name = visit.inspection.unit, visit.inspection.team.name
            return unit.code, unit.name, team_name, local_day(visit.starts_at), ""
        case = cases[finding.case_id]  # type: ignore[index]
        team: Team | None = case.team
        return case.unit.code, case.unit.name, team.name if team else "", None, case.reference

    def order(finding: Finding) -> tuple[Any, ...]:
        code, _name, _team, day, reference = where(finding)
        return (day is None, day or 0, reference, code, finding.id)

    for finding in sorted(findings, key=order):
        head = [
            *where(finding),
            _criterion(finding.criterion),
            label(finding.result),
            label(finding.severity),
            finding.text,
        ]
        for action in actions.get(finding.id) or [None]:
            if action is None:
                yield head + ["", None, "", None]
                continue
            yield head + [
                action.description,
                action.due_on,
                label(action.status),
                local_day(action.reported_at) if action.reported_at else None,
            ]


def findings_export(plan: Plan, fmt: str, *, viewer: policy.Viewer) -> bytes:
    rows = findings_rows(plan, viewer=viewer)
    if fmt == "csv":
        return csv_bytes(rows)
    return xlsx_bytes({_("Findings"): rows})
