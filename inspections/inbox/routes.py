from __future__ import annotations

import time

from flask import abort, has_request_context, render_template, request, session
from flask_login import current_user, login_required

from inspections import policy
from inspections.inbox import bp
from inspections.inbox.services import HEADINGS, inbox_of

# The navigation's count is asked again after this long, or after any change the user makes.
COUNT_KEPT_SECONDS = 60


@bp.get("/")
@login_required
def index() -> str:
    if not policy.can_use_inbox(current_user):
        abort(403)
    inbox = inbox_of(current_user)
    session["inbox"] = [inbox.count, time.time()]
    return render_template("inbox/index.html", inbox=inbox, headings=HEADINGS)


@bp.before_app_request
def _forget_the_count_after_a_change() -> None:
    if request.method == "POST":
        session.pop("inbox", None)


@bp.app_context_processor
def _inbox_count() -> dict[str, int]:
    """`inbox_count` for the navigation, kept in the session for a minute."""
    if not has_request_context() or not policy.can_use_inbox(current_user):
        return {}
    kept = session.get("inbox")
    if isinstance(kept, list) and len(kept) == 2 and time.time() - kept[1] < COUNT_KEPT_SECONDS:
        return {"inbox_count": kept[0]}
    count = inbox_of(current_user).count
    session["inbox"] = [count, time.time()]
    return {"inbox_count": count}
