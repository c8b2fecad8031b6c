from __future__ import annotations

from datetime import UTC, time, timedelta

import sqlalchemy as sa
from flask import abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy.orm import aliased

from inspections import policy
from inspections.audit import bp
from inspections.audit.describe import OBJECT_TYPES, describe
from inspections.audit.models import AuditEvent
from inspections.auth.models import User
from inspections.forms import parse_day, parse_id, without_control_characters
from inspections.i18n import local_moment
from inspections.listing import keyset_page, read_order

# The log is read in time order; the id is that order (events are appended).
SORTS = {"time": AuditEvent.id}


def _text(value: str | None) -> str:
    return without_control_characters(value or "").strip()[:80]


def _filters() -> dict[str, object]:
    return {
        "who": _text(request.args.get("who")),
        "action": _text(request.args.get("action")),
        "object": _text(request.args.get("object")),
        "object_id": parse_id(request.args.get("object_id")),
        "since": parse_day(request.args.get("since")),
        "until": parse_day(request.args.get("until")),
    }


@bp.get("/")
@login_required
def index() -> str:
    if not policy.can_view_audit(current_user):
        abort(403)
    filters = _filters()
    actor = aliased(User)
    query = sa.select(AuditEvent, actor.username).outerjoin(actor, actor.id == AuditEvent.actor_id)
    if filters["who"]:
        query = query.where(actor.username == filters["who"])
    if filters["action"]:  # "case." finds every action on cases: a prefix, so the index serves it
        query = query.where(AuditEvent.action.startswith(filters["action"], autoescape=True))
    if filters["object"]:
        query = query.where(AuditEvent.object_type == filters["object"])
    if filters["object_id"]:
        query = query.where(AuditEvent.object_id == filters["object_id"])
    if filters["since"]:
        query = query.where(AuditEvent.occurred_at >= local_moment(filters["since"], time()).astimezone(UTC))
    if filters["until"]:
        end = local_moment(filters["until"] + timedelta(days=1), time()).astimezone(UTC)
        query = query.where(AuditEvent.occurred_at < end)
    order = read_order(request.args, SORTS, "time", descending=True)
    page = keyset_page(query, order=order, sorts=SORTS, id_column=AuditEvent.id, scalars=False)
    usernames = {event.id: username for event, username in page}
    rows = [(item, usernames[item.event.id]) for item in describe([event for event, _username in page])]
    kinds = sorted(((code, str(text)) for code, text in OBJECT_TYPES.items()), key=lambda kind: kind[1])
    return render_template("audit/index.html", page=page, rows=rows, filters=filters, object_kinds=kinds)
