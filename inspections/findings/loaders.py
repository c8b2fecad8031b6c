"""Loading what the field pages work on, through policy: 404 for what may not be seen."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, request
from flask_login import current_user
from sqlalchemy.orm import joinedload

from inspections import policy
from inspections.cases.models import Case
from inspections.documents.services import Subject
from inspections.extensions import db
from inspections.findings.models import Finding
from inspections.plans.models import Plan
from inspections.teams.models import Membership, Team
from inspections.visits.models import Inspection, Visit


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def load_visit(visit_id: int) -> Visit:
    visible = policy.visible_inspections(current_user).with_only_columns(Inspection.id)
    visit = db.session.scalar(
        sa.select(Visit)
        .where(Visit.id == visit_id, Visit.inspection_id.in_(visible))
        .options(
            joinedload(Visit.inspection).joinedload(Inspection.unit),
            joinedload(Visit.inspection).joinedload(Inspection.plan).selectinload(Plan.coordinators),
            joinedload(Visit.inspection)
            .joinedload(Inspection.team)
            .selectinload(Team.memberships)
            .joinedload(Membership.user),
        )
    )
    if visit is None or not policy.can_view_field(current_user, visit.inspection):
        abort(404)
    return visit


def load_case(case_id: int) -> Case:
    case = db.session.scalar(
        policy.visible_cases(current_user)
        .where(Case.id == case_id)
        .options(
            joinedload(Case.unit),
            joinedload(Case.plan).selectinload(Plan.coordinators),
            joinedload(Case.team).selectinload(Team.memberships).joinedload(Membership.user),
        )
    )
    if case is None:
        abort(404)
    return case


def load_finding(finding_id: int) -> tuple[Finding, Subject]:
    finding = db.session.get(Finding, finding_id)
    if finding is None:
        abort(404)
    if finding.visit_id is not None:
        return finding, Subject(load_visit(finding.visit_id), None)
    return finding, Subject(None, load_case(finding.case_id))  # type: ignore[arg-type]
