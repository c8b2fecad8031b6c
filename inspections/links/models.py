from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from inspections.db import UTCDateTime, str_enum, utcnow
from inspections.extensions import db


class LinkPurpose(StrEnum):
    ACKNOWLEDGE = "acknowledge"  # a schedule notice; one-time
    SELF_ASSESSMENT = "self_assessment"  # upload before an announced visit
    CONCLUSION = "conclusion"  # read the issued conclusion
    REMEDIATION = "remediation"  # report on one corrective action, ask for more time


ONE_TIME = frozenset({LinkPurpose.ACKNOWLEDGE})


class ActionLink(db.Model):
    """One link issued in one mail: single-purpose, scoped to a unit and an object.

    The token in the mail only names this row; the row decides: expired, used (one-time
    purposes), revoked by an admin.
    """

    __tablename__ = "action_links"
    __table_args__ = (
        # One link per mail, purpose and object: the mail's row holds its links.
        sa.UniqueConstraint("notification_id", "purpose", "object_id"),
        sa.CheckConstraint("expires_at > created_at", name="expires_after_creation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[LinkPurpose] = mapped_column(str_enum(LinkPurpose))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int]
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit_contacts.id", ondelete="SET NULL"))
    email: Mapped[str] = mapped_column(sa.String(254))
    notification_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("notifications.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
