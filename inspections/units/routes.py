from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as WerkzeugResponse

from inspections import policy
from inspections.auth.models import Role, User
from inspections.extensions import db
from inspections.forms import parse_id, without_control_characters
from inspections.listing import read_order
from inspections.plans.models import Plan, PlanStatus
from inspections.spreadsheets import CSV_MIMETYPE, XLSX_MIMETYPE, export_locale
from inspections.teams.models import Team
from inspections.units import bp
from inspections.units.forms import UnitForm
from inspections.units.models import DivisionType, Language, Unit, UnitKind
from inspections.units.services import (
    UNIT_SORTS,
    ContactInput,
    create_unit,
    district_choices,
    list_units,
    primary_contact,
    unit_query,
    update_unit,
)
from inspections.units.transfer import FORMATS, export_units
from inspections.visits.models import Inspection
from inspections.web import service_call


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def load_unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    return unit


def _filters() -> dict[str, object]:
    """The list's filters from the query; an id no unit can have (a 20-digit number) is no
    filter rather than a database overflow."""
    kind = request.args.get("kind", "")
    return {
        "q": without_control_characters(request.args.get("q", ""))[:100],
        "kind": UnitKind(kind) if kind in {k.value for k in UnitKind} else None,
        "district_id": parse_id(request.args.get("district")),
    }


@bp.get("/")
@login_required
def index() -> str:
    _require(policy.can_view_units(current_user))
    filters = _filters()
    page = list_units(order=read_order(request.args, UNIT_SORTS, "name"), **filters)
    districts = district_choices()
    query_args = {k: v for k, v in request.args.items() if k in ("q", "kind", "district") and v}
    return render_template(
        "units/index.html",
        page=page,
        filters=filters,
        query_args=query_args,
        kinds=list(UnitKind),
        districts=districts,
        teams=_assignable_teams() if policy.can_manage_units(current_user) else [],
    )


def _assignable_teams() -> list[Team]:
    """The teams of the open plans this user coordinates (an admin: of every open plan),
    for bulk assignment from the list; the newest plan's first, as that is the one at work."""
    query = (
        sa.select(Team)
        .join(Plan, Plan.id == Team.plan_id)
        .where(Plan.status != PlanStatus.CLOSED)
        .options(selectinload(Team.plan).selectinload(Plan.coordinators))
        .order_by(Plan.year.desc(), Plan.id.desc(), Team.id)
        .limit(200)
    )
    if current_user.role != Role.ADMIN:
        query = query.where(Plan.coordinators.any(User.id == current_user.id))
    return [t for t in db.session.scalars(query) if policy.can_manage_team(current_user, t)]


@bp.get("/<int:unit_id>")
@login_required
def detail(unit_id: int) -> str:
    _require(policy.can_view_units(current_user))
    unit = load_unit(unit_id)
    inspections = db.session.scalars(
        policy.visible_inspections(current_user).where(Inspection.unit_id == unit.id).order_by(Inspection.id)
    ).all()
    children = db.session.scalars(
        sa.select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.search_name, Unit.id).limit(200)
    ).all()
    return render_template("units/detail.html", unit=unit, inspections=inspections, children=children)


def _by_code(code: str) -> Unit | None:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code.strip())) if code.strip() else None


def _unit_args(form: UnitForm) -> dict[str, object] | None:
    parent, district = _by_code(form.parent_code.data or ""), _by_code(form.district_code.data or "")
    ok = True
    if form.parent_code.data and parent is None:
        form.parent_code.errors.append(_("No unit has code %(code)s.", code=form.parent_code.data))
        ok = False
    if form.district_code.data and district is None:
        form.district_code.errors.append(_("No unit has code %(code)s.", code=form.district_code.data))
        ok = False
    contact = None
    if form.contact_email.data:
        contact = ContactInput(
            form.contact_name.data or form.contact_email.data,
            form.contact_email.data,
            Language(form.contact_language.data),
        )
    if not ok:
        return None
    return {
        "name": form.name.data,
        "name_en": form.name_en.data,
        "address": form.address.data,
        "kind": UnitKind(form.kind.data),
        "division_type": DivisionType(form.division_type.data) if form.division_type.data else None,
        "parent": parent,
        "district": district,
        "active": form.active.data,
        "contact": contact,
    }


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> str | WerkzeugResponse:
    _require(policy.can_manage_units(current_user))
    form = UnitForm()
    if form.validate_on_submit() and (args := _unit_args(form)) is not None:
        with service_call() as done:
            unit = create_unit(actor=current_user, code=form.code.data, **args)
        if done:
            flash(_("Unit %(name)s registered.", name=unit.name), "success")
            return redirect(url_for("units.detail", unit_id=unit.id))
    return render_template("units/form.html", form=form, unit=None)


@bp.route("/<int:unit_id>/edit", methods=["GET", "POST"])
@login_required
def edit(unit_id: int) -> str | WerkzeugResponse:
    _require(policy.can_manage_units(current_user))
    unit = load_unit(unit_id)
    contact = primary_contact(unit)
    form = UnitForm(
        data={
            "code": unit.code,
            "name": unit.name,
            "name_en": unit.name_en,
            "address": unit.address,
            "kind": unit.kind.value,
            "division_type": unit.division_type.value if unit.division_type else "",
            "parent_code": unit.parent.code if unit.parent else "",
            "district_code": unit.district.code if unit.district else "",
            "active": unit.active,
            "contact_name": contact.name if contact else "",
            "contact_email": contact.email if contact else "",
            "contact_language": contact.language.value if contact else "vi",
        }
        if request.method == "GET"
        else None
    )
    form.code.data = unit.code  # the code is the unit's identity in imports: it does not change
    if form.validate_on_submit() and (args := _unit_args(form)) is not None:
        with service_call() as done:
            update_unit(unit, actor=current_user, **args)
        if done:
            flash(_("Unit %(name)s saved.", name=unit.name), "success")
            return redirect(url_for("units.detail", unit_id=unit.id))
    return render_template("units/form.html", form=form, unit=unit)


# --- import and export --------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_file() -> WerkzeugResponse:
    """The old address of the unit import: imports are jobs now (inspections/imports)."""
    _require(policy.can_manage_units(current_user))
    return redirect(url_for("imports.index", kind="units"), code=303)


@bp.get("/export.<fmt>")
@login_required
def export(fmt: str) -> Response:
    _require(policy.can_view_units(current_user))
    if fmt not in FORMATS:
        abort(404)
    filters = _filters()
    with export_locale(request.args.get("lang")):  # Vietnamese unless asked otherwise
        data = export_units(unit_query(**filters), fmt)
    mimetype = CSV_MIMETYPE if fmt == "csv" else XLSX_MIMETYPE
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename=units.{fmt}"}
    )


# --- suggestions for the pickers (inspections/static/pickers.js) ----------------------------

# A picker shows at most this many units: the person types more to narrow them down.
SUGGESTED_UNITS = 20


@bp.get("/suggest")
@login_required
def suggest() -> Response:
    """Units the user may see (`policy.visible_units`) whose name holds `?q=` (accent-free)
    or whose code starts with it, the exact code first; `?kind=` and `?active=1` narrow them."""
    _require(policy.can_view_units(current_user))
    q = without_control_characters(request.args.get("q", ""))[:100].strip()
    if not q:
        return current_app.json.response(results=[])
    prefix = q.replace("!", "!!").replace("%", "!%").replace("_", "!_")
    named = Unit.id.in_(unit_query(q=q).with_only_columns(Unit.id))
    query = policy.visible_units(current_user).where(sa.or_(named, Unit.code.like(f"{prefix}%", escape="!")))
    kind = request.args.get("kind", "")
    if kind in {k.value for k in UnitKind}:
        query = query.where(Unit.kind == UnitKind(kind))
    if request.args.get("active") == "1":
        query = query.where(Unit.active.is_(True))
    units = db.session.scalars(
        query.options(selectinload(Unit.parent))
        .order_by(sa.case((Unit.code == q, 0), else_=1), Unit.search_name, Unit.id)
        .limit(SUGGESTED_UNITS)
    )
    results = [
        {"value": u.code, "text": u.name, "hint": f"{u.code} · {u.parent.name}" if u.parent else u.code}
        for u in units
    ]
    return current_app.json.response(results=results)
