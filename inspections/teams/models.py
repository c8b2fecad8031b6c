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
    from inspections.plans.models import Plan
    from inspections.units.models import Unit


class TeamKind(StrEnum):
    JOINT = "joint"  # đoàn kiểm tra liên ngành: announced visits
    PUBLIC_SERVICE = "public_service"  # đoàn kiểm tra công vụ: surprise visits


class TeamRole(StrEnum):
    HEAD = "head"
    DEPUTY = "deputy"
    MEMBER = "member"
    SECRETARY = "secretary"


class Team(db.Model):
    """An inspection team (đoàn kiểm tra), set up by a decision for one plan."""

    __tablename__ = "teams"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "name"),
        sa.CheckConstraint("visits_per_day >= 1", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[TeamKind] = mapped_column(str_enum(TeamKind))
    decision_number: Mapped[str | None] = mapped_column(sa.String(60))
    decision_date: Mapped[date | None]
    decision_signer: Mapped[str | None] = mapped_column(sa.String(160))
    # How many half-day visits the team can make in one working day.
    visits_per_day: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[Plan] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="Membership.id"
    )

    @property
    def head(self) -> Membership | None:
        """The head of the team (at most one: the team service refuses a second)."""
        return next((m for m in self.memberships if m.role == TeamRole.HEAD), None)


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    role: Mapped[TeamRole] = mapped_column(str_enum(TeamRole))
    # The agency the member comes from, kept as at appointment: conflicts are checked on it.
    home_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))

    team: Mapped[Team] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()
    home_unit: Mapped[Unit] = relationship()
