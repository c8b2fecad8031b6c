"""Webhooks: domain events delivered to subscribers' URLs, signed per Standard Webhooks.

A subscription belongs to an organisation (a unit of the registry) and sees with the eyes
of its owner account: `handlers.py` writes a delivery only for an event its owner may know
of (surprise secrecy: `policy`), and `dispatch.py` checks again at send time. Deliveries
live in their own table with the outbox's discipline (claim with a lease and a fencing
token, retry with capped, jittered backoff); a worker task runs `dispatch.deliver_due`.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")
