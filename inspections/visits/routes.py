from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from inspections import policy
from inspections.extensions import db
from inspections.plans.models import Plan
from inspections.teams.models import Team
from inspections.visits import bp
from inspections.visits.forms import VisitForm
from inspections.visits.models import Inspection, Visit
from inspections.visits.services import create_visit
from inspections.web import flash_form_errors, service_call


@bp.get("/")
@login_required
def index() -> str:
    """The visits of the inspections the user may see: a team member's own first."""
    if not policy.can_list_visits(current_user):
        abort(403)
    visits = db.session.scalars(
        policy.visible_visits(current_user)
        .options(joinedload(Visit.inspection).joinedload(Inspection.unit))
        .order_by(Visit.starts_at.desc())
        .limit(200)
    ).all()
    inspections = db.session.scalars(
        policy.visible_inspections(current_user)
        .options(
            joinedload(Inspection.unit),
            joinedload(Inspection.plan).selectinload(Plan.coordinators),
            joinedload(Inspection.team).selectinload(Team.memberships),
        )
        .order_by(Inspection.id)
    ).all()
    creatable = [i for i in inspections if policy.can_create_visit(current_user, i)]
    return render_template("visits/index.html", visits=visits, creatable=creatable, form=VisitForm())


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
