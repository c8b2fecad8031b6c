from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from inspections import policy
from inspections.auth import LAST_SEEN_AT, LOGGED_IN_AT, SESSION_VERSION, bp, oidc, tokens, totp
from inspections.auth.forms import CodeForm, LanguageForm, LoginForm, SetPasswordForm, TokenForm
from inspections.auth.models import User
from inspections.auth.services import (
    LinkProblem,
    authenticate,
    end_sessions,
    read_password_link,
    set_language,
    set_password_from_link,
)
from inspections.db import utcnow
from inspections.extensions import db, limiter
from inspections.forms import ConfirmForm
from inspections.units.models import Language
from inspections.web import flash_form_errors, local_path, service_call

# The session keys of a login waiting for its second factor (password already checked).
PENDING_USER = "2fa_user"
PENDING_AT = "2fa_at"
PENDING_NEXT = "2fa_next"
# A secret being enrolled, before its first code confirms it (session keys, not secrets).
PENDING_SECRET = "2fa_secret"  # noqa: S105
ENROL_SECRET = "totp_enrol"  # noqa: S105
PENDING_SECONDS = 300

# Single sign-on's client (Authlib), made for each app from its settings.
bp.record_once(lambda state: oidc.init_app(state.app))


def _attempted_username() -> str:
    return "login:" + (request.form.get("username") or "").strip().lower()[:80]


def _failed(response: Response) -> bool:
    """Only refused attempts count: a successful login answers a redirect."""
    return response.status_code != 302


def _start_session(user: User, next_path: str | None) -> Response:
    language = session.get("language")
    session.clear()  # a fresh session: nothing carried over from before the login
    if language:
        session["language"] = language
    session[LOGGED_IN_AT] = session[LAST_SEEN_AT] = utcnow().timestamp()
    session[SESSION_VERSION] = user.session_version
    login_user(user)
    return redirect(local_path(next_path, url_for("reports.home")))


def _login_page(form: LoginForm) -> str:
    template = "auth/sign_in.html" if oidc.configured() else "auth/login.html"
    return render_template(template, form=form)


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
            return _login_page(form), 200
        db.session.commit()
        if totp.enabled(user) or totp.required(user):
            language = session.get("language")
            session.clear()
            if language:
                session["language"] = language
            session[PENDING_USER] = user.id
            session[PENDING_AT] = utcnow().timestamp()
            session[PENDING_NEXT] = form.next.data or ""
            return redirect(url_for("auth.two_factor"))
        return _start_session(user, form.next.data)
    return _login_page(form)


def _pending_user() -> User | None:
    user_id, started = session.get(PENDING_USER), session.get(PENDING_AT, 0)
    if not isinstance(user_id, int) or utcnow().timestamp() - started > PENDING_SECONDS:
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.active else None


def _pending_key() -> str:
    return f"2fa:{session.get(PENDING_USER)}"


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["TWO_FACTOR_LIMIT_PER_ACCOUNT"], key_func=_pending_key,
               methods=["POST"], deduct_when=_failed)  # fmt: skip
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed)
def two_factor() -> str | Response:
    """The second step of a login: a TOTP code or a recovery code; or, for a role that
    must use two-factor login and has not yet, enrolment first."""
    user = _pending_user()
    if user is None:
        session.pop(PENDING_USER, None)
        flash(_("Please log in again."), "error")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    enrolling = not totp.enabled(user)
    if enrolling:
        secret = session.get(PENDING_SECRET) or totp.new_secret()
        session[PENDING_SECRET] = secret
    if form.validate_on_submit():
        code = form.code.data or ""
        if enrolling:
            with service_call(flash_error=True) as done:
                codes = totp.enable(user, secret, code, actor=user)
            if done:
                response = _start_session(user, session.get(PENDING_NEXT))
                return render_template("auth/recovery_codes.html", codes=codes, next=response.location)
        elif totp.verify(user, code) or totp.use_recovery_code(user, code):
            db.session.commit()
            return _start_session(user, session.get(PENDING_NEXT))
        else:
            db.session.rollback()
            flash(_("That code is not right."), "error")
        return _two_factor_page(user, form, enrolling), 200
    return _two_factor_page(user, form, enrolling)


def _two_factor_page(user: User, form: CodeForm, enrolling: bool) -> str:
    qr = uri = None
    if enrolling:
        uri = totp.provisioning_uri(user, session[PENDING_SECRET])
        qr = totp.qr_data_uri(uri)
    return render_template(
        "auth/two_factor.html", form=form, enrolling=enrolling, qr=qr,
        secret=session.get(PENDING_SECRET) if enrolling else None,
    )  # fmt: skip


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


# --- single sign-on (OpenID Connect) -----------------------------------------------------------


@bp.get("/login/sso")
def sso() -> Response:
    if not oidc.configured():
        abort(404)
    session["sso_next"] = local_path(request.args.get("next"), url_for("reports.home"))
    return oidc.client().authorize_redirect(url_for("auth.sso_callback", _external=True))


def _sso_failed(response: Response) -> bool:
    """A refused sign-on answers a redirect too, to the login page."""
    return response.status_code != 302 or (response.location or "").endswith(url_for("auth.login"))


@bp.get("/login/sso/callback")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], deduct_when=_sso_failed)
def sso_callback() -> str | Response:
    if not oidc.configured():
        abort(404)
    try:
        token = oidc.client().authorize_access_token()
    except Exception:  # a refused, replayed or forged answer of the provider
        current_app.logger.info("single sign-on refused", exc_info=True)
        flash(_("The sign-in with the identity provider did not succeed. Please try again."), "error")
        return redirect(url_for("auth.login"))
    claims = dict(token.get("userinfo") or {})
    next_path = session.get("sso_next")
    with service_call() as done:
        user = oidc.login_with(claims)
    if not done:
        return redirect(url_for("auth.login"))
    # The provider's own second factor stands for ours: nothing more is asked here.
    return _start_session(user, next_path)


# --- the account: API tokens and two-factor login ----------------------------------------------


@bp.get("/account/tokens")
@login_required
def tokens_page() -> str:
    if not policy.can_use_api_tokens(current_user):
        abort(403)
    return render_template(
        "auth/tokens.html", form=TokenForm(formdata=None), tokens=tokens.tokens_of(current_user),
        revoke=ConfirmForm(formdata=None), new_token=None, now=utcnow(),
    )  # fmt: skip


@bp.post("/account/tokens")
@login_required
def create_token() -> str | Response:
    if not policy.can_use_api_tokens(current_user):
        abort(403)
    form = TokenForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("auth.tokens_page"))
    with service_call(_("The token was made. Copy it now: it will not be shown again.")) as done:
        token, raw = tokens.create_token(
            current_user, name=form.name.data or "", scope=form.scope.data, days=int(form.days.data),
            actor=current_user,
        )  # fmt: skip
    if not done:
        return redirect(url_for("auth.tokens_page"))
    # Shown once, on this answer only (never stored, never in a redirect's address).
    return render_template(
        "auth/tokens.html", form=TokenForm(formdata=None), tokens=tokens.tokens_of(current_user),
        revoke=ConfirmForm(formdata=None), new_token=raw, now=utcnow(),
    )  # fmt: skip


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> Response:
    if not policy.can_use_api_tokens(current_user):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with service_call(_("The token was revoked.")):
        tokens.revoke_token(tokens.token_of(current_user, token_id), actor=current_user)
    return redirect(url_for("auth.tokens_page"))


@bp.get("/account/two-factor")
@login_required
def two_factor_settings() -> str:
    user = current_user._get_current_object()
    secret = None
    qr = None
    if not totp.enabled(user):
        secret = session.get(ENROL_SECRET) or totp.new_secret()
        session[ENROL_SECRET] = secret
        qr = totp.qr_data_uri(totp.provisioning_uri(user, secret))
    return render_template(
        "auth/two_factor_settings.html", enabled=totp.enabled(user), required=totp.required(user),
        form=CodeForm(formdata=None), confirm=ConfirmForm(formdata=None), qr=qr, secret=secret,
        left=totp.recovery_codes_left(user) if totp.enabled(user) else 0,
    )  # fmt: skip


@bp.post("/account/two-factor/enable")
@login_required
def enable_two_factor() -> str | Response:
    form = CodeForm()
    secret = session.get(ENROL_SECRET)
    if not form.validate_on_submit() or not secret:
        flash_form_errors(form)
        return redirect(url_for("auth.two_factor_settings"))
    with service_call(_("Two-factor login is on.")) as done:
        codes = totp.enable(current_user, secret, form.code.data or "", actor=current_user)
    if not done:
        return redirect(url_for("auth.two_factor_settings"))
    session.pop(ENROL_SECRET, None)
    return render_template("auth/recovery_codes.html", codes=codes, next=url_for("auth.two_factor_settings"))


@bp.post("/account/two-factor/disable")
@login_required
def disable_two_factor() -> Response:
    """Off with a current code; not for a role that must use it."""
    form = CodeForm()
    back = redirect(url_for("auth.two_factor_settings"))
    if totp.required(current_user):
        flash(_("Your role must use two-factor login."), "error")
        return back
    if not form.validate_on_submit():
        flash_form_errors(form)
        return back
    if not totp.verify(current_user, form.code.data or ""):
        db.session.rollback()
        flash(_("That code is not right."), "error")
        return back
    with service_call(_("Two-factor login is off.")):
        totp.disable(current_user, actor=current_user)
    return back


@bp.post("/account/two-factor/recovery-codes")
@login_required
def new_recovery_codes() -> str | Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with service_call() as done:
        codes = totp.regenerate_recovery_codes(current_user, actor=current_user)
    if not done:
        return redirect(url_for("auth.two_factor_settings"))
    return render_template("auth/recovery_codes.html", codes=codes, next=url_for("auth.two_factor_settings"))


# --- a one-time link to set the password (auth.services.send_password_link) -------------


def _link_problem_message(problem: LinkProblem) -> str:
    if problem == LinkProblem.EXPIRED:
        return _("This link has expired. Ask an administrator to send you a new one.")
    if problem == LinkProblem.USED:
        return _(
            "This link has already been used, or a newer change to the account replaced it. "
            "Log in with your password, or ask an administrator for a new link."
        )
    return _("This link is not valid. Check that you copied the whole address from the email.")


@bp.route("/auth/set-password/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def set_password(token: str) -> str | Response | tuple[str, int]:
    link = read_password_link(token)
    if link.user is None:
        # 410: the address is known to us and will never work again.
        status = 404 if link.problem == LinkProblem.INVALID else 410
        problem = _link_problem_message(link.problem)
        return render_template("auth/set_password.html", problem=problem, form=None), status
    user = link.user
    form = SetPasswordForm()
    if form.validate_on_submit():
        with service_call() as done:
            set_password_from_link(user, form.password.data or "")
        if done:
            if current_user.is_authenticated:  # whoever was logged in here, it ends
                logout_user()
            session.clear()
            flash(_("Your password is set. Log in with it now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", problem=None, form=form, user=user)
