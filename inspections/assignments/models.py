"""The record of a seeded surprise draw, so anyone allowed can re-run it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspections.db import UTCDateTime, json_type, utcnow
from inspections.extensions import db
from inspections.plans.models import Plan
from inspections.teams.models import Team


class SurpriseDraw(db.Model):
    """One draw: the pool with its risk weights, the seed (and its hash) and the result.

    The pool, the weights and the seed are everything the draw depends on: re-running the
    sampler on them must give `drawn_unit_ids` again.
    """

    __tablename__ = "surprise_draws"
    __table_args__ = (sa.CheckConstraint("count >= 1", name="count_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    count: Mapped[int]
    seed_sha256: Mapped[str] = mapped_column(sa.String(64))
    seed: Mapped[str] = mapped_column(sa.String(128))
    filters: Mapped[dict[str, Any]] = mapped_column(json_type())
    # [[unit_id, weight], ...] in unit id order, as used by the sampler.
    pool: Mapped[list[Any]] = mapped_column(json_type())
    drawn_unit_ids: Mapped[list[Any]] = mapped_column(json_type())
    commit_event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("audit_events.id"))
    reveal_event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("audit_events.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[Plan] = relationship()
    team: Mapped[Team] = relationship()
