from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspections.db import UTCDateTime, json_type, str_enum, utcnow
from inspections.extensions import db
from inspections.visits.models import Inspection, Slot, Visit


class ProposalStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"  # every inspection has a date; waiting for review
    REFUSED = "refused"  # infeasible: `reasons` says why, nothing was scheduled
    FAILED = "failed"  # the worker crashed; propose again
    APPROVED = "approved"
    SUPERSEDED = "superseded"


class ScheduleProposal(db.Model):
    """A schedule asked of the worker for one plan: its progress, then dates or reasons."""

    __tablename__ = "schedule_proposals"
    __table_args__ = (sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    status: Mapped[ProposalStatus] = mapped_column(str_enum(ProposalStatus), default=ProposalStatus.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)
    # The seed of the surprise order: the same request gives the same proposal.
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    # The day the schedule notices go out; announced visits come N working days later.
    notice_on: Mapped[date]
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(json_type(), default=list)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    items: Mapped[list[ProposalItem]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalItem.day"
    )


class ProposalItem(db.Model):
    """The date and half-day proposed for one inspection not yet fixed."""

    __tablename__ = "schedule_proposal_items"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "inspection_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("schedule_proposals.id", ondelete="CASCADE"))
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id"), index=True)
    day: Mapped[date]
    slot: Mapped[Slot] = mapped_column(str_enum(Slot))
    # Why a reviewer kept a move that breaks a soft goal.
    moved_reason: Mapped[str | None] = mapped_column(sa.Text)

    proposal: Mapped[ScheduleProposal] = relationship(back_populates="items")
    inspection: Mapped[Inspection] = relationship()


class UnitBlackout(db.Model):
    """A day the unit cannot receive an inspection team."""

    __tablename__ = "unit_blackouts"
    __table_args__ = (sa.UniqueConstraint("unit_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"))
    day: Mapped[date]
    note: Mapped[str] = mapped_column(sa.String(255), default="")


class MemberAbsence(db.Model):
    """A day a person cannot sit on any team visit."""

    __tablename__ = "member_absences"
    __table_args__ = (sa.UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date]
    note: Mapped[str] = mapped_column(sa.String(255), default="")


class PlanScheduleSettings(db.Model):
    """Scheduling settings of a plan that the plan itself does not hold."""

    __tablename__ = "plan_schedule_settings"
    __table_args__ = (sa.CheckConstraint("cross_team_gap_days >= 0", name="gap_not_negative"),)

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True)
    # Visits of two different teams to one unit are at least this many working days apart.
    cross_team_gap_days: Mapped[int] = mapped_column(default=1)


class CalendarFeed(db.Model):
    """A user's secret ICS feed address. Only its hash is kept; revoking ends it for good."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChangeStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"


class VisitChangeRequest(db.Model):
    """A team head's proposal to move an approved visit; the plan's coordinator decides."""

    __tablename__ = "visit_change_requests"
    __table_args__ = (sa.Index("ix_visit_change_requests_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]
    slot: Mapped[Slot] = mapped_column(str_enum(Slot))
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ChangeStatus] = mapped_column(str_enum(ChangeStatus), default=ChangeStatus.PENDING)
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    visit: Mapped[Visit] = relationship()
