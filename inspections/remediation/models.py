from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspections.db import UTCDateTime, str_enum, utcnow
from inspections.extensions import db

if TYPE_CHECKING:
    from inspections.findings.models import Finding
    from inspections.units.models import Unit


class ActionStatus(StrEnum):
    OPEN = "open"
    REPORTED = "reported"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class CorrectiveAction(db.Model):
    """What a unit must fix after a non-compliant finding, and by when."""

    __tablename__ = "corrective_actions"
    # The actions list filters by status and sorts by the due date (listing.keyset_page).
    __table_args__ = (sa.Index("ix_corrective_actions_status_due", "status", "due_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("findings.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    description: Mapped[str] = mapped_column(sa.Text)
    due_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus), default=ActionStatus.OPEN)
    report_text: Mapped[str | None] = mapped_column(sa.Text)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    finding: Mapped[Finding] = relationship()
    unit: Mapped[Unit] = relationship()


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
        sa.Index("ix_extension_requests_status_id", "status", "id"),  # pending first, then by age
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
