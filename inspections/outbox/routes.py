"""The admin outbox page, and the signed unsubscribe and preferences pages (no login)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from inspections import policy
from inspections.extensions import csrf, db
from inspections.forms import ConfirmForm
from inspections.labels import label
from inspections.listing import keyset_page, read_order
from inspections.outbox import bp
from inspections.outbox.dispatch import render_failures, sending_pause
from inspections.outbox.forms import OutboxFilterForm, PreferenceForm
from inspections.outbox.kinds import kind_label, optional_kinds, registered
from inspections.outbox.models import Notification, NotificationStatus
from inspections.outbox.services import opt_in, opt_out, opted_out_kinds, resend, resume_sending
from inspections.outbox.tokens import read_preferences_token, read_unsubscribe_token
from inspections.web import send_task, service_call

# Newest first by default; the id is the order the rows were queued in.
SORTS = {"id": Notification.id, "due": Notification.due_at}
# The worker task that sends what is due (workers/reminders.py); by name: views import no worker.
DISPATCH_TASK = "reminders.dispatch_due"
# Bootstrap badge colours, so a failure stands out in a long list.
STATUS_BADGES = {
    NotificationStatus.PENDING: "text-bg-secondary",
    NotificationStatus.SENDING: "text-bg-info",
    NotificationStatus.SENT: "text-bg-success",
    NotificationStatus.FAILED: "text-bg-danger",
    NotificationStatus.CANCELLED: "text-bg-light",
}


def _require_outbox_admin() -> None:
    if not policy.can_manage_outbox(current_user):
        abort(403)


@bp.get("/admin/outbox")
@login_required
def index() -> str:
    _require_outbox_admin()
    form = OutboxFilterForm(request.args)
    # The statuses' names live with the other values' (inspections/labels.py).
    status_labels = {s: label(s) for s in NotificationStatus}
    form.status.choices = [("", _("All"))] + [(s.value, status_labels[s]) for s in NotificationStatus]
    kinds = sorted(((k, kind_label(k)) for k in registered()), key=lambda choice: choice[1])
    form.kind.choices = [("", _("All")), *kinds]
    query = sa.select(Notification)
    if form.validate():
        # Optional() lets a blank through its choices: only a real status filters.
        if form.status.data in {s.value for s in NotificationStatus}:
            query = query.where(Notification.status == form.status.data)
        if form.kind.data:
            query = query.where(Notification.kind == form.kind.data)
        if form.recipient.data:
            needle = form.recipient.data.strip().lower()
            query = query.where(sa.func.lower(Notification.recipient_email).contains(needle, autoescape=True))
    order = read_order(request.args, SORTS, "id", descending=True)
    page = keyset_page(query, order=order, sorts=SORTS, id_column=Notification.id)
    return render_template(
        "outbox/index.html",
        form=form,
        page=page,
        pause=sending_pause(),
        render_failures=render_failures(),
        confirm_form=ConfirmForm(),
        status_labels=status_labels,
        status_badges=STATUS_BADGES,
        kind_label=kind_label,
    )


@bp.post("/admin/outbox/<int:notification_id>/resend")
@login_required
def resend_one(notification_id: int) -> Response:
    _require_outbox_admin()
    notification = db.get_or_404(Notification, notification_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with service_call(_("The email is queued again with the same Message-ID.")) as done:
        resend(notification, actor=current_user)
    if done:
        send_task(DISPATCH_TASK)
    return redirect(url_for("outbox.index", status="failed"))


@bp.post("/admin/outbox/resume")
@login_required
def resume() -> Response:
    _require_outbox_admin()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if resume_sending(actor=current_user):
        db.session.commit()
        send_task(DISPATCH_TASK)
        flash(_("Sending is resumed."), "success")
    return redirect(url_for("outbox.index"))


# --- one-click unsubscribe (RFC 8058) and preferences: the signed token is the login ------


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # a mail client POSTs here with no session; the signed token is the proof
def unsubscribe(token: str) -> tuple[str, int] | str:
    data = read_unsubscribe_token(token)
    labels = optional_kinds()
    if data is None or data[1] not in labels:
        return render_template("outbox/unsubscribe.html", invalid=True), 404
    email, kind = data
    if request.method == "POST":
        opt_out(email=email, kind=kind)
        db.session.commit()
        return render_template("outbox/unsubscribe.html", done=True, kind=labels[kind], token=token)
    # A GET changes nothing: link scanners follow links; the page has a button.
    return render_template("outbox/unsubscribe.html", done=False, kind=labels[kind], token=token)


@bp.route("/email-preferences/<token>", methods=["GET", "POST"])
def preferences(token: str) -> tuple[str, int] | str | Response:
    email = read_preferences_token(token)
    if email is None:
        return render_template("outbox/unsubscribe.html", invalid=True), 404
    labels = optional_kinds()
    form = PreferenceForm()
    if form.validate_on_submit():
        kind = form.kind.data
        if kind not in labels:
            abort(400)
        if request.form.get("action") == "off":
            opt_out(email=email, kind=kind)
        else:
            opt_in(email=email, kind=kind)
        db.session.commit()
        flash(_("Your email preferences are saved."), "success")
        return redirect(url_for("outbox.preferences", token=token))
    if form.is_submitted():
        flash(_("Choose which reminders to turn on or off."), "error")
    return render_template(
        "outbox/preferences.html", email=email, kinds=labels, off=opted_out_kinds(email), form=form
    )
