from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from inspections.db import UTCDateTime, json_type, utcnow
from inspections.extensions import db


class AuditEvent(db.Model):
    """One change: who, what, when, before and after, hash-chained to the previous event.

    `prev_hash` is unique, so two transactions that both read the same head cannot both
    append after it: the chain cannot fork.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(80))
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    before: Mapped[dict[str, Any] | None] = mapped_column(json_type())
    after: Mapped[dict[str, Any] | None] = mapped_column(json_type())
    prev_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    __table_args__ = (
        sa.Index("ix_audit_events_object", "object_type", "object_id"),
        # The log's filters: an action or its beginning ("case."), a span of days. The
        # pattern operator class lets PostgreSQL use the index for LIKE 'case.%' under any
        # collation.
        sa.Index("ix_audit_events_action", "action", postgresql_ops={"action": "varchar_pattern_ops"}),
        sa.Index("ix_audit_events_occurred_at", "occurred_at"),
    )
