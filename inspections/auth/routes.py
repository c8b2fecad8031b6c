from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from inspections.auth import bp
from inspections.auth.forms import LanguageForm, LoginForm
from inspections.auth.services import authenticate, set_language
from inspections.db import utcnow
from inspections.extensions import db
from inspections.units.models import Language
from inspections.web import local_path


@bp.route("/login", methods=["GET", "POST"])
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
        session.permanent = True
        session["auth_at"] = utcnow().timestamp()
        login_user(user)
        return redirect(local_path(form.next.data, url_for("reports.home")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
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
