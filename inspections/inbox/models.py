from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from inspections.db import UTCDateTime, utcnow
from inspections.extensions import db


class DigestSubscription(db.Model):
    """A person who asked for one daily mail listing what waits on them (opt-in)."""

    __tablename__ = "inbox_digest_subscriptions"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
