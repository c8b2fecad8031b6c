from __future__ import annotations

from datetime import UTC, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import contains_eager, joinedload
from werkzeug.wrappers import Response

from inspections import policy
from inspections.extensions import db
from inspections.forms import parse_day, parse_id, without_control_characters
from inspections.i18n import local_moment
from inspections.listing import keyset_page, read_order
from inspections.units.models import Unit
from inspections.units.services import unit_matches
from inspections.visits import bp
from inspections.visits.forms import VisitForm
from inspections.visits.models import Inspection, InspectionKind, InspectionStatus, Visit, VisitStatus
from inspections.visits.services import create_visit
from inspections.web import flash_form_errors, service_call

# The visits list's sorts; the unit's name comes from the join in `index`.
SORTS = {"day": Visit.starts_at, "unit": Unit.search_name, "status": Visit.status}
# "Add a visit by hand" offers this many inspections; a filter finds the others.
CREATABLE_SHOWN = 20


def _filters() -> dict[str, Any]:
    kind = request.args.get("kind", "")
    status = request.args.get("status", "")
    return {
        "plan": parse_id(request.args.get("plan")),
        "team": parse_id(request.args.get("team")),
        "kind": InspectionKind(kind) if kind in {k.value for k in InspectionKind} else None,
        "status": VisitStatus(status) if status in {s.value for s in VisitStatus} else None,
        "since": parse_day(request.args.get("since")),
        "until": parse_day(request.args.get("until")),
        "q": without_control_characters(request.args.get("q", "")).strip()[:100],
    }


def _inspection_filters(query: sa.Select[Any], filters: dict[str, Any]) -> sa.Select[Any]:
    """The filters on the inspection and its unit (`Inspection` and `Unit` joined)."""
    if filters["plan"]:
        query = query.where(Inspection.plan_id == filters["plan"])
    if filters["team"]:
        query = query.where(Inspection.team_id == filters["team"])
    if filters["kind"]:
        query = query.where(Inspection.kind == filters["kind"])
    if filters["q"]:
        query = query.where(unit_matches(filters["q"]))
    return query


@bp.get("/")
@login_required
def index() -> str:
    """The visits the user may see, newest first, a page at a time."""
    if not policy.can_list_visits(current_user):
        abort(403)
    filters = _filters()
    query = (
        policy.visible_visits(current_user)
        .join(Inspection, Inspection.id == Visit.inspection_id)
        .join(Unit, Unit.id == Inspection.unit_id)
        .options(contains_eager(Visit.inspection).contains_eager(Inspection.unit))
    )
    query = _inspection_filters(query, filters)
    if filters["status"]:
        query = query.where(Visit.status == filters["status"])
    if filters["since"]:
        query = query.where(Visit.starts_at >= local_moment(filters["since"], time()).astimezone(UTC))
    if filters["until"]:
        end = local_moment(filters["until"] + timedelta(days=1), time()).astimezone(UTC)
        query = query.where(Visit.starts_at < end)
    order = read_order(request.args, SORTS, "day", descending=True)
    page = keyset_page(query, order=order, sorts=SORTS, id_column=Visit.id)
    return render_template(
        "visits/index.html",
        page=page,
        filters=filters,
        kinds=list(InspectionKind),
        statuses=list(VisitStatus),
        creatable=_creatable(filters),
        form=VisitForm(),
        changeable={
            v.id
            for v in page
            if v.status == VisitStatus.APPROVED
            and (policy.can_change_visit(current_user, v) or policy.can_propose_visit_change(current_user, v))
        },
    )


def _creatable(filters: dict[str, Any]) -> list[Inspection]:
    """Inspections still open to a visit added by hand, within the list's filters."""
    query = (
        policy.visible_inspections(current_user)
        .join(Unit, Unit.id == Inspection.unit_id)
        .where(
            policy.visit_creatable(current_user),
            Inspection.status.in_([InspectionStatus.ASSIGNED, InspectionStatus.SCHEDULED]),
        )
        .options(contains_eager(Inspection.unit), joinedload(Inspection.plan), joinedload(Inspection.team))
        .order_by(Unit.search_name, Inspection.id)
        .limit(CREATABLE_SHOWN)
    )
    # `visit_creatable` is `can_create_visit` as SQL: no second check per row is needed.
    return list(db.session.scalars(_inspection_filters(query, filters)).unique())


@bp.post("/new/<int:inspection_id>")
@login_required
def create(inspection_id: int) -> Response:
    inspection = db.session.scalar(
        policy.visible_inspections(current_user).where(Inspection.id == inspection_id)
    )
    if inspection is None:
        abort(404)
    if not policy.can_create_visit(current_user, inspection):
        abort(403)
    form = VisitForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("visits.index"))
    with service_call(_("The visit was added.")) as done:
        visit = create_visit(inspection, day=form.day.data, slot=form.slot.data, actor=current_user)
    if not done:
        return redirect(url_for("visits.index"))
    return redirect(url_for("findings.visit", visit_id=visit.id))
