from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from inspections.auth import LAST_SEEN_AT, LOGGED_IN_AT, SESSION_VERSION, bp
from inspections.auth.forms import LanguageForm, LoginForm
from inspections.auth.services import authenticate, end_sessions, set_language
from inspections.db import utcnow
from inspections.extensions import db, limiter
from inspections.units.models import Language
from inspections.web import local_path


def _attempted_username() -> str:
    return "login:" + (request.form.get("username") or "").strip().lower()[:80]


def _failed(response: Response) -> bool:
    """Only refused attempts count: a successful login answers a redirect."""
    return response.status_code != 302


# Each attempt costs an argon2 hash: without a limit, a CPU and memory amplifier.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_attempted_username,
               methods=["POST"], deduct_when=_failed)  # fmt: skip
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed)
def login() -> str | Response:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated:
        return redirect(local_path(form.next.data, url_for("reports.home")))
    if form.validate_on_submit():
        user = authenticate(form.username.data or "", form.password.data or "")
        if user is None:
            db.session.rollback()
            # One message whether the user is unknown or the password is wrong.
            flash(_("Wrong username or password."), "error")
            return render_template("auth/login.html", form=form), 200
        db.session.commit()
        language = session.get("language")
        session.clear()  # a fresh session: nothing carried over from before the login
        if language:
            session["language"] = language
        session[LOGGED_IN_AT] = session[LAST_SEEN_AT] = utcnow().timestamp()
        session[SESSION_VERSION] = user.session_version
        login_user(user)
        return redirect(local_path(form.next.data, url_for("reports.home")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Logging out ends every session of the user, on every device."""
    end_sessions(current_user, actor=current_user, reason="logout")
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def change_language() -> Response:
    form = LanguageForm()
    if not form.validate_on_submit():
        flash(_("Choose Tiếng Việt or English."), "error")
    else:
        language = Language(form.language.data)
        session["language"] = language.value
        if current_user.is_authenticated:
            set_language(current_user, language)
            db.session.commit()
    return redirect(local_path(form.next.data, url_for("reports.home")))
