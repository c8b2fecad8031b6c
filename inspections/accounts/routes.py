from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from inspections import policy
from inspections.accounts import bp
from inspections.accounts.forms import CreateUserForm, RoleForm, UserFilterForm
from inspections.accounts.services import (
    USER_SORTS,
    UserFilters,
    change_role,
    create_account,
    deactivate,
    end_user_sessions,
    list_users,
    reactivate,
    reset_password,
    unit_by_code,
)
from inspections.audit.describe import describe
from inspections.audit.models import AuditEvent
from inspections.auth.models import Role, User
from inspections.extensions import db
from inspections.forms import ConfirmForm
from inspections.listing import read_order
from inspections.units.models import Language
from inspections.web import flash_form_errors, service_call

# How many of an account's own audit events its page shows (the log has the rest).
RECENT_EVENTS = 10


def _require_admin() -> None:
    if not policy.can_manage_users(current_user):
        abort(403)


def _load(user_id: int) -> User:
    _require_admin()
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/")
@login_required
def index() -> str:
    _require_admin()
    form = UserFilterForm(request.args)
    filters = UserFilters()
    if form.validate():  # a code no unit has is an error beside its field
        filters = UserFilters(
            q=form.q.data or "",
            role=Role(form.role.data) if form.role.data in {r.value for r in Role} else None,
            unit=unit_by_code(form.unit.data or ""),
            active={"1": True, "0": False}.get(form.active.data or ""),
        )
    page = list_users(filters, order=read_order(request.args, USER_SORTS, "name"))
    return render_template(
        "accounts/index.html", form=form, page=page, filtered=bool(request.args)
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create() -> str | Response | tuple[str, int]:
    _require_admin()
    form = CreateUserForm()
    if form.validate_on_submit():
        unit = unit_by_code(form.unit.data or "")  # validated: a known code or none
        with service_call() as done:
            user = create_account(
                username=form.username.data or "",
                email=form.email.data or "",
                full_name=form.full_name.data or "",
                role=Role(form.role.data),
                unit=unit,
                language=Language(form.language.data),
                actor=current_user,
            )
        if done:
            return _done(
                user, _("The account %(username)s is made. It stays inactive until its owner sets a password "
                        "from the link just mailed to %(email)s.", username=user.username, email=user.email),
            )  # fmt: skip
        return render_template("accounts/new.html", form=form), 422
    if form.is_submitted():
        return render_template("accounts/new.html", form=form), 422
    return render_template("accounts/new.html", form=form)


def _done(user: User, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("accounts.show", user_id=user.id))


@bp.get("/<int:user_id>")
@login_required
def show(user_id: int) -> str:
    user = _load(user_id)
    form = RoleForm(formdata=None, role=user.role.value, unit=user.home_unit.code if user.home_unit else "")
    events = describe(
        list(
            db.session.scalars(
                sa.select(AuditEvent)
                .where(AuditEvent.object_type == "user", AuditEvent.object_id == user.id)
                .order_by(AuditEvent.id.desc())
                .limit(RECENT_EVENTS)
            )
        )
    )
    return render_template(
        "accounts/show.html", user=user, form=form, confirm=ConfirmForm(formdata=None), events=events
    )


@bp.post("/<int:user_id>/role")
@login_required
def set_role(user_id: int) -> Response:
    user = _load(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("accounts.show", user_id=user.id))
    with service_call() as done:
        changed = change_role(
            user, role=Role(form.role.data), unit=unit_by_code(form.unit.data or ""), actor=current_user
        )
    if done:
        return _done(user, _("The role and home unit are saved.") if changed else _("Nothing was changed."))
    return redirect(url_for("accounts.show", user_id=user.id))


def _confirmed_action(user_id: int, action: Callable[..., None], success: str) -> Response:
    user = _load(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with service_call(success):
        action(user, actor=current_user)
    return redirect(url_for("accounts.show", user_id=user.id))


@bp.post("/<int:user_id>/deactivate")
@login_required
def deactivate_user(user_id: int) -> Response:
    return _confirmed_action(
        user_id, deactivate, _("The account is deactivated: it cannot log in, and its sessions have ended.")
    )


@bp.post("/<int:user_id>/reactivate")
@login_required
def reactivate_user(user_id: int) -> Response:
    return _confirmed_action(user_id, reactivate, _("The account is active again."))


@bp.post("/<int:user_id>/password-link")
@login_required
def send_link(user_id: int) -> Response:
    return _confirmed_action(
        user_id, reset_password, _("A one-time link to set the password is queued for the account's email.")
    )


@bp.post("/<int:user_id>/end-sessions")
@login_required
def end_sessions(user_id: int) -> Response:
    return _confirmed_action(
        user_id, end_user_sessions, _("Every session of the account has ended; it must log in again.")
    )
