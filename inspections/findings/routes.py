from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from inspections import policy
from inspections.documents.models import DocumentKind
from inspections.extensions import db
from inspections.files import storage_path
from inspections.findings import bp, checklists, scores, services
from inspections.findings.forms import CorrectiveActionForm, CriterionForm, EvidenceForm, FindingForm
from inspections.findings.loaders import load_finding, wants_json
from inspections.findings.models import ChecklistTemplate, Criterion, Evidence, Finding
from inspections.findings.subject import Subject, documents_of
from inspections.forms import ConfirmForm, parse_id
from inspections.remediation.models import CorrectiveAction
from inspections.visits.models import Visit
from inspections.web import load_visit, service_call


def _first_error(form: FindingForm | EvidenceForm) -> str:
    return next(iter(form.errors.values()))[0] if form.errors else _("The form is not valid.")


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _client_time(millis: int | None) -> datetime | None:
    """The photo time the browser read from the file, if it is a possible time."""
    try:
        return datetime.fromtimestamp(millis / 1000, UTC) if millis else None
    except (OverflowError, OSError, ValueError):
        return None


def _answer(ok: bool, message: object, url: str, status: int = 200, **data: object) -> Response:
    """JSON for the page's offline queue, else a flash and a redirect."""
    if wants_json():
        return jsonify(ok=ok, message=str(message), **data), status
    flash(str(message), "success" if ok else "error")
    return redirect(url)


# --- the visit page ------------------------------------------------------------------------


@bp.get("/visits/<int:visit_id>")
@login_required
def visit(visit_id: int) -> str:
    """The team's page on site: the checklist, findings, evidence, actions and documents."""
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
    actions: dict[int, list[CorrectiveAction]] = {}
    for action in db.session.scalars(
        sa.select(CorrectiveAction)
        .where(CorrectiveAction.finding_id.in_([f.id for f in findings]))
        .order_by(CorrectiveAction.id)
    ):
        actions.setdefault(action.finding_id, []).append(action)
    docs = documents_of(Subject(visit, None))
    conclusion = docs.get(DocumentKind.CONCLUSION)
    previous_visit, previous = scores.previous_visit_scores(visit)
    team = inspection.team
    return render_template(
        "findings/visit.html",
        visit=visit,
        inspection=inspection,
        template=template,
        areas=checklists.tree(criteria),
        findings={f.criterion_id: f for f in findings},
        actions=actions,
        minutes=docs.get(DocumentKind.MINUTES),
        conclusion=conclusion,
        locked=conclusion is not None and conclusion.issued,
        scores=scores.compute(criteria, findings),
        previous_visit=previous_visit,
        previous=previous,
        may_record=policy.can_record_findings(current_user, team),
        may_lead=policy.is_team_leader(current_user, team),
        may_see_names=policy.can_see_named_individuals(current_user, team, inspection.plan),
        finding_form=FindingForm,
        evidence_form=EvidenceForm(),
        action_form=CorrectiveActionForm(),
        confirm_form=ConfirmForm(),
    )


def _refused_save(
    visit: Visit, criterion_id: int, expected_version: int | None, message: object, back: str
) -> Response:
    """A refused save, for the offline queue: 409 with the saved finding when the save clashed
    with what is stored now (changed meanwhile, or locked by the conclusion), else 400."""
    saved = db.session.scalar(
        sa.select(Finding).where(Finding.visit_id == visit.id, Finding.criterion_id == criterion_id)
    )
    if (saved is None or saved.version == expected_version) and not services.is_locked(visit_id=visit.id):
        return _answer(False, message, back, 400)
    current = (
        {
            "version": saved.version,
            "result": saved.result.value,
            "text": saved.text,
            "by": saved.author.full_name,
        }
        if saved
        else None
    )
    return _answer(False, message, back, 409, current=current)


@bp.post("/visits/<int:visit_id>/findings")
@login_required
def save_visit_finding(visit_id: int) -> Response:
    visit = load_visit(visit_id)
    if not policy.can_record_findings(current_user, visit.inspection.team):
        abort(403)
    form = FindingForm()
    criterion_id = parse_id(form.criterion_id.data)
    back = url_for("findings.visit", visit_id=visit.id, _anchor=f"c{criterion_id}")
    if not form.validate_on_submit() or criterion_id is None:
        return _answer(False, _first_error(form), back, 400)
    expected_version = _int_or_none(form.version.data)
    with service_call(flash_error=False) as done:
        finding = services.save_visit_finding(
            visit,
            criterion_id=criterion_id,
            result=form.result.data,
            severity=form.severity.data,
            text=form.text.data or "",
            named_individuals=form.named_individuals.data or "",
            expected_version=expected_version,
            actor=current_user,
        )
    if not done:
        return _refused_save(visit, criterion_id, expected_version, done.error, back)
    return _answer(True, _("Saved."), back, finding_id=finding.id, version=finding.version)


@bp.post("/findings/<int:finding_id>/evidence")
@login_required
def upload_evidence(finding_id: int) -> Response:
    finding, subject = load_finding(finding_id)
    if not policy.can_record_findings(current_user, subject.team):
        abort(403)
    back = (
        url_for("findings.visit", visit_id=finding.visit_id, _anchor=f"c{finding.criterion_id}")
        if finding.visit_id
        else url_for("cases.detail", case_id=finding.case_id)
    )
    form = EvidenceForm()
    if not form.validate_on_submit():
        return _answer(False, _first_error(form), back, 400)
    upload = request.files.get("file")
    with service_call(flash_error=False) as done:
        item = services.add_evidence(
            finding,
            stream=upload.stream if upload else None,  # type: ignore[arg-type]
            filename=upload.filename if upload else None,
            client_time=_client_time(_int_or_none(form.taken_ms.data)),
            actor=current_user,
        )
    if not done:
        return _answer(False, done.error, back, 400)
    return _answer(True, _("The file %(name)s was added.", name=item.filename), back, evidence_id=item.id)


@bp.get("/evidence/<int:evidence_id>")
@login_required
def evidence(evidence_id: int) -> Response:
    item = db.session.get(Evidence, evidence_id)
    if item is None:
        abort(404)
    load_finding(item.finding_id)
    path = storage_path(item.sha256)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=item.content_type,
        download_name=item.filename,
        as_attachment=not item.content_type.startswith("image/"),
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- checklist templates (admin) ----------------------------------------------------------


@bp.get("/checklists/")
@login_required
def checklist_index() -> str:
    if not policy.can_view_checklists(current_user):
        abort(403)
    templates = db.session.scalars(
        sa.select(ChecklistTemplate).order_by(ChecklistTemplate.code, ChecklistTemplate.version.desc())
    ).all()
    return render_template("findings/checklists.html", templates=templates, form=ConfirmForm())


@bp.get("/checklists/<int:template_id>")
@login_required
def checklist_detail(template_id: int) -> str:
    if not policy.can_view_checklists(current_user):
        abort(403)
    template = db.get_or_404(ChecklistTemplate, template_id)
    return render_template(
        "findings/checklist.html",
        template=template,
        areas=checklists.tree(template.criteria),
        form=ConfirmForm(),
    )


@bp.post("/checklists/<int:template_id>/new-version")
@login_required
def checklist_new_version(template_id: int) -> Response:
    if not policy.can_manage_checklists(current_user):
        abort(403)
    template = db.get_or_404(ChecklistTemplate, template_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    copy = checklists.new_version(template, actor=current_user)
    db.session.commit()
    flash(_("Version %(n)s was created as a draft.", n=copy.version), "success")
    return redirect(url_for("findings.checklist_detail", template_id=copy.id))


@bp.post("/checklists/<int:template_id>/publish")
@login_required
def checklist_publish(template_id: int) -> Response:
    if not policy.can_manage_checklists(current_user):
        abort(403)
    template = db.get_or_404(ChecklistTemplate, template_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with service_call(_("Version %(n)s is now the one new visits use.", n=template.version)):
        checklists.publish(template, actor=current_user)
    return redirect(url_for("findings.checklist_detail", template_id=template.id))


def _criterion_form(template: ChecklistTemplate, criterion: Criterion | None) -> CriterionForm:
    form = CriterionForm(obj=criterion) if request.method == "GET" else CriterionForm()
    if request.method == "GET" and criterion is not None:
        form.parent_id.data = str(criterion.parent_id or "")
    form.parent_id.choices = [SelectChoice("", _("(an area)"))] + [
        SelectChoice(str(c.id), f"{c.code} {c.text_vi[:60]}")
        for c in template.criteria
        if criterion is None or c.id != criterion.id
    ]
    return form


def _edit_criterion(template: ChecklistTemplate, criterion: Criterion | None) -> str | Response:
    if not policy.can_manage_checklists(current_user):
        abort(403)
    form = _criterion_form(template, criterion)
    if not form.validate_on_submit():
        return render_template("findings/criterion.html", form=form, template=template)
    with service_call(_("Saved.")) as done:
        checklists.save_criterion(
            template,
            criterion=criterion,
            parent_id=parse_id(form.parent_id.data),
            code=form.code.data,
            text_vi=form.text_vi.data,
            text_en=form.text_en.data,
            guidance_vi=form.guidance_vi.data or "",
            guidance_en=form.guidance_en.data or "",
            weight=form.weight.data,
            actor=current_user,
        )
    if not done:
        return render_template("findings/criterion.html", form=form, template=template), 400
    return redirect(url_for("findings.checklist_detail", template_id=template.id))


@bp.route("/checklists/<int:template_id>/criteria/new", methods=["GET", "POST"])
@login_required
def criterion_new(template_id: int) -> str | Response:
    return _edit_criterion(db.get_or_404(ChecklistTemplate, template_id), None)


@bp.route("/checklists/criteria/<int:criterion_id>", methods=["GET", "POST"])
@login_required
def criterion_edit(criterion_id: int) -> str | Response:
    criterion = db.get_or_404(Criterion, criterion_id)
    return _edit_criterion(criterion.template, criterion)
