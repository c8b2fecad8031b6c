from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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
from inspections.assignments.services import assign, assign_many, teams_for_assignment
from inspections.extensions import db
from inspections.forms import parse_id, without_control_characters
from inspections.listing import read_order
from inspections.teams.forms import AssignForm
from inspections.teams.models import Team, TeamKind
from inspections.units.models import Unit, UnitKind
from inspections.units.services import UNIT_SORTS, district_choices, list_units
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


# A bulk assignment carries at most this many selected units from page to page.
MAX_SELECTED = 500
# What the bulk page's buttons ask for, beside assigning (the default, as from the unit list).
_NAVIGATION = {"search", "select_page", "next", "first", "clear"}


def _ids(values: Iterable[str]) -> list[int]:
    """Ids sent by the client, in order, each once, at most MAX_SELECTED; the rest ignored."""
    return list(dict.fromkeys(i for v in values if (i := parse_id(v.strip()))))[:MAX_SELECTED]


def _bulk_filters(q: str, kind: str, district: str | None) -> dict[str, Any]:
    return {
        "q": without_control_characters(q)[:100].strip(),
        "kind": UnitKind(kind) if kind in {k.value for k in UnitKind} else None,
        "district_id": parse_id(district),
    }


def _back_to_bulk(ids: list[int], *, after: str | None = None) -> Response:
    """The bulk page again, with the form's search, sort, team and the selection `ids`."""
    filters = _bulk_filters(
        request.form.get("q", ""), request.form.get("kind", ""), request.form.get("district")
    )
    args = {
        "q": filters["q"],
        "kind": filters["kind"].value if filters["kind"] else None,
        "district": filters["district_id"],
        "team_id": parse_id(request.form.get("team_id")),
        "sort": request.form.get("sort", "")[:20],
        "order": request.form.get("order", "")[:4],
        "after": after,
        "selected": ",".join(map(str, ids)),
    }
    return redirect(url_for("assignments.bulk", **{k: v for k, v in args.items() if v}))


@bp.get("/bulk")
@login_required
def bulk() -> str:
    """Units searched page by page and ticked: the selection travels in `?selected=` (shown
    as chips) so a new search or the next page keeps it."""
    if not policy.can_manage_units(current_user):
        abort(403)
    filters = _bulk_filters(
        request.args.get("q", ""), request.args.get("kind", ""), request.args.get("district")
    )
    selected_ids = _ids(request.args.get("selected", "").split(","))
    selected = (
        list(
            db.session.scalars(
                policy.visible_units(current_user).where(Unit.id.in_(selected_ids)).order_by(Unit.search_name)
            )
        )
        if selected_ids
        else []
    )
    page = list_units(order=read_order(request.args, UNIT_SORTS, "name"), **filters)
    teams = teams_for_assignment(current_user)
    team_id = parse_id(request.args.get("team_id"))
    chosen = next((t for t in teams if t.id == team_id), teams[0] if teams else None)
    on_page = {u.id for u in page}
    return render_template(
        "assignments/bulk.html",
        page=page,
        filters=filters,
        kinds=list(UnitKind),
        districts=district_choices(),
        selected=selected,
        selected_ids={u.id for u in selected},
        off_page=[u for u in selected if u.id not in on_page],
        teams=teams,
        chosen=chosen,
        max_selected=MAX_SELECTED,
    )


@bp.post("/bulk")
@login_required
def assign_bulk() -> Response:
    if not policy.can_manage_units(current_user):
        abort(403)
    # CSRFProtect has checked the token: this form is plain HTML around a unit list (this
    # blueprint's bulk page, or the unit registry's list, which sends no `action`).
    ids = _ids(request.form.getlist("unit_ids"))
    action = request.form.get("action", "assign")
    unselect = parse_id(request.form.get("unselect"))
    if unselect is not None:
        return _back_to_bulk([i for i in ids if i != unselect], after=request.form.get("after"))
    if action == "select_page":
        ids = _ids([*map(str, ids), *request.form.getlist("page_ids")])
        return _back_to_bulk(ids, after=request.form.get("after"))
    if action in _NAVIGATION:
        after = request.form.get("next_after") if action == "next" else None
        return _back_to_bulk([] if action == "clear" else ids, after=after)
    team_id = parse_id(request.form.get("team_id"))
    if team_id is None:
        flash(_("Choose a team."), "error")
        return _back_to_bulk(ids)
    team = db.session.get(Team, team_id)
    if team is None or not policy.can_manage_team(current_user, team):
        abort(404)
    units = list(
        db.session.scalars(
            policy.visible_units(current_user).where(Unit.id.in_(ids)).order_by(Unit.search_name)
        )
    )
    if not units:
        flash(_("Select at least one unit."), "error")
        return _back_to_bulk(ids)
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
