from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from inspections.db import UTCDateTime, str_enum, utcnow
from inspections.extensions import db


class Acknowledgement(db.Model):
    """The unit has seen a schedule notice."""

    __tablename__ = "notice_acknowledgements"
    # Once per visit: acknowledging again answers the stored acknowledgement.
    __table_args__ = (sa.UniqueConstraint("visit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visits.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit_contacts.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UploadKind(StrEnum):
    SELF_ASSESSMENT = "self_assessment"
    REMEDIATION = "remediation"


class UnitUpload(db.Model):
    """A file the unit sent: its self-assessment report, or evidence of a remediation."""

    __tablename__ = "unit_uploads"
    __table_args__ = (
        sa.CheckConstraint("size_bytes > 0", name="not_empty"),
        sa.CheckConstraint("(visit_id IS NULL) <> (action_id IS NULL)", name="on_visit_or_action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[UploadKind] = mapped_column(str_enum(UploadKind))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("corrective_actions.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit_contacts.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
