from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from inspections import policy
from inspections.auth.models import User
from inspections.extensions import db
from inspections.forms import ConfirmForm, without_control_characters
from inspections.listing import Order, read_order
from inspections.teams import bp
from inspections.teams.forms import AssignForm, MemberForm, TeamForm
from inspections.teams.models import Membership, Team, TeamKind, TeamRole
from inspections.teams.services import (
    INSPECTION_SORTS,
    MEMBER_SORTS,
    add_member,
    create_team,
    list_inspections,
    list_members,
    remove_member,
    suggest_people,
    suggest_teams,
)
from inspections.units.models import Unit
from inspections.visits.models import InspectionStatus
from inspections.web import flash_form_errors, load_plan, load_team, service_call

# Members shown on the team page; the members page has them all, page by page.
MEMBERS_SHOWN = 20


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
    status = request.args.get("status", "")
    page = list_inspections(
        current_user,
        team,
        status=InspectionStatus(status) if status in {s.value for s in InspectionStatus} else None,
        q=without_control_characters(request.args.get("q", ""))[:100].strip(),
        order=read_order(request.args, INSPECTION_SORTS, "unit"),
    )
    # The first members (heads first); the whole list, page by page, on the members page.
    members = list_members(team, order=Order("role", False, None), size=MEMBERS_SHOWN)
    return render_template(
        "teams/detail.html",
        team=team,
        page=page,
        status=status,
        statuses=list(InspectionStatus),
        q=request.args.get("q", "")[:100],
        members=members,
        member_form=MemberForm(formdata=None),
        assign_form=AssignForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        can_manage=policy.can_manage_team(current_user, team),
    )


@bp.get("/<int:team_id>/members")
@login_required
def members(team_id: int) -> str:
    """The team's members, page by page: the plan page links here (teams shown collapsed)."""
    team = load_team(team_id)
    page = list_members(team, order=read_order(request.args, MEMBER_SORTS, "role"))
    return render_template(
        "teams/members.html",
        team=team,
        page=page,
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


# --- suggestions for the pickers (inspections/static/pickers.js): JSON, at most 20 ---------


def _query_text() -> str:
    return without_control_characters(request.args.get("q", ""))[:100].strip()


@bp.get("/suggest")
@login_required
def suggest() -> Response:
    """Teams the user may assign units to, by name or plan title."""
    if not policy.can_manage_plans(current_user):
        abort(403)
    teams = suggest_teams(current_user, _query_text())
    results = [{"value": str(t.id), "text": t.name, "hint": t.plan.title} for t in teams]
    return jsonify(results=results)


@bp.get("/<int:team_id>/people/suggest")
@login_required
def people_suggest(team_id: int) -> Response:
    """People who may join the team, by username, email or name: for its manager only."""
    team = db.session.get(Team, team_id)
    if team is None or not policy.can_manage_team(current_user, team):
        abort(404)
    results = [
        {
            "value": u.username,
            "text": u.full_name,
            "hint": " · ".join(x for x in (u.username, u.home_unit.name if u.home_unit else "") if x),
        }
        for u in suggest_people(current_user, team, _query_text())
    ]
    return jsonify(results=results)
