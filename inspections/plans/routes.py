from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as WerkzeugResponse

from inspections import policy
from inspections.extensions import db
from inspections.forms import BaseForm, ConfirmForm
from inspections.plans import bp
from inspections.plans.exports import plan_workbook
from inspections.plans.forms import CopyForm, PlanForm, ReopenForm
from inspections.plans.models import Plan, TargetKind
from inspections.plans.progress import plan_progress, team_progress
from inspections.plans.services import (
    approve_plan,
    close_plan,
    copy_plan,
    create_plan,
    reopen_plan,
    update_plan,
)
from inspections.spreadsheets import XLSX_MIMETYPE
from inspections.teams.models import Membership, Team
from inspections.web import flash_form_errors, load_plan, service_call


def _managed_plan(plan_id: int) -> Plan:
    plan = load_plan(plan_id)
    if not policy.can_manage_plan(current_user, plan):
        abort(403)
    return plan


@bp.get("/")
@login_required
def index() -> str:
    if not policy.can_view_plans(current_user):
        abort(403)
    plans = list(
        db.session.scalars(
            policy.visible_plans(current_user)
            .options(selectinload(Plan.targets))
            .order_by(Plan.year.desc(), Plan.id.desc())
        )
    )
    return render_template("plans/index.html", plans=plans, progress=plan_progress(plans))


@bp.get("/<int:plan_id>")
@login_required
def detail(plan_id: int) -> str:
    plan = load_plan(plan_id)
    teams = db.session.scalars(
        db.select(Team)
        .where(Team.plan_id == plan.id)
        .options(
            selectinload(Team.memberships).selectinload(Membership.user),
            selectinload(Team.memberships).selectinload(Membership.home_unit),
        )
        .order_by(Team.id)
    ).all()
    return render_template(
        "plans/detail.html",
        plan=plan,
        teams=teams,
        progress=plan_progress([plan])[plan.id],
        team_progress=team_progress(plan),
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
    return Response(
        plan_workbook(plan, viewer=current_user),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": f"attachment; filename=plan-{plan.id}.xlsx"},
    )
