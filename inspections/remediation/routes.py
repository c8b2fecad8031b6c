from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from inspections import policy
from inspections.errors import DomainError
from inspections.extensions import db
from inspections.findings.forms import ActionForm, PlainForm
from inspections.findings.loaders import load_finding
from inspections.remediation import bp, services
from inspections.remediation.forms import ReportForm, ReturnForm
from inspections.remediation.models import CorrectiveAction
from inspections.web import next_path


def _back(default: str) -> str:
    return next_path(default)


def _load_action(action_id: int) -> CorrectiveAction:
    action = db.session.scalar(policy.visible_actions(current_user).where(CorrectiveAction.id == action_id))
    if action is None:
        abort(404)
    return action


def _done(message: str, back: str) -> Response:
    db.session.commit()
    flash(message, "success")
    return redirect(back)


def _refused(exc: DomainError, back: str) -> Response:
    db.session.rollback()
    flash(str(exc.message), "error")
    return redirect(back)


@bp.route("/")
@login_required
def index() -> str:
    actions = db.session.scalars(
        policy.visible_actions(current_user)
        .options(joinedload(CorrectiveAction.unit), joinedload(CorrectiveAction.finding))
        .order_by(CorrectiveAction.due_on, CorrectiveAction.id)
        .limit(500)
    ).all()
    verifiable = set(
        db.session.scalars(
            policy.verifiable_action_ids(current_user).where(CorrectiveAction.id.in_([a.id for a in actions]))
        )
    )
    return render_template(
        "remediation/index.html",
        actions=actions,
        verifiable=verifiable,
        report_form=ReportForm(),
        return_form=ReturnForm(),
        plain_form=PlainForm(),
    )


@bp.route("/finding/<int:finding_id>", methods=["POST"])
@login_required
def create(finding_id: int) -> Response:
    finding, subject = load_finding(finding_id)
    if not policy.is_team_leader(current_user, subject.team):
        abort(403)
    back = _back(url_for("remediation.index"))
    form = ActionForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "error")
        return redirect(back)
    try:
        services.add_action(
            finding,
            description=form.description.data,
            working_days=form.working_days.data,
            unit_id=subject.unit.id,
            actor=current_user,
        )
    except DomainError as exc:
        return _refused(exc, back)
    return _done(_("The corrective action was added."), back)


@bp.route("/<int:action_id>/report", methods=["POST"])
@login_required
def report(action_id: int) -> Response:
    action = _load_action(action_id)
    if not policy.can_report_action(current_user, action):
        abort(403)
    back = url_for("remediation.index")
    form = ReportForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "error")
        return redirect(back)
    try:
        services.report(action, text=form.text.data, actor=current_user)
    except DomainError as exc:
        return _refused(exc, back)
    return _done(_("Your report was sent to the inspection team."), back)


def _leader_action(action_id: int) -> CorrectiveAction:
    action = _load_action(action_id)
    _finding, subject = load_finding(action.finding_id)
    if not policy.is_team_leader(current_user, subject.team):
        abort(403)
    return action


@bp.route("/<int:action_id>/accept", methods=["POST"])
@login_required
def accept(action_id: int) -> Response:
    action = _leader_action(action_id)
    back = _back(url_for("remediation.index"))
    if not PlainForm().validate_on_submit():
        abort(400)
    try:
        services.accept(action, actor=current_user)
    except DomainError as exc:
        return _refused(exc, back)
    return _done(_("The report was accepted."), back)


@bp.route("/<int:action_id>/return", methods=["POST"])
@login_required
def return_report(action_id: int) -> Response:
    action = _leader_action(action_id)
    back = _back(url_for("remediation.index"))
    form = ReturnForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "error")
        return redirect(back)
    try:
        services.return_report(action, reason=form.reason.data, actor=current_user)
    except DomainError as exc:
        return _refused(exc, back)
    return _done(_("The report was returned to the unit."), back)
