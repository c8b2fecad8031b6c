from __future__ import annotations

from datetime import datetime, time
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


class InspectionKind(StrEnum):
    JOINT = "joint"
    SURPRISE = "surprise"


class InspectionStatus(StrEnum):
    ASSIGNED = "assigned"
    SCHEDULED = "scheduled"
    VISITED = "visited"
    CONCLUDED = "concluded"
    CANCELLED = "cancelled"


class VisitStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


# A visit whose date is fixed and may be told outside the team (to the unit, in feeds and
# mail): a proposed date is not yet, a cancelled one no longer. Surprise secrecy builds on it.
CONFIRMED = (VisitStatus.APPROVED, VisitStatus.IN_PROGRESS, VisitStatus.DONE)


class Slot(StrEnum):
    """A half-day visit; its hours are wall-clock time in Vietnam."""

    MORNING = "morning"
    AFTERNOON = "afternoon"

    @property
    def hours(self) -> tuple[time, time]:
        return _SLOT_HOURS[self]


_SLOT_HOURS = {Slot.MORNING: (time(8, 0), time(11, 30)), Slot.AFTERNOON: (time(13, 30), time(17, 0))}


class Inspection(db.Model):
    """One unit assigned to one team under a plan."""

    __tablename__ = "inspections"
    __table_args__ = (
        # A unit is inspected once per plan and kind.
        sa.UniqueConstraint("plan_id", "unit_id", "kind"),
        sa.Index("ix_inspections_team_id_status", "team_id", "status"),  # a team's, by status
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    kind: Mapped[InspectionKind] = mapped_column(str_enum(InspectionKind))
    status: Mapped[InspectionStatus] = mapped_column(
        str_enum(InspectionStatus), default=InspectionStatus.ASSIGNED
    )
    # Set when the unit came out of a surprise draw (the draw itself is in the audit log).
    drawn: Mapped[bool] = mapped_column(default=False)
    conflict_override_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[Plan] = relationship()
    team: Mapped[Team] = relationship()
    unit: Mapped[Unit] = relationship()
    visits: Mapped[list[Visit]] = relationship(back_populates="inspection", order_by="Visit.starts_at")


class Visit(db.Model):
    """A dated half-day visit of a team to the inspected unit."""

    __tablename__ = "visits"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        # The lists walk (starts_at, id); a team's month reads its inspections' visits by date.
        sa.Index("ix_visits_starts_at_id", "starts_at", "id"),
        sa.Index("ix_visits_inspection_id_starts_at", "inspection_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id"), index=True)
    # The old time is loaded when a new one is set: a move is told from a rewrite.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True, active_history=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, active_history=True)
    slot: Mapped[Slot] = mapped_column(str_enum(Slot))
    status: Mapped[VisitStatus] = mapped_column(str_enum(VisitStatus), default=VisitStatus.PROPOSED)
    # A date fixed by hand stays where it is when a schedule is proposed again.
    fixed: Mapped[bool] = mapped_column(default=False)
    # Optimistic lock: a move based on an old version is refused.
    version: Mapped[int] = mapped_column(default=1)
    # Raised each time the visit's start or end moves, and only then: the RFC 5545
    # SEQUENCE of its calendar event (a calendar replaces an event whose SEQUENCE rose).
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    # Why it was last moved or cancelled (told to the unit in the change notice).
    change_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Set when an approved visit is called off (`scheduling.changes.cancel_visit`): the unit
    # of an announced visit was told of it, so its feed keeps it as a cancelled event.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The row's last change: the DTSTAMP and LAST-MODIFIED of its event, stable between
    # two fetches of a feed.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="visits")

    __mapper_args__ = {"version_id_col": version}

    @property
    def confirmed(self) -> bool:
        """Approved (or under way): a proposed date is not yet told to anyone outside."""
        return self.status in CONFIRMED


def _moved(visit: Visit) -> bool:
    state = sa.inspect(visit)
    for name in ("starts_at", "ends_at"):
        history = state.attrs[name].history
        if history.added and history.deleted and history.added[0] != history.deleted[0]:
            return True
    return False


@sa.event.listens_for(Visit, "before_update")
def _raise_sequence(_mapper: object, _connection: object, visit: Visit) -> None:
    """Wherever a visit's time is changed (a schedule approved over a proposed date, a
    move), its event's SEQUENCE rises once per change written; a change of anything else
    (its status, its slot's name) leaves it."""
    if _moved(visit):
        visit.sequence = (visit.sequence or 0) + 1
