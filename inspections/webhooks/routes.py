"""Admin pages: subscriptions, their delivery log, and a test event."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from inspections import policy
from inspections.extensions import db
from inspections.forms import ConfirmForm
from inspections.web import flash_form_errors, send_task, service_call
from inspections.webhooks import bp, services
from inspections.webhooks.forms import SubscriptionForm
from inspections.webhooks.models import WebhookSubscription

DELIVER_TASK = "webhooks.deliver_due"


def _admin() -> None:
    if not policy.can_manage_webhooks(current_user):
        abort(403)


def _page(form: SubscriptionForm, secret: str | None = None) -> str:
    subscriptions = db.session.scalars(
        db.select(WebhookSubscription).order_by(WebhookSubscription.id.desc()).limit(200)
    ).all()
    return render_template(
        "api/webhooks.html",
        form=form,
        subscriptions=subscriptions,
        deliveries=services.recent_deliveries(),
        pending=services.pending_count(),
        confirm=ConfirmForm(formdata=None),
        secret=secret,
        labels=services.EVENT_TYPES,
    )


@bp.get("/")
@login_required
def index() -> str:
    _admin()
    return _page(SubscriptionForm(formdata=None))


@bp.post("/")
@login_required
def create() -> str | Response:
    _admin()
    form = SubscriptionForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("webhooks.index"))
    made = _("The subscription was made. Copy its signing secret now: it is shown only once.")
    with service_call(made) as done:
        _subscription, secret = services.create_subscription(
            unit_code=form.unit_code.data or "",
            owner_username=form.owner.data or "",
            url=form.url.data or "",
            event_types=list(form.events.data or []),
            actor=current_user,
        )
    if not done:
        return redirect(url_for("webhooks.index"))
    return _page(SubscriptionForm(formdata=None), secret=secret)


def _load(subscription_id: int) -> WebhookSubscription:
    subscription = db.session.get(WebhookSubscription, subscription_id)
    if subscription is None:
        abort(404)
    return subscription


@bp.post("/<int:subscription_id>/active")
@login_required
def toggle(subscription_id: int) -> Response:
    _admin()
    subscription = _load(subscription_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with service_call(_("Saved.")):
        services.set_active(subscription, not subscription.active, actor=current_user)
    return redirect(url_for("webhooks.index"))


@bp.post("/<int:subscription_id>/test")
@login_required
def send_test(subscription_id: int) -> Response:
    _admin()
    subscription = _load(subscription_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with service_call(_("A test event is on its way.")) as done:
        services.send_test(subscription, actor=current_user)
    if done:
        send_task(DELIVER_TASK)
    return redirect(url_for("webhooks.index"))
