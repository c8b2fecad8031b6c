"""The admin outbox page, a plan's reminder settings, and the signed unsubscribe and
preferences pages (no login)."""

from __future__ import annotations

import logging
from dataclasses import asdict

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from inspections import policy
from inspections.errors import DomainError
from inspections.extensions import csrf, db
from inspections.notifications import bp
from inspections.notifications.dispatch import sending_pause
from inspections.notifications.forms import ActionForm, OutboxFilterForm, PreferenceForm, ReminderSettingsForm
from inspections.notifications.kinds import OPTIONAL_KINDS
from inspections.notifications.links import read_preferences_token, read_unsubscribe_token
from inspections.notifications.models import Notification, NotificationStatus
from inspections.notifications.reminders import DEFAULTS
from inspections.notifications.services import opt_in, opt_out, opted_out_kinds, resend, resume_sending
from inspections.notifications.settings import ReminderSettings, current_settings, set_reminder_settings
from inspections.plans.models import Plan

PAGE_SIZE = 50
log = logging.getLogger(__name__)


def _require_outbox_admin() -> None:
    if not policy.can_manage_outbox(current_user):
        abort(403)


@bp.route("/admin/outbox")
@login_required
def outbox() -> str:
    _require_outbox_admin()
    form = OutboxFilterForm(request.args)
    kinds = db.session.scalars(sa.select(Notification.kind).distinct().order_by(Notification.kind)).all()
    form.status.choices = [("", _("All"))] + [(s.value, s.value) for s in NotificationStatus]
    form.kind.choices = [("", _("All"))] + [(k, k) for k in kinds]
    query = sa.select(Notification).order_by(Notification.id.desc())
    if form.validate():
        if form.status.data:
            query = query.where(Notification.status == form.status.data)
        if form.kind.data:
            query = query.where(Notification.kind == form.kind.data)
        if form.recipient.data:
            needle = form.recipient.data.strip().lower()
            query = query.where(sa.func.lower(Notification.recipient_email).contains(needle, autoescape=True))
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "notifications/outbox.html", form=form, page=page, pause=sending_pause(), action_form=ActionForm()
    )


@bp.post("/admin/outbox/<int:notification_id>/resend")
@login_required
def resend_one(notification_id: int) -> Response:
    _require_outbox_admin()
    notification = db.get_or_404(Notification, notification_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        resend(notification, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        _dispatch_soon()
        flash(_("The email is queued again with the same Message-ID."), "success")
    return redirect(url_for("notifications.outbox", status="failed"))


@bp.post("/admin/outbox/resume")
@login_required
def resume() -> Response:
    _require_outbox_admin()
    if not ActionForm().validate_on_submit():
        abort(400)
    if resume_sending(actor=current_user):
        db.session.commit()
        _dispatch_soon()
        flash(_("Sending is resumed."), "success")
    return redirect(url_for("notifications.outbox"))


def _dispatch_soon() -> None:
    """After the commit; if the broker is down beat's next tick does the same."""
    from workers.reminders import dispatch_due

    try:
        dispatch_due.delay()
    except Exception:  # the row is in the database; the tick is only a hint
        log.warning("outbox: could not enqueue a dispatch tick; beat will", exc_info=True)


# --- one-click unsubscribe (RFC 8058) and preferences: the signed token is the login ------


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # a mail client POSTs here with no session; the signed token is the proof
def unsubscribe(token: str) -> tuple[str, int] | str:
    data = read_unsubscribe_token(token)
    if data is None or data[1] not in OPTIONAL_KINDS:
        return render_template("notifications/unsubscribe.html", invalid=True), 404
    email, kind = data
    if request.method == "POST":
        opt_out(email=email, kind=kind)
        db.session.commit()
        return render_template(
            "notifications/unsubscribe.html", done=True, kind=OPTIONAL_KINDS[kind], token=token
        )
    # A GET changes nothing: link scanners follow links; the page has a button.
    return render_template(
        "notifications/unsubscribe.html", done=False, kind=OPTIONAL_KINDS[kind], token=token
    )


@bp.route("/email-preferences/<token>", methods=["GET", "POST"])
def preferences(token: str) -> tuple[str, int] | str | Response:
    email = read_preferences_token(token)
    if email is None:
        return render_template("notifications/unsubscribe.html", invalid=True), 404
    form = PreferenceForm()
    if form.validate_on_submit():
        kind = form.kind.data
        if kind not in OPTIONAL_KINDS:
            abort(400)
        if request.form.get("action") == "off":
            opt_out(email=email, kind=kind)
        else:
            opt_in(email=email, kind=kind)
        db.session.commit()
        flash(_("Your email preferences are saved."), "success")
        return redirect(url_for("notifications.preferences", token=token))
    if form.is_submitted():
        flash(_("Choose which reminders to turn on or off."), "error")
    return render_template(
        "notifications/preferences.html",
        email=email,
        kinds=OPTIONAL_KINDS,
        off=opted_out_kinds(email),
        form=form,
    )


# --- a plan's reminder settings ---------------------------------------------------------------


@bp.route("/plans/<int:plan_id>/reminders", methods=["GET", "POST"])
@login_required
def plan_reminders(plan_id: int) -> str | Response:
    plan = db.session.get(Plan, plan_id)
    if plan is None or not policy.can_view_plan(current_user, plan):
        abort(404)
    if not policy.can_manage_reminder_settings(current_user, plan):
        abort(403)
    current = current_settings(plan)
    form = ReminderSettingsForm(data=asdict(current))
    if form.validate_on_submit():
        wanted = ReminderSettings(**{name: getattr(form, name).data for name in asdict(current)})
        try:
            set_reminder_settings(plan, wanted, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            db.session.commit()
            flash(_("The reminder settings of this plan are saved."), "success")
            return redirect(url_for("notifications.plan_reminders", plan_id=plan.id))
    return render_template("notifications/plan_reminders.html", plan=plan, form=form, defaults=DEFAULTS)
