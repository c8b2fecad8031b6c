from __future__ import annotations

import time

from flask import abort, has_request_context, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from inspections import policy
from inspections.forms import ConfirmForm
from inspections.inbox import bp
from inspections.inbox.digest import set_digest, subscribed
from inspections.inbox.services import HEADINGS, inbox_of
from inspections.web import service_call

# The navigation's count is asked again after this long, or after any change the user makes.
COUNT_KEPT_SECONDS = 60


@bp.get("/")
@login_required
def index() -> str:
    if not policy.can_use_inbox(current_user):
        abort(403)
    inbox = inbox_of(current_user)
    session["inbox"] = [inbox.count, time.time()]
    return render_template(
        "inbox/index.html",
        inbox=inbox,
        headings=HEADINGS,
        digest=subscribed(current_user),
        confirm_form=ConfirmForm(formdata=None),
    )


@bp.post("/digest")
@login_required
def digest() -> Response:
    """Opt in to (or out of) one daily mail of what waits, instead of looking each day."""
    if not policy.can_use_inbox(current_user):
        abort(403)
    if not ConfirmForm().validate():
        abort(400)
    wanted = request.form.get("wanted") == "1"
    message = _("You will get one mail a day listing what waits on you.") if wanted else _(
        "You will no longer get the daily mail."
    )
    with service_call(message):
        set_digest(current_user, wanted=wanted)
    return redirect(url_for(".index"))


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
