"""Accounts: login, logout, language, session timeouts."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, session
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


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


@bp.before_app_request
def enforce_absolute_timeout() -> None:
    """Log out a session older than the absolute lifetime, however active it has been."""
    if not current_user.is_authenticated:
        return
    limit: timedelta = current_app.config["SESSION_ABSOLUTE_LIFETIME"]
    started = session.get("auth_at", 0)
    if utcnow().timestamp() - started > limit.total_seconds():
        logout_user()
        session.clear()
        flash(_l("Your session has expired. Please log in again."), "info")
