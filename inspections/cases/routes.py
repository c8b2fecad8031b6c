from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from inspections import policy
from inspections.cases import bp, services
from inspections.cases.forms import AssignForm, AttachmentForm, IntakeForm
from inspections.cases.models import Case, CaseAttachment, CaseStatus
from inspections.documents.models import DocumentKind
from inspections.extensions import db
from inspections.files import storage_path
from inspections.findings import checklists
from inspections.findings.forms import CaseFindingForm, CorrectiveActionForm, EvidenceForm
from inspections.findings.models import Criterion, Finding
from inspections.findings.subject import Subject, documents_of
from inspections.forms import ConfirmForm, parse_id, without_control_characters
from inspections.listing import read_order
from inspections.plans.models import Plan
from inspections.remediation.models import CorrectiveAction
from inspections.teams.models import Team
from inspections.units.models import Unit
from inspections.web import flash_form_errors, load_case, service_call

# A filter's choices: the newest plans, a plan's first teams by name.
MAX_CHOICES = 200


def _filters() -> services.CaseFilters:
    """The list's filters from the query: a value that is none of the list's is no filter."""
    status = request.args.get("status", "")
    return services.CaseFilters(
        plan_id=parse_id(request.args.get("plan")),
        status=CaseStatus(status) if status in {s.value for s in CaseStatus} else None,
        team_id=parse_id(request.args.get("team")),
        q=without_control_characters(request.args.get("q", ""))[:100].strip(),
    )


@bp.get("/")
@login_required
def index() -> str:
    if not policy.can_view_cases(current_user):
        abort(403)
    filters = _filters()
    order = read_order(request.args, services.CASE_SORTS, "received", descending=True)
    page = services.list_cases(current_user, filters, order=order)
    visible_plans = policy.visible_plans(current_user).with_only_columns(Plan.id, Plan.title)
    plans = db.session.execute(
        visible_plans.order_by(Plan.year.desc(), Plan.id.desc()).limit(MAX_CHOICES)
    ).all()
    teams = (
        db.session.execute(
            sa.select(Team.id, Team.name)
            .where(
                Team.plan_id == filters.plan_id, Team.plan_id.in_(visible_plans.with_only_columns(Plan.id))
            )
            .order_by(Team.name, Team.id)
            .limit(MAX_CHOICES)
        ).all()
        if filters.plan_id is not None
        else []
    )
    return render_template(
        "cases/index.html", page=page, filters=filters, plans=plans, teams=teams, statuses=list(CaseStatus)
    )


def _intake_form() -> IntakeForm:
    form = IntakeForm()
    plans = [
        p
        for p in db.session.scalars(sa.select(Plan).order_by(Plan.year.desc()))
        if policy.can_manage_plan(current_user, p)
    ]
    form.plan_id.choices = [SelectChoice(p.id, p.title) for p in plans]
    return form


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> str | Response:
    if not policy.can_manage_cases(current_user):
        abort(403)
    form = _intake_form()
    if not form.validate_on_submit():
        return render_template("cases/new.html", form=form)
    plan = db.session.get(Plan, form.plan_id.data)
    if plan is None or not policy.can_manage_plan(current_user, plan):
        abort(404)
    unit = db.session.scalar(
        sa.select(Unit).where(Unit.code == form.unit_code.data.strip(), Unit.active.is_(True))
    )
    if unit is None:
        form.unit_code.errors = [_("No active unit has this code.")]
        return render_template("cases/new.html", form=form), 400
    upload = request.files.get("attachment")
    with service_call() as done:
        case = services.intake(
            plan,
            unit=unit,
            source=form.source.data,
            title=form.title.data,
            summary=form.summary.data,
            received_on=form.received_on.data,
            actor=current_user,
        )
        if upload and upload.filename:
            services.add_attachment(case, stream=upload.stream, filename=upload.filename, actor=current_user)
    if not done:
        return render_template("cases/new.html", form=form), 400
    flash(_("Case %(ref)s was registered.", ref=case.reference), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


def _team_choices(case: Case) -> list[SelectChoice]:
    return [
        SelectChoice(t.id, t.name)
        for t in db.session.scalars(sa.select(Team).where(Team.plan_id == case.plan_id))
    ]


@bp.get("/<int:case_id>")
@login_required
def detail(case_id: int) -> str:
    case = load_case(case_id)
    findings = db.session.scalars(
        sa.select(Finding)
        .where(Finding.case_id == case.id)
        .options(selectinload(Finding.evidence), joinedload(Finding.author), joinedload(Finding.criterion))
        .order_by(Finding.id)
    ).all()
    actions: dict[int, list[CorrectiveAction]] = {}
    for action in db.session.scalars(
        sa.select(CorrectiveAction).where(CorrectiveAction.finding_id.in_([f.id for f in findings]))
    ):
        actions.setdefault(action.finding_id, []).append(action)
    template = checklists.current_template()
    criteria = (
        [
            c
            for c in db.session.scalars(sa.select(Criterion).where(Criterion.template_id == template.id))
            if c.parent_id
        ]
        if template
        else []
    )
    docs = documents_of(Subject(None, case))
    conclusion = docs.get(DocumentKind.CONCLUSION)
    assign_form = AssignForm()
    assign_form.team_id.choices = _team_choices(case)
    finding_form = CaseFindingForm()
    finding_form.criterion.choices = [SelectChoice("", _("Free-form (no criterion)"))] + [
        SelectChoice(str(c.id), f"{c.code} {c.text(str(current_user.language.value))}")
        for c in sorted(criteria, key=lambda c: c.position)
    ]
    attachments = db.session.scalars(
        sa.select(CaseAttachment).where(CaseAttachment.case_id == case.id).order_by(CaseAttachment.id)
    ).all()
    return render_template(
        "cases/detail.html",
        case=case,
        findings=findings,
        actions=actions,
        attachments=attachments,
        minutes=docs.get(DocumentKind.MINUTES),
        conclusion=conclusion,
        locked=conclusion is not None and conclusion.issued,
        may_manage=policy.can_manage_cases(current_user, case.plan),
        may_record=policy.can_record_findings(current_user, case.team),
        may_lead=policy.is_team_leader(current_user, case.team),
        may_see_names=policy.can_see_named_individuals(current_user, case.team, case.plan),
        assign_form=assign_form,
        finding_form=finding_form,
        evidence_form=EvidenceForm(),
        attachment_form=AttachmentForm(),
        action_form=CorrectiveActionForm(),
        confirm_form=ConfirmForm(),
    )


@bp.post("/<int:case_id>/assign")
@login_required
def assign(case_id: int) -> Response:
    case = load_case(case_id)
    if not policy.can_manage_cases(current_user, case.plan):
        abort(403)
    form = AssignForm()
    form.team_id.choices = _team_choices(case)
    back = url_for("cases.detail", case_id=case.id)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    with service_call() as done:
        services.assign(case, team=db.session.get(Team, form.team_id.data), actor=current_user)
    if done:
        flash(_("The case was assigned to %(team)s.", team=case.team.name), "success")
    return redirect(back)


@bp.post("/<int:case_id>/attachments")
@login_required
def attach(case_id: int) -> Response:
    case = load_case(case_id)
    if not (
        policy.can_manage_cases(current_user, case.plan)
        or policy.can_record_findings(current_user, case.team)
    ):
        abort(403)
    if not AttachmentForm().validate_on_submit():
        abort(400)
    upload = request.files.get("attachment")
    with service_call() as done:
        item = services.add_attachment(
            case,
            stream=upload.stream if upload else None,  # type: ignore[arg-type]
            filename=upload.filename if upload else None,
            actor=current_user,
        )
    if done:
        flash(_("The file %(name)s was added.", name=item.filename), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int) -> Response:
    item = db.get_or_404(CaseAttachment, attachment_id)
    load_case(item.case_id)
    path = storage_path(item.sha256)
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype=item.content_type, download_name=item.filename, as_attachment=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/<int:case_id>/findings")
@login_required
def save_finding(case_id: int) -> Response:
    case = load_case(case_id)
    if not policy.can_record_findings(current_user, case.team):
        abort(403)
    back = url_for("cases.detail", case_id=case.id)
    form = CaseFindingForm()
    form.criterion.choices = [SelectChoice(form.criterion.data or "", "")]  # checked by the service
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    finding = None
    if form.finding_id.data:
        finding_id = parse_id(form.finding_id.data)
        finding = db.session.get(Finding, finding_id) if finding_id else None
        if finding is None or finding.case_id != case.id:
            abort(404)
    with service_call(_("Saved.")):
        services.save_finding(
            case,
            finding=finding,
            criterion_id=parse_id(form.criterion.data),
            result=form.result.data,
            severity=form.severity.data,
            text=form.text.data or "",
            named_individuals=form.named_individuals.data or "",
            expected_version=parse_id(form.version.data),
            actor=current_user,
        )
    return redirect(back)
