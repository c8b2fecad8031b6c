from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from inspections.db import UTCDateTime, json_type, str_enum, utcnow
from inspections.extensions import db
from inspections.units.models import Language


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Notification(db.Model):
    """One email in the transactional outbox.

    Rows are written in the same transaction as the change that causes them; a
    dispatcher claims due rows and sends them. The idempotency key makes a rule that runs
    twice write one row; the Message-ID is fixed here so a resend is recognisable.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.Index("ix_notifications_due", "status", "due_at"),
        # The outbox page: newest first within a status or a kind; a visit's notices.
        sa.Index("ix_notifications_status_id", "status", "id"),
        sa.Index("ix_notifications_kind_id", "kind", "id"),
        sa.Index("ix_notifications_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(60))
    mandatory: Mapped[bool] = mapped_column(default=True)
    recipient_email: Mapped[str] = mapped_column(sa.String(254), index=True)
    recipient_name: Mapped[str] = mapped_column(sa.String(160), default="")
    recipient_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recipient_contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit_contacts.id"))
    language: Mapped[Language] = mapped_column(str_enum(Language, 5), default=Language.VI)
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    context: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    status: Mapped[NotificationStatus] = mapped_column(
        str_enum(NotificationStatus), default=NotificationStatus.PENDING
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Written by each claim, required by the UPDATE that records its outcome (fencing: a
    # dispatcher whose lease ran out cannot mark a row that another has claimed since).
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationPreference(db.Model):
    """An opt-out of one optional kind of reminder, by address (works without an account)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (sa.UniqueConstraint("email", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    kind: Mapped[str] = mapped_column(sa.String(60))
    opted_out_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SendingPause(db.Model):
    """Sending stopped because the mail server refused our credentials.

    One open row (resumed_at NULL) stops every dispatcher until an admin resumes it: a
    wrong password must not burn every row's attempts, nor lock the account.
    """

    __tablename__ = "sending_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    paused_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(sa.Text)
    resumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resumed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
