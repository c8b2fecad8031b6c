"""Accounts: login, logout, language, and sessions that end.

A session is a signed cookie, but it ends on the server too: it carries the user's
`session_version` from its login, and logout, a password change or a deactivation raise
that version, which ends every session of the user (and every copy of its cookie). The
idle and absolute timeouts are checked here on each request, so the cookie itself is a
browser-session cookie: Flask-Login's "strong" protection then really logs out a session
whose browser or address changed (for a permanent session it only marks it stale).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from inspections.auth.models import User
from inspections.db import utcnow
from inspections.extensions import db, login_manager

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"

# The session keys of a login (set in auth.routes.login).
SESSION_VERSION = "sv"
LOGGED_IN_AT = "auth_at"
LAST_SEEN_AT = "seen_at"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or session.get(SESSION_VERSION) != user.session_version:
        return None
    return user


@bp.before_app_request
def enforce_timeouts() -> None:
    """Log out a session idle too long, or older than the absolute lifetime."""
    if request.blueprint == "api":  # the API reads no session: a bearer token or nothing
        return
    if not current_user.is_authenticated:
        return
    now = utcnow().timestamp()
    idle: timedelta = current_app.config["PERMANENT_SESSION_LIFETIME"]
    absolute: timedelta = current_app.config["SESSION_ABSOLUTE_LIFETIME"]
    seen = session.get(LAST_SEEN_AT, session.get(LOGGED_IN_AT, 0))
    if now - seen > idle.total_seconds() or now - session.get(LOGGED_IN_AT, 0) > absolute.total_seconds():
        logout_user()
        session.clear()
        flash(_l("Your session has expired. Please log in again."), "info")
        return
    session[LAST_SEEN_AT] = now
