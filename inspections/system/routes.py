from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template
from flask_login import current_user, login_required

from inspections import policy
from inspections.audit.anchors import latest_anchor
from inspections.extensions import csrf, db
from inspections.outbox.dispatch import render_failures
from inspections.system import bp
from inspections.system.services import heartbeats


@bp.get("/healthz")
@csrf.exempt
def healthz() -> tuple[dict[str, str], int]:
    """For load balancers: the app answers and reaches its database."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return {"status": "database unavailable"}, 503
    return {"status": "ok"}, 200


@bp.get("/admin/system")
@login_required
def status() -> str:
    if not policy.can_view_system_status(current_user):
        abort(403)
    return render_template(
        "system/status.html",
        heartbeats=heartbeats(),
        anchor=latest_anchor(),
        unrenderable=render_failures(limit=0).count,
    )
