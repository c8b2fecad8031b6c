from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response

from inspections import policy
from inspections.documents import render
from inspections.documents.models import DocumentKind
from inspections.documents.services import Subject, documents_of
from inspections.errors import DomainError
from inspections.extensions import db
from inspections.findings import checklists, scores
from inspections.findings.forms import ActionForm, EvidenceForm, FindingForm, IssueForm, PlainForm, VisitForm
from inspections.findings.loaders import load_visit
from inspections.findings.models import Criterion, Finding
from inspections.plans.models import Plan
from inspections.remediation.models import CorrectiveAction
from inspections.teams.models import Team
from inspections.visits import bp
from inspections.visits.models import Inspection, Visit
from inspections.visits.services import create_visit


@bp.route("/")
@login_required
def index() -> str:
    """The visits of the inspections the user may see: a team member's own first."""
    if not policy.can_list_visits(current_user):
        abort(403)
    visible = policy.visible_inspections(current_user).with_only_columns(Inspection.id)
    visits = db.session.scalars(
        sa.select(Visit)
        .where(Visit.inspection_id.in_(visible))
        .options(joinedload(Visit.inspection).joinedload(Inspection.unit))
        .order_by(Visit.starts_at.desc())
        .limit(200)
    ).all()
    inspections = db.session.scalars(
        policy.visible_inspections(current_user)
        .options(
            joinedload(Inspection.unit),
            joinedload(Inspection.plan).selectinload(Plan.coordinators),
            joinedload(Inspection.team).selectinload(Team.memberships),
        )
        .order_by(Inspection.id)
    ).all()
    creatable = [i for i in inspections if policy.can_create_visit(current_user, i)]
    return render_template("visits/index.html", visits=visits, creatable=creatable, form=VisitForm())


@bp.route("/new/<int:inspection_id>", methods=["POST"])
@login_required
def create(inspection_id: int) -> Response:
    inspection = db.session.scalar(
        policy.visible_inspections(current_user).where(Inspection.id == inspection_id)
    )
    if inspection is None:
        abort(404)
    if not policy.can_create_visit(current_user, inspection):
        abort(403)
    form = VisitForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(errors[0], "error")
        return redirect(url_for("visits.index"))
    try:
        visit = create_visit(inspection, day=form.day.data, slot=form.slot.data, actor=current_user)
    except DomainError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("visits.index"))
    db.session.commit()
    flash(_("The visit was added."), "success")
    return redirect(url_for("visits.detail", visit_id=visit.id))


@bp.route("/<int:visit_id>")
@login_required
def detail(visit_id: int) -> str:
    visit = load_visit(visit_id)
    inspection = visit.inspection
    template = checklists.template_for_visit(visit.id)
    criteria = (
        list(db.session.scalars(sa.select(Criterion).where(Criterion.template_id == template.id)))
        if template
        else []
    )
    findings = db.session.scalars(
        sa.select(Finding)
        .where(Finding.visit_id == visit.id)
        .options(selectinload(Finding.evidence), joinedload(Finding.author))
    ).all()
    by_criterion = {f.criterion_id: f for f in findings}
    actions: dict[int, list[CorrectiveAction]] = {}
    for action in db.session.scalars(
        sa.select(CorrectiveAction)
        .where(CorrectiveAction.finding_id.in_([f.id for f in findings]))
        .order_by(CorrectiveAction.id)
    ):
        actions.setdefault(action.finding_id, []).append(action)
    docs = documents_of(Subject(visit, None))
    conclusion = docs.get(DocumentKind.CONCLUSION)
    current = scores.compute(criteria, findings)
    previous_visit, previous = scores.previous_visit_scores(visit)
    team = inspection.team
    return render_template(
        "visits/detail.html",
        visit=visit,
        inspection=inspection,
        template=template,
        areas=checklists.tree(criteria),
        findings=by_criterion,
        actions=actions,
        minutes=docs.get(DocumentKind.MINUTES),
        conclusion=conclusion,
        locked=conclusion is not None and conclusion.issued,
        scores=current,
        previous_visit=previous_visit,
        previous=previous,
        may_record=policy.can_record_findings(current_user, team),
        may_lead=policy.is_team_leader(current_user, team),
        may_see_names=policy.can_see_named_individuals(current_user, team, inspection.plan),
        pdf_available=render.pdf_available(),
        finding_form=FindingForm,
        evidence_form=EvidenceForm(),
        action_form=ActionForm(),
        issue_form=IssueForm(),
        plain_form=PlainForm(),
    )
