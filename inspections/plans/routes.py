from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as WerkzeugResponse

from inspections import policy
from inspections.errors import DomainError
from inspections.extensions import db
from inspections.plans import bp
from inspections.plans.forms import ActionForm, CopyForm, PlanForm, ReopenForm
from inspections.plans.models import Plan, TargetKind
from inspections.plans.services import (
    approve_plan,
    close_plan,
    copy_plan,
    create_plan,
    reopen_plan,
    update_plan,
)
from inspections.reports.services import plan_progress, team_progress
from inspections.teams.models import Membership, Team


def load_plan(plan_id: int) -> Plan:
    """The plan, if the current user may see it; 404 otherwise (existence is not revealed)."""
    plan = db.session.get(Plan, plan_id)
    if plan is None or not policy.can_view_plan(current_user, plan):
        abort(404)
    return plan


def _managed_plan(plan_id: int) -> Plan:
    plan = load_plan(plan_id)
    if not policy.can_manage_plan(current_user, plan):
        abort(403)
    return plan


@bp.route("/")
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


@bp.route("/<int:plan_id>")
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
        action_form=ActionForm(formdata=None),
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
        try:
            plan = create_plan(actor=current_user, year=form.year.data, **_plan_args(form))
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            db.session.commit()
            flash(_("Plan created as a draft."))
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
        try:
            update_plan(plan, actor=current_user, **_plan_args(form))
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            db.session.commit()
            flash(_("Plan saved."))
            return redirect(url_for("plans.detail", plan_id=plan.id))
    return render_template("plans/form.html", form=form, plan=plan)


def _transition(plan_id: int, form_class: type, act, done: str) -> WerkzeugResponse:  # noqa: ANN001
    plan = _managed_plan(plan_id)
    form = form_class()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("plans.detail", plan_id=plan.id))
    try:
        result = act(plan, form)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("plans.detail", plan_id=plan.id))
    db.session.commit()
    flash(done)
    target = result if isinstance(result, Plan) else plan
    return redirect(url_for("plans.detail", plan_id=target.id))


@bp.route("/<int:plan_id>/approve", methods=["POST"])
@login_required
def approve(plan_id: int) -> WerkzeugResponse:
    return _transition(
        plan_id,
        ActionForm,
        lambda p, f: approve_plan(p, actor=current_user),
        _("Plan approved: its targets are locked."),
    )


@bp.route("/<int:plan_id>/reopen", methods=["POST"])
@login_required
def reopen(plan_id: int) -> WerkzeugResponse:
    return _transition(
        plan_id,
        ReopenForm,
        lambda p, f: reopen_plan(p, actor=current_user, reason=f.reason.data),
        _("Plan reopened as a draft."),
    )


@bp.route("/<int:plan_id>/close", methods=["POST"])
@login_required
def close(plan_id: int) -> WerkzeugResponse:
    return _transition(plan_id, ActionForm, lambda p, f: close_plan(p, actor=current_user), _("Plan closed."))


@bp.route("/<int:plan_id>/copy", methods=["POST"])
@login_required
def copy(plan_id: int) -> WerkzeugResponse:
    if not policy.can_manage_plans(current_user):
        abort(403)
    plan = load_plan(plan_id)
    form = CopyForm()
    if not form.validate_on_submit():
        flash(_("Enter the year."), "error")
        return redirect(url_for("plans.detail", plan_id=plan.id))
    try:
        new_plan = copy_plan(plan, actor=current_user, year=form.year.data)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("plans.detail", plan_id=plan.id))
    db.session.commit()
    flash(_("New draft plan copied from %(title)s.", title=plan.title))
    return redirect(url_for("plans.detail", plan_id=new_plan.id))


@bp.route("/<int:plan_id>/export.xlsx")
@login_required
def export(plan_id: int) -> Response:
    from inspections.reports.exports import plan_workbook

    plan = load_plan(plan_id)
    data = plan_workbook(plan, viewer=current_user)
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename=plan-{plan.id}.xlsx"},
    )
