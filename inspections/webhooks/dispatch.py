"""Sending the deliveries: claimed with a lease and a fencing token, signed per Standard
Webhooks, retried with capped, jittered backoff; run by the worker task
`webhooks.deliver_due` (beat, every few seconds) or right after a test event.

A claim writes a fresh token; the UPDATE that records the outcome requires it, so a worker
that comes back after its lease ran out cannot overwrite a row claimed since. The subject
is checked again before sending: a delivery its owner may no longer know of is dropped.
"""

from __future__ import annotations

import json
import logging
import random
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from standardwebhooks.webhooks import Webhook

from inspections.db import utcnow
from inspections.extensions import db
from inspections.webhooks.models import DeliveryStatus, WebhookDelivery
from inspections.webhooks.services import relevant

log = logging.getLogger(__name__)
USER_AGENT = "inspections-webhooks/1"


@dataclass(frozen=True)
class Outcome:
    status: int | None  # the receiver's HTTP status; None: no answer
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None  # a redirect is an answer (3xx), not an instruction to follow


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) only
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return Outcome(response.status)
    except urllib.error.HTTPError as exc:
        return Outcome(exc.code, f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return Outcome(None, str(exc)[:500])


def signed_headers(secret: str, msg_id: str, moment: datetime, body: str) -> dict[str, str]:
    """The Standard Webhooks headers: webhook-id, webhook-timestamp, webhook-signature."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, moment, body),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


def backoff(attempts: int) -> float:
    base = current_app.config["WEBHOOK_BACKOFF_BASE"]
    cap = current_app.config["WEBHOOK_BACKOFF_CAP"]
    return min(cap, base * 2 ** max(0, attempts - 1)) * random.uniform(0.5, 1.0)  # noqa: S311 - jitter


def _claim(limit: int, now: datetime) -> str | None:
    lease = timedelta(seconds=current_app.config["WEBHOOK_LEASE_SECONDS"])
    due = sa.and_(
        WebhookDelivery.status == DeliveryStatus.PENDING,
        WebhookDelivery.next_attempt_at <= now,
        sa.or_(WebhookDelivery.claimed_at.is_(None), WebhookDelivery.claimed_at < now - lease),
    )
    query = sa.select(WebhookDelivery.id).where(due).order_by(WebhookDelivery.next_attempt_at).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(query))
    if not ids:
        db.session.rollback()
        return None
    token = secrets.token_hex(16)
    db.session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(ids), due)
        .values(claimed_at=now, claim_token=token)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return token


def _finish(delivery_id: int, token: str, **values: object) -> None:
    db.session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.claim_token == token)
        .values(claimed_at=None, claim_token=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def deliver_due(
    *, limit: int = 50, now: datetime | None = None, post: Callable[..., Outcome] = http_post
) -> int:
    """Send the due deliveries; returns how many were attempted."""
    now = now or utcnow()
    token = _claim(limit, now)
    if token is None:
        return 0
    rows = list(db.session.scalars(sa.select(WebhookDelivery).where(WebhookDelivery.claim_token == token)))
    for row in rows:
        subscription = row.subscription
        data = (row.payload or {}).get("data", {})
        if not subscription.active or not relevant(subscription.owner, row.event_type, data, now=now):
            _finish(row.id, token, status=DeliveryStatus.DROPPED, last_error="no longer visible to its owner")
            continue
        url, secret, msg_id = subscription.url, subscription.secret, row.msg_id
        body = json.dumps(row.payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        attempts = row.attempts + 1
        db.session.commit()  # no transaction stays open across the network call
        outcome = post(url, body.encode(), signed_headers(secret, msg_id, utcnow(), body),
                       current_app.config["WEBHOOK_TIMEOUT"])  # fmt: skip
        if outcome.ok:
            _finish(row.id, token, status=DeliveryStatus.DELIVERED, attempts=attempts,
                    response_status=outcome.status, delivered_at=utcnow(), last_error=None)  # fmt: skip
        elif attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
            _finish(row.id, token, status=DeliveryStatus.FAILED, attempts=attempts,
                    response_status=outcome.status, last_error=outcome.error[:500] or None)  # fmt: skip
        else:
            _finish(row.id, token, attempts=attempts, response_status=outcome.status,
                    last_error=outcome.error[:500] or None,
                    next_attempt_at=utcnow() + timedelta(seconds=backoff(attempts)))  # fmt: skip
    return len(rows)
