from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspections.db import UTCDateTime, str_enum, utcnow
from inspections.extensions import db

if TYPE_CHECKING:
    from inspections.auth.models import User


class PlanStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class TargetKind(StrEnum):
    JOINT = "joint"  # announced visits by an inter-agency team
    SURPRISE = "surprise"  # unannounced public-service inspections
    CASE = "case"  # specific matters (vụ việc)


plan_coordinators = sa.Table(
    "plan_coordinators",
    db.metadata,
    sa.Column("plan_id", sa.ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Plan(db.Model):
    """A year's inspection plan (kế hoạch kiểm tra)."""

    __tablename__ = "plans"
    __table_args__ = (
        sa.CheckConstraint("window_end >= window_start", name="window_order"),
        sa.CheckConstraint("notice_working_days >= 0", name="notice_not_negative"),
        sa.UniqueConstraint("number", "year"),
        sa.Index("ix_plans_year_id", "year", "id"),  # the plan list, newest year first
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(255))
    number: Mapped[str | None] = mapped_column(sa.String(60))  # số hiệu, e.g. 40/KH-UBND
    issued_on: Mapped[date | None]
    window_start: Mapped[date]
    window_end: Mapped[date]
    content_areas: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus), default=PlanStatus.DRAFT)
    # Announced visits come at least this many working days after their notice.
    notice_working_days: Mapped[int] = mapped_column(default=5)
    copied_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plans.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    targets: Mapped[list[PlanTarget]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanTarget.id"
    )
    coordinators: Mapped[list[User]] = relationship(secondary=plan_coordinators)

    def target(self, kind: TargetKind) -> int:
        return next((t.count for t in self.targets if t.kind == kind), 0)


class PlanTarget(db.Model):
    __tablename__ = "plan_targets"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "kind"),
        sa.CheckConstraint("count >= 0", name="count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"))
    kind: Mapped[TargetKind] = mapped_column(str_enum(TargetKind))
    count: Mapped[int]

    plan: Mapped[Plan] = relationship(back_populates="targets")
