from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspections.db import UTCDateTime, str_enum, utcnow
from inspections.extensions import db

if TYPE_CHECKING:
    from inspections.plans.models import Plan
    from inspections.teams.models import Team
    from inspections.units.models import Unit


class CaseSource(StrEnum):
    COMPLAINT = "complaint"
    PRESS = "press"
    HOTLINE = "hotline"
    REFERRAL = "referral"


class CaseStatus(StrEnum):
    INTAKE = "intake"
    ASSIGNED = "assigned"
    INVESTIGATING = "investigating"
    CONCLUDED = "concluded"
    CLOSED = "closed"


class Case(db.Model):
    """A specific matter (vụ việc) inspected on its own, counted against a plan's target."""

    __tablename__ = "cases"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "reference"),
        # The case list: newest received first, or a plan's cases by status.
        sa.Index("ix_cases_received_on_id", "received_on", "id"),
        sa.Index("ix_cases_plan_id_status", "plan_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    reference: Mapped[str] = mapped_column(sa.String(40))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id"), index=True)
    source: Mapped[CaseSource] = mapped_column(str_enum(CaseSource))
    title: Mapped[str] = mapped_column(sa.String(255))
    summary: Mapped[str] = mapped_column(sa.Text)
    received_on: Mapped[date]
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus), default=CaseStatus.INTAKE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[Plan] = relationship()
    unit: Mapped[Unit] = relationship()
    team: Mapped[Team | None] = relationship()


class CaseAttachment(db.Model):
    """A file received with a case (the complaint, the article), stored by content hash."""

    __tablename__ = "case_attachments"
    __table_args__ = (sa.CheckConstraint("size_bytes > 0", name="not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
