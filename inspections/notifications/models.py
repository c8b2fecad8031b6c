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


class PlanReminderSettings(db.Model):
    """A plan's own reminder offsets; a plan without a row uses the defaults of
    `reminders.Rules`. The schedule notice period is the plan's `notice_working_days`.

    Offsets are working days, except `action_due_soon_days` (calendar days, as the due
    date is a calendar date). The upper bounds keep every rule inside the window of past
    visits and actions the rules look at.
    """

    __tablename__ = "plan_reminder_settings"
    __table_args__ = (
        sa.CheckConstraint("team_reminder_first BETWEEN 0 AND 30", name="team_first_range"),
        sa.CheckConstraint("team_reminder_second BETWEEN 0 AND 30", name="team_second_range"),
        sa.CheckConstraint("unit_reminder BETWEEN 0 AND 30", name="unit_reminder_range"),
        sa.CheckConstraint("findings_after BETWEEN 1 AND 60", name="findings_after_range"),
        sa.CheckConstraint("conclusion_after BETWEEN 1 AND 60", name="conclusion_after_range"),
        sa.CheckConstraint(
            "conclusion_to_coordinator_after BETWEEN conclusion_after AND 60",
            name="conclusion_coordinator_range",
        ),
        sa.CheckConstraint("action_due_soon_days BETWEEN 1 AND 60", name="action_due_soon_range"),
        sa.CheckConstraint("escalate_after BETWEEN 1 AND 60", name="escalate_after_range"),
        sa.CheckConstraint("digest_weekday BETWEEN 0 AND 6", name="digest_weekday_range"),
    )

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True)
    team_reminder_first: Mapped[int] = mapped_column(default=3)
    team_reminder_second: Mapped[int] = mapped_column(default=1)
    unit_reminder: Mapped[int] = mapped_column(default=1)
    findings_after: Mapped[int] = mapped_column(default=2)
    conclusion_after: Mapped[int] = mapped_column(default=15)
    conclusion_to_coordinator_after: Mapped[int] = mapped_column(default=20)
    action_due_soon_days: Mapped[int] = mapped_column(default=7)
    escalate_after: Mapped[int] = mapped_column(default=10)
    digest_weekday: Mapped[int] = mapped_column(default=0)  # Monday
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
