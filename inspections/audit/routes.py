from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy.orm import aliased

from inspections import policy
from inspections.audit import bp
from inspections.audit.models import AuditEvent
from inspections.auth.models import User
from inspections.extensions import db
from inspections.forms import parse_id

PAGE_SIZE = 50


@bp.get("/")
@login_required
def index() -> str:
    if not policy.can_view_audit(current_user):
        abort(403)
    before_id = parse_id(request.args.get("before"))  # a 20-digit number: the first page
    actor = aliased(User)
    query = (
        sa.select(AuditEvent, actor.username)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .order_by(AuditEvent.id.desc())
        .limit(PAGE_SIZE)
    )
    if before_id:
        query = query.where(AuditEvent.id < before_id)
    rows = db.session.execute(query).all()
    next_before = rows[-1][0].id if len(rows) == PAGE_SIZE else None
    return render_template("audit/index.html", rows=rows, next_before=next_before)
