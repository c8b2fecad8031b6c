"""Corrective actions (set, reported on, accepted or returned) and the coordinator's
decisions on requests for more time."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from inspections import policy
from inspections.auth.models import Role
from inspections.extensions import db
from inspections.findings.forms import CorrectiveActionForm
from inspections.findings.loaders import load_finding
from inspections.forms import ConfirmForm, parse_id, without_control_characters
from inspections.i18n import today
from inspections.listing import read_order
from inspections.plans.models import Plan
from inspections.remediation import bp, services
from inspections.remediation.forms import DecisionForm, ReportForm, ReturnForm
from inspections.remediation.models import ActionStatus, CorrectiveAction, ExtensionRequest, ExtensionStatus
from inspections.units.services import district_choices
from inspections.web import flash_form_errors, next_path, service_call

# A filter's choices: the newest plans, the first districts by name.
MAX_CHOICES = 200


def _load_action(action_id: int) -> CorrectiveAction:
    action = db.session.scalar(policy.visible_actions(current_user).where(CorrectiveAction.id == action_id))
    if action is None:
        abort(404)
    return action


def _leader_action(action_id: int) -> CorrectiveAction:
    action = _load_action(action_id)
    _finding, subject = load_finding(action.finding_id)
    if not policy.is_team_leader(current_user, subject.team):
        abort(403)
    return action


def _plan_choices() -> list[tuple[int, str]]:
    """The plans a filter may name: the newest the viewer may see (bounded)."""
    if not policy.can_view_plans(current_user):
        return []
    return [
        tuple(row)
        for row in db.session.execute(
            policy.visible_plans(current_user)
            .with_only_columns(Plan.id, Plan.title)
            .order_by(Plan.year.desc(), Plan.id.desc())
            .limit(MAX_CHOICES)
        )
    ]


def _district_choices() -> list[tuple[int, str]]:
    if current_user.role == Role.UNIT_CONTACT:
        return []  # their own unit's actions only
    return district_choices()


def _filters() -> services.ActionFilters:
    """The list's filters from the query: a value that is none of the list's is no filter."""
    status = request.args.get("status", "")
    return services.ActionFilters(
        plan_id=parse_id(request.args.get("plan")),
        status=ActionStatus(status) if status in {s.value for s in ActionStatus} else None,
        overdue=request.args.get("overdue") == "1",
        q=without_control_characters(request.args.get("q", ""))[:100].strip(),
        district_id=parse_id(request.args.get("district")),
    )


@bp.get("/")
@login_required
def index() -> str:
    filters = _filters()
    page = services.list_actions(
        current_user,
        filters,
        order=read_order(request.args, services.ACTION_SORTS, "due"),
        today=today(),
    )
    ids = [a.id for a in page]
    verifiable = (
        set(
            db.session.scalars(policy.verifiable_action_ids(current_user).where(CorrectiveAction.id.in_(ids)))
        )
        if ids
        else set()
    )
    return render_template(
        "remediation/index.html",
        page=page,
        filters=filters,
        statuses=list(ActionStatus),
        plans=_plan_choices(),
        districts=_district_choices(),
        uploads=services.uploads_of(ids),
        verifiable=verifiable,
        report_form=ReportForm(),
        return_form=ReturnForm(),
        confirm_form=ConfirmForm(),
    )


@bp.post("/finding/<int:finding_id>")
@login_required
def create(finding_id: int) -> Response:
    finding, subject = load_finding(finding_id)
    if not policy.is_team_leader(current_user, subject.team):
        abort(403)
    back = next_path(url_for("remediation.index"))
    form = CorrectiveActionForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    with service_call(_("The corrective action was added.")):
        services.add_action(
            finding,
            description=form.description.data,
            working_days=form.working_days.data,
            unit_id=subject.unit.id,
            actor=current_user,
        )
    return redirect(back)


@bp.post("/<int:action_id>/report")
@login_required
def report(action_id: int) -> Response:
    action = _load_action(action_id)
    if not policy.can_report_action(current_user, action):
        abort(403)
    back = url_for("remediation.index")
    form = ReportForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    with service_call(_("Your report was sent to the inspection team.")):
        services.report(action, text=form.text.data, actor=current_user)
    return redirect(back)


@bp.post("/<int:action_id>/accept")
@login_required
def accept(action_id: int) -> Response:
    action = _leader_action(action_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with service_call(_("The report was accepted.")):
        services.accept(action, actor=current_user)
    return redirect(next_path(url_for("remediation.index")))


@bp.post("/<int:action_id>/return")
@login_required
def return_report(action_id: int) -> Response:
    action = _leader_action(action_id)
    back = next_path(url_for("remediation.index"))
    form = ReturnForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    with service_call(_("The report was returned to the unit.")):
        services.return_report(action, reason=form.reason.data, actor=current_user)
    return redirect(back)


# --- the coordinator decides on requests for more time --------------------------------------


def _require_decider() -> None:
    if not policy.can_decide_extensions(current_user):
        abort(403)


@bp.get("/extensions/")
@login_required
def extensions() -> str:
    _require_decider()
    status = request.args.get("status", "")
    filters = _filters()
    page = services.list_extension_requests(
        current_user,
        services.ActionFilters(plan_id=filters.plan_id, q=filters.q),
        status=ExtensionStatus(status) if status in {s.value for s in ExtensionStatus} else None,
        order=read_order(request.args, services.EXTENSION_SORTS, "status"),
        today=today(),
    )
    return render_template(
        "remediation/extensions.html",
        page=page,
        filters=filters,
        status=status,
        statuses=list(ExtensionStatus),
        plans=_plan_choices(),
        form=DecisionForm(),
    )


@bp.post("/extensions/<int:request_id>/decide")
@login_required
def decide(request_id: int) -> Response:
    _require_decider()
    req = db.session.scalar(
        policy.visible_extension_requests(current_user).where(ExtensionRequest.id == request_id)
    )
    if req is None:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("remediation.extensions"))
    with service_call(_("The decision was recorded and sent to the unit.")):
        services.decide_extension(
            req,
            grant=request.form.get("decision") == "grant",
            actor=current_user,
            granted_on=form.granted_on.data,
            note=form.note.data or "",
        )
    return redirect(url_for("remediation.extensions"))


# --- the old addresses of the coordinator's pages (bookmarked): 308 to the new ones ----------


def extensions_moved() -> Response:
    return redirect(url_for("remediation.extensions"), 308)


def decide_moved(request_id: int) -> Response:
    return redirect(url_for("remediation.decide", request_id=request_id), 308)


@bp.record_once
def _serve_old_addresses(state: BlueprintSetupState) -> None:
    """Outside the blueprint's /actions prefix, so added to the app itself. A redirect
    reveals nothing: the page it leads to asks for the login."""
    state.app.add_url_rule("/extensions/", "remediation.extensions_moved", extensions_moved)
    state.app.add_url_rule(
        "/extensions/<int:request_id>/decide", "remediation.decide_moved", decide_moved, methods=["POST"]
    )
