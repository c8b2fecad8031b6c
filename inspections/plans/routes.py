from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as WerkzeugResponse

from inspections import policy
from inspections.forms import (
    FIRST_YEAR,
    LAST_YEAR,
    BaseForm,
    ConfirmForm,
    parse_id,
    without_control_characters,
)
from inspections.listing import read_order
from inspections.plans import bp
from inspections.plans.exports import findings_export, plan_workbook
from inspections.plans.forms import CopyForm, PlanForm, ReopenForm
from inspections.plans.models import Plan, PlanStatus, TargetKind
from inspections.plans.progress import plan_progress, team_progress
from inspections.plans.services import (
    PLAN_SORTS,
    TEAM_SORTS,
    approve_plan,
    close_plan,
    copy_plan,
    create_plan,
    list_plans,
    plan_teams,
    reopen_plan,
    update_plan,
)
from inspections.spreadsheets import CSV_MIMETYPE, XLSX_MIMETYPE, export_locale
from inspections.teams.models import TeamKind
from inspections.web import flash_form_errors, load_plan, service_call

E = TypeVar("E", bound=StrEnum)


def _managed_plan(plan_id: int) -> Plan:
    plan = load_plan(plan_id)
    if not policy.can_manage_plan(current_user, plan):
        abort(403)
    return plan


def _choice(value: str | None, enum: type[E]) -> E | None:
    """The enum member the query names, None for anything else (no filter)."""
    return enum(value) if value in {m.value for m in enum} else None


@bp.get("/")
@login_required
def index() -> str:
    if not policy.can_view_plans(current_user):
        abort(403)
    year = parse_id(request.args.get("year"))
    status = _choice(request.args.get("status"), PlanStatus)
    page = list_plans(
        current_user,
        year=year if year is not None and FIRST_YEAR <= year <= LAST_YEAR else None,
        status=status,
        order=read_order(request.args, PLAN_SORTS, "year", descending=True),
    )
    return render_template(
        "plans/index.html",
        page=page,
        progress=plan_progress(page.rows),
        year=request.args.get("year", "")[:4] if year else "",
        status=status,
        statuses=list(PlanStatus),
    )


@bp.get("/<int:plan_id>")
@login_required
def detail(plan_id: int) -> str:
    plan = load_plan(plan_id)
    kind = _choice(request.args.get("kind"), TeamKind)
    q = without_control_characters(request.args.get("q", ""))[:100].strip()
    teams = plan_teams(plan, kind=kind, q=q, order=read_order(request.args, TEAM_SORTS, "name"))
    return render_template(
        "plans/detail.html",
        plan=plan,
        teams=teams,
        kind=kind,
        kinds=list(TeamKind),
        q=q,
        progress=plan_progress([plan])[plan.id],
        team_progress=team_progress(plan, [t.team.id for t in teams]),
        can_manage=policy.can_manage_plan(current_user, plan),
        confirm_form=ConfirmForm(formdata=None),
        reopen_form=ReopenForm(formdata=None),
        copy_form=CopyForm(formdata=None, year=plan.year + 1),
    )


def _plan_args(form: PlanForm) -> dict[str, object]:
    return {
        "title": form.title.data,
        "number": form.number.data,
        "issued_on": form.issued_on.data,
        "window_start": form.window_start.data,
        "window_end": form.window_end.data,
        "content_areas": form.content_areas.data or "",
        "notice_working_days": form.notice_working_days.data,
        "targets": {
            TargetKind.JOINT: form.joint.data,
            TargetKind.SURPRISE: form.surprise.data,
            TargetKind.CASE: form.case.data,
        },
    }


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> str | WerkzeugResponse:
    if not policy.can_manage_plans(current_user):
        abort(403)
    form = PlanForm()
    if form.validate_on_submit():
        with service_call(_("Plan created as a draft.")) as done:
            plan = create_plan(actor=current_user, year=form.year.data, **_plan_args(form))
        if done:
            return redirect(url_for("plans.detail", plan_id=plan.id))
    return render_template("plans/form.html", form=form, plan=None)


@bp.route("/<int:plan_id>/edit", methods=["GET", "POST"])
@login_required
def edit(plan_id: int) -> str | WerkzeugResponse:
    plan = _managed_plan(plan_id)
    form = PlanForm(
        obj=plan,
        joint=plan.target(TargetKind.JOINT),
        surprise=plan.target(TargetKind.SURPRISE),
        case=plan.target(TargetKind.CASE),
    )
    form.year.data = plan.year  # the year is the plan's identity; copy the plan for another year
    if form.validate_on_submit():
        with service_call(_("Plan saved.")) as done:
            update_plan(plan, actor=current_user, **_plan_args(form))
        if done:
            return redirect(url_for("plans.detail", plan_id=plan.id))
    return render_template("plans/form.html", form=form, plan=plan)


def _transition(plan_id: int, form: BaseForm, act: Callable[[Plan], None], done: str) -> WerkzeugResponse:
    plan = _managed_plan(plan_id)
    if not form.validate_on_submit():
        flash_form_errors(form)
    else:
        with service_call(done):
            act(plan)
    return redirect(url_for("plans.detail", plan_id=plan.id))


@bp.post("/<int:plan_id>/approve")
@login_required
def approve(plan_id: int) -> WerkzeugResponse:
    return _transition(
        plan_id,
        ConfirmForm(),
        lambda plan: approve_plan(plan, actor=current_user),
        _("Plan approved: its targets are locked."),
    )


@bp.post("/<int:plan_id>/reopen")
@login_required
def reopen(plan_id: int) -> WerkzeugResponse:
    form = ReopenForm()
    return _transition(
        plan_id,
        form,
        lambda plan: reopen_plan(plan, actor=current_user, reason=form.reason.data),
        _("Plan reopened as a draft."),
    )


@bp.post("/<int:plan_id>/close")
@login_required
def close(plan_id: int) -> WerkzeugResponse:
    return _transition(
        plan_id, ConfirmForm(), lambda plan: close_plan(plan, actor=current_user), _("Plan closed.")
    )


@bp.post("/<int:plan_id>/copy")
@login_required
def copy(plan_id: int) -> WerkzeugResponse:
    if not policy.can_manage_plans(current_user):
        abort(403)
    plan = load_plan(plan_id)
    form = CopyForm()
    if not form.validate_on_submit():
        flash(_("Enter the year."), "error")
        return redirect(url_for("plans.detail", plan_id=plan.id))
    with service_call(_("New draft plan copied from %(title)s.", title=plan.title)) as done:
        new_plan = copy_plan(plan, actor=current_user, year=form.year.data)
    return redirect(url_for("plans.detail", plan_id=new_plan.id if done else plan.id))


@bp.get("/<int:plan_id>/export.xlsx")
@login_required
def export(plan_id: int) -> Response:
    plan = load_plan(plan_id)
    with export_locale(request.args.get("lang")):  # Vietnamese unless asked otherwise
        data = plan_workbook(plan, viewer=current_user)
    return Response(
        data,
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": f"attachment; filename=plan-{plan.id}.xlsx"},
    )


@bp.get("/<int:plan_id>/findings.<fmt>")
@login_required
def export_findings(plan_id: int, fmt: str) -> Response:
    """The plan's findings and corrective actions: whoever may see the plan, each finding
    only if they may see its visit or case (a unit contact sees no plan)."""
    plan = load_plan(plan_id)
    if fmt not in ("xlsx", "csv"):
        abort(404)
    with export_locale(request.args.get("lang")):
        data = findings_export(plan, fmt, viewer=current_user)
    return Response(
        data,
        mimetype=CSV_MIMETYPE if fmt == "csv" else XLSX_MIMETYPE,
        headers={"Content-Disposition": f"attachment; filename=plan-{plan.id}-findings.{fmt}"},
    )
