"""The admin's list of a unit's links, each revocable."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from inspections import policy
from inspections.extensions import db
from inspections.forms import ConfirmForm
from inspections.links import bp, services
from inspections.links.models import ActionLink
from inspections.units.models import Unit
from inspections.web import service_call


def _require_link_admin() -> None:
    if not policy.can_manage_links(current_user):
        abort(403)


@bp.get("/admin/units/<int:unit_id>/links")
@login_required
def unit_links(unit_id: int) -> str:
    _require_link_admin()
    unit = db.get_or_404(Unit, unit_id)
    links = db.session.scalars(
        sa.select(ActionLink).where(ActionLink.unit_id == unit.id).order_by(ActionLink.id.desc()).limit(500)
    ).all()
    return render_template("links/admin.html", unit=unit, links=links, form=ConfirmForm())


@bp.post("/admin/links/<int:link_id>/revoke")
@login_required
def revoke(link_id: int) -> Response:
    _require_link_admin()
    link = db.get_or_404(ActionLink, link_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with service_call(_("The link was revoked.")):
        services.revoke(link, actor=current_user)
    return redirect(url_for("links.unit_links", unit_id=link.unit_id))
