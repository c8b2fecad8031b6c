from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from inspections import policy
from inspections.auth.models import User
from inspections.extensions import db
from inspections.forms import ConfirmForm
from inspections.teams import bp
from inspections.teams.forms import AssignForm, MemberForm, TeamForm
from inspections.teams.models import Membership, Team, TeamKind, TeamRole
from inspections.teams.services import add_member, create_team, remove_member
from inspections.units.models import Unit
from inspections.visits.models import Inspection
from inspections.web import flash_form_errors, load_plan, load_team, service_call


@bp.route("/new/<int:plan_id>", methods=["GET", "POST"])
@login_required
def new(plan_id: int) -> str | Response:
    plan = load_plan(plan_id)
    if not policy.can_manage_plan(current_user, plan):
        abort(403)
    form = TeamForm()
    if form.validate_on_submit():
        with service_call() as done:
            team = create_team(
                plan,
                actor=current_user,
                name=form.name.data,
                kind=TeamKind(form.kind.data),
                decision_number=form.decision_number.data,
                decision_date=form.decision_date.data,
                decision_signer=form.decision_signer.data,
                visits_per_day=form.visits_per_day.data,
            )
        if done:
            flash(_("Team %(name)s formed.", name=team.name), "success")
            return redirect(url_for("teams.detail", team_id=team.id))
    return render_template("teams/new.html", form=form, plan=plan)


@bp.get("/<int:team_id>")
@login_required
def detail(team_id: int) -> str:
    team = load_team(team_id)
    inspections = db.session.scalars(
        policy.visible_inspections(current_user)
        .where(Inspection.team_id == team.id)
        .options(selectinload(Inspection.unit))
        .order_by(Inspection.id)
    ).all()
    return render_template(
        "teams/detail.html",
        team=team,
        inspections=inspections,
        member_form=MemberForm(formdata=None),
        assign_form=AssignForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        can_manage=policy.can_manage_team(current_user, team),
    )


def _back(team: Team) -> Response:
    return redirect(url_for("teams.detail", team_id=team.id))


@bp.post("/<int:team_id>/members")
@login_required
def add(team_id: int) -> Response:
    team = load_team(team_id)
    if not policy.can_manage_team(current_user, team):
        abort(403)
    form = MemberForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(team)
    user = db.session.scalar(sa.select(User).where(User.username == form.username.data.strip()))
    home = None
    if form.home_unit_code.data:
        home = db.session.scalar(sa.select(Unit).where(Unit.code == form.home_unit_code.data.strip()))
        if home is None:
            flash(_("No unit has code %(code)s.", code=form.home_unit_code.data), "error")
            return _back(team)
    if user is None or not user.active:
        flash(_("No active user is called %(name)s.", name=form.username.data), "error")
        return _back(team)
    with service_call(_("%(name)s joined the team.", name=user.full_name)) as done:
        _membership, conflicts = add_member(
            team, actor=current_user, user=user, role=TeamRole(form.role.data), home_unit=home
        )
    if done and conflicts:
        names = ", ".join(i.unit.name for i in conflicts)
        flash(_("New conflicts of interest with this member: %(units)s.", units=names), "error")
    return _back(team)


@bp.post("/<int:team_id>/members/<int:membership_id>/remove")
@login_required
def remove(team_id: int, membership_id: int) -> Response:
    team = load_team(team_id)
    if not policy.can_manage_team(current_user, team):
        abort(403)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.team_id != team.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        with service_call(_("The member has left the team.")):
            remove_member(membership, actor=current_user)
    return _back(team)
