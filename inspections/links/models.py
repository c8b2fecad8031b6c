from __future__ import annotations

from datetime import date, datetime
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
        # A mail rendered twice (a retry) gives the same link, not a second one.
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


class Acknowledgement(db.Model):
    """The unit has seen a schedule notice."""

    __tablename__ = "notice_acknowledgements"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visits.id", ondelete="CASCADE"), index=True)
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


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


class ExtensionRequest(db.Model):
    """The unit asks for more time on a corrective action; a coordinator decides."""

    __tablename__ = "extension_requests"
    __table_args__ = (
        sa.CheckConstraint("requested_on > old_due_on", name="later_than_due"),
        sa.CheckConstraint("status <> 'granted' OR granted_on IS NOT NULL", name="granted_has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(
        sa.ForeignKey("corrective_actions.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    old_due_on: Mapped[date]
    requested_on: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ExtensionStatus] = mapped_column(
        str_enum(ExtensionStatus), default=ExtensionStatus.PENDING
    )
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit_contacts.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    granted_on: Mapped[date | None]
    decision_note: Mapped[str | None] = mapped_column(sa.Text)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
