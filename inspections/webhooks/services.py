"""Subscriptions and the deliveries that domain events write.

The event types a subscriber may choose, what each delivery carries (ids and the facts a
receiver needs, never more than its owner may see), and the visibility rule, asked of
`policy` with the subscription's owner as the viewer: when the event happens and again
when it is sent (`relevant`).
"""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from inspections import policy
from inspections.audit.services import record
from inspections.auth.models import User
from inspections.db import utcnow
from inspections.documents.models import Document
from inspections.errors import Conflict, InvalidInput
from inspections.extensions import db
from inspections.remediation.models import CorrectiveAction, ExtensionRequest
from inspections.units.models import Unit
from inspections.visits.models import Visit
from inspections.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription

TEST_EVENT = "webhook.test"
EVENT_TYPES = {
    "visit.approved": _l("A visit's date is fixed"),
    "visit.moved": _l("A visit moved"),
    "visit.cancelled": _l("A visit was cancelled"),
    "conclusion.issued": _l("A conclusion was issued"),
    "action.due_changed": _l("An action's due date moved"),
    "extension.decided": _l("A request for more time was decided"),
    "remediation.reported": _l("A unit reported on an action"),
}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# --- what each event carries, and who may know of it --------------------------------------


def visit_data(visit_id: int) -> dict[str, Any]:
    visit = db.session.get(Visit, visit_id)
    assert visit is not None  # noqa: S101 - published after the change, in its transaction
    return {
        "visit_id": visit.id,
        "inspection_id": visit.inspection_id,
        "plan_id": visit.inspection.plan_id,
        "unit_id": visit.inspection.unit_id,
        "kind": visit.inspection.kind.value,
        "status": visit.status.value,
        "starts_at": _iso(visit.starts_at),
        "ends_at": _iso(visit.ends_at),
    }


def document_data(document_id: int) -> dict[str, Any]:
    document = db.session.get(Document, document_id)
    assert document is not None  # noqa: S101
    return {
        "document_id": document.id,
        "kind": document.kind.value,
        "visit_id": document.visit_id,
        "case_id": document.case_id,
        "symbol": document.symbol,
        "issued_at": _iso(document.issued_at),
    }


def action_data(action_id: int) -> dict[str, Any]:
    action = db.session.get(CorrectiveAction, action_id)
    assert action is not None  # noqa: S101
    return {
        "action_id": action.id,
        "unit_id": action.unit_id,
        "status": action.status.value,
        "due_on": action.due_on.isoformat(),
    }


def extension_data(request_id: int) -> dict[str, Any]:
    request = db.session.get(ExtensionRequest, request_id)
    assert request is not None  # noqa: S101
    return {"request_id": request.id, "status": request.status.value} | action_data(request.action_id)


def relevant(owner: User, event_type: str, data: dict[str, Any], *, now: datetime | None = None) -> bool:
    """May the subscription's owner know of this event's subject (now)?"""
    if not owner.active:
        return False
    if event_type == TEST_EVENT:
        return True
    if event_type.startswith("visit."):
        return policy.can_know_visit(owner, data["visit_id"], now=now)
    if event_type == "conclusion.issued":
        return policy.can_know_document(owner, data["document_id"], now=now)
    return policy.can_know_action(owner, data["action_id"], now=now)


def publish(event_type: str, data_of: Callable[[], dict[str, Any]]) -> int:
    """A delivery for every active subscription to `event_type` whose owner may know of it."""
    active = sa.select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
    subscriptions = [s for s in db.session.scalars(active) if event_type in (s.event_types or [])]
    if not subscriptions:
        return 0
    data = data_of()
    written = 0
    for subscription in subscriptions:
        if relevant(subscription.owner, event_type, data):
            _write(subscription, event_type, data)
            written += 1
    return written


def _write(subscription: WebhookSubscription, event_type: str, data: dict[str, Any]) -> WebhookDelivery:
    now = utcnow()
    delivery = WebhookDelivery(
        subscription_id=subscription.id,
        event_type=event_type,
        msg_id=f"msg_{uuid.uuid4().hex}",
        payload={"type": event_type, "timestamp": now.isoformat(), "data": data},
        next_attempt_at=now,
    )
    db.session.add(delivery)
    db.session.flush()
    return delivery


# --- subscriptions (admin) ------------------------------------------------------------------


def _check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or len(url) > 500:
        raise InvalidInput(_l("Give the address as https://… (at most 500 characters)."))
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise InvalidInput(_l("Give the address as https://… (at most 500 characters)."))
    return url


def create_subscription(
    *, unit_code: str, owner_username: str, url: str, event_types: list[str], actor: User
) -> tuple[WebhookSubscription, str]:
    """A subscription and its signing secret (shown once)."""
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == unit_code.strip()))
    if unit is None:
        raise InvalidInput(_l("No unit has code %(code)s.", code=unit_code))
    username = owner_username.strip().lower()
    owner = db.session.scalar(sa.select(User).where(sa.func.lower(User.username) == username))
    if owner is None or not owner.active:
        raise InvalidInput(_l("No active account has the username %(name)s.", name=owner_username))
    chosen = [t for t in event_types if t in EVENT_TYPES]
    if not chosen:
        raise InvalidInput(_l("Choose at least one event."))
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    subscription = WebhookSubscription(
        unit_id=unit.id,
        owner_id=owner.id,
        url=_check_url(url),
        secret=secret,
        event_types=chosen,
        created_by_id=actor.id,
    )
    db.session.add(subscription)
    db.session.flush()
    record(
        "webhook.create",
        actor=actor,
        object_type="webhook_subscription",
        object_id=subscription.id,
        after={"unit_id": unit.id, "owner_id": owner.id, "url": subscription.url, "events": chosen},
    )
    return subscription, secret


def set_active(subscription: WebhookSubscription, active: bool, *, actor: User) -> None:
    if subscription.active == active:
        raise Conflict(_l("Nothing to change."))
    subscription.active = active
    record(
        "webhook.set_active",
        actor=actor,
        object_type="webhook_subscription",
        object_id=subscription.id,
        after={"active": active},
    )


def send_test(subscription: WebhookSubscription, *, actor: User) -> WebhookDelivery:
    data = {"subscription_id": subscription.id, "requested_by": actor.id}
    delivery = _write(subscription, TEST_EVENT, data)
    record("webhook.test", actor=actor, object_type="webhook_subscription", object_id=subscription.id)
    return delivery


def recent_deliveries(limit: int = 100) -> list[WebhookDelivery]:
    return list(
        db.session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit))
    )


def pending_count() -> int:
    waiting = WebhookDelivery.status == DeliveryStatus.PENDING
    return db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id)).where(waiting)) or 0
