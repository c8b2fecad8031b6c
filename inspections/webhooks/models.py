"""Webhook subscriptions and their delivery log.

An organisation is a unit of the registry (the agency that receives the events); each
subscription also names the account whose sight it has: an event is delivered only if
that account could see its subject (`policy`), checked when it is written and again when
it is sent, so a surprise visit never reaches a subscriber before it may know of it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspections.db import UTCDateTime, json_type, str_enum, utcnow
from inspections.extensions import db

if TYPE_CHECKING:
    from inspections.auth.models import User
    from inspections.units.models import Unit


class WebhookSubscription(db.Model):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    url: Mapped[str] = mapped_column(sa.String(500))
    # Standard Webhooks signing secret, "whsec_" + base64; shown to the admin once.
    secret: Mapped[str] = mapped_column(sa.String(100))
    event_types: Mapped[list[str]] = mapped_column(json_type())
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the last attempt
    DROPPED = "dropped"  # no longer relevant at send time (the owner may not see it)


class WebhookDelivery(db.Model):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[str] = mapped_column(sa.String(60))
    # The Standard Webhooks message id: the same on every attempt, for the receiver's dedup.
    msg_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(json_type())
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    response_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subscription: Mapped[WebhookSubscription] = relationship()
