from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from inspections import policy
from inspections.assignments import bp
from inspections.assignments.draw import (
    BASE_WEIGHT,
    NEVER_VISITED_YEARS,
    WEIGHTS,
    PoolFilters,
    candidate_pool,
    perform_draw,
    verify_draw,
)
from inspections.assignments.forms import DrawForm
from inspections.assignments.models import SurpriseDraw
from inspections.assignments.services import assign, assign_many
from inspections.extensions import db
from inspections.forms import parse_id
from inspections.teams.forms import AssignForm
from inspections.teams.models import Team, TeamKind
from inspections.units.models import Unit, UnitKind
from inspections.web import flash_form_errors, load_plan, load_team, service_call


@bp.post("/team/<int:team_id>")
@login_required
def assign_one(team_id: int) -> Response:
    team = load_team(team_id)
    if not policy.can_manage_team(current_user, team):
        abort(403)
    back = redirect(url_for("teams.detail", team_id=team.id))
    form = AssignForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return back
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == form.unit_code.data.strip()))
    if unit is None:
        flash(_("No unit has code %(code)s.", code=form.unit_code.data), "error")
        return back
    with service_call(_("%(unit)s assigned to the team.", unit=unit.name)):
        assign(team, unit, actor=current_user, override_reason=form.override_reason.data)
    return back


@bp.post("/bulk")
@login_required
def assign_bulk() -> Response:
    if not policy.can_manage_units(current_user):
        abort(403)
    # CSRFProtect has checked the token: this form is plain HTML around the unit list.
    team_id = parse_id(request.form.get("team_id"))
    if team_id is None:
        flash(_("Choose a team."), "error")
        return redirect(url_for("units.index"))
    team = db.session.get(Team, team_id)
    if team is None or not policy.can_manage_team(current_user, team):
        abort(404)
    ids = [i for v in request.form.getlist("unit_ids") if (i := parse_id(v))][:500]
    units = list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(ids)).order_by(Unit.search_name)))
    if not units:
        flash(_("Select at least one unit."), "error")
        return redirect(url_for("units.index"))
    with service_call() as done:
        result = assign_many(
            team, units, actor=current_user, override_reason=request.form.get("override_reason", "")[:500]
        )
    if done:
        if result.assigned:
            flash(_("%(n)d unit(s) assigned to %(team)s.", n=len(result.assigned), team=team.name), "success")
        for unit, reason in result.refused:
            flash(f"{unit.name}: {reason}", "error")
    return redirect(url_for("teams.detail", team_id=team.id))


def _draw_form(teams: list[Team]) -> DrawForm:
    form = DrawForm()
    form.team_id.choices = [SelectChoice(t.id, t.name) for t in teams]
    districts = db.session.execute(
        sa.select(Unit.id, Unit.name)
        .where(Unit.kind == UnitKind.DISTRICT)
        .order_by(Unit.search_name)
        .limit(200)
    ).all()
    form.district_id.choices = [SelectChoice(0, _("All districts"))] + [
        SelectChoice(i, n) for i, n in districts
    ]
    if not form.is_submitted():
        form.kinds.data = [UnitKind.DISTRICT.value, UnitKind.COMMUNE.value, UnitKind.PUBLIC_SERVICE.value]
    return form


@bp.route("/draw/<int:plan_id>", methods=["GET", "POST"])
@login_required
def draw(plan_id: int) -> str | Response:
    plan = load_plan(plan_id)
    if not policy.can_manage_plan(current_user, plan):
        abort(403)
    teams = list(
        db.session.scalars(
            sa.select(Team)
            .where(Team.plan_id == plan.id, Team.kind == TeamKind.PUBLIC_SERVICE)
            .order_by(Team.id)
        )
    )
    form = _draw_form(teams)
    pool = None
    if form.validate_on_submit():
        team = next((t for t in teams if t.id == form.team_id.data), None)
        filters = PoolFilters(
            kinds=tuple(UnitKind(k) for k in form.kinds.data) or PoolFilters().kinds,
            district_id=form.district_id.data or None,
            not_inspected_months=form.not_inspected_months.data or 0,
        )
        if team is None:
            abort(404)
        if request.form.get("action") == "draw":
            with service_call() as done:
                drawn = perform_draw(team, actor=current_user, count=form.count.data, filters=filters)
            if done:
                flash(
                    _("%(n)d units drawn and assigned to %(team)s.", n=drawn.count, team=team.name), "success"
                )
                return redirect(url_for("assignments.draw_detail", draw_id=drawn.id))
        pool = sorted(candidate_pool(team, filters), key=lambda c: (-c.weight, c.unit.search_name))
    draws = db.session.scalars(
        sa.select(SurpriseDraw).where(SurpriseDraw.plan_id == plan.id).order_by(SurpriseDraw.id)
    ).all()
    return render_template(
        "assignments/draw.html",
        plan=plan,
        form=form,
        pool=pool,
        draws=draws,
        weights=WEIGHTS,
        base_weight=BASE_WEIGHT,
        never_visited_years=NEVER_VISITED_YEARS,
    )


@bp.get("/draws/<int:draw_id>")
@login_required
def draw_detail(draw_id: int) -> str:
    record = db.session.get(SurpriseDraw, draw_id)
    if record is None or not policy.can_manage_plan(current_user, record.plan):
        abort(404)
    result = verify_draw(record)
    units = {
        u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_([u for u, _ in record.pool])))
    }
    return render_template("assignments/draw_detail.html", draw=record, result=result, units=units)
