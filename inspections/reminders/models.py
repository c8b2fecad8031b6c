from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from inspections.db import UTCDateTime, utcnow
from inspections.extensions import db


class PlanReminderSettings(db.Model):
    """A plan's own reminder offsets, written whole (`services.set_reminder_settings`); a
    plan without a row uses the defaults. What each column means, its default and its
    bounds are declared once, in `settings.ReminderSettings`; the CHECKs hold the same
    bounds in the database. The schedule notice period is the plan's `notice_working_days`.
    """

    __tablename__ = "plan_reminder_settings"
    __table_args__ = (
        sa.CheckConstraint("team_reminder_first BETWEEN 0 AND 30", name="team_first_range"),
        sa.CheckConstraint("team_reminder_second BETWEEN 0 AND 30", name="team_second_range"),
        sa.CheckConstraint("unit_reminder BETWEEN 0 AND 30", name="unit_reminder_range"),
        sa.CheckConstraint("findings_after BETWEEN 1 AND 60", name="findings_after_range"),
        sa.CheckConstraint("conclusion_after BETWEEN 1 AND 60", name="conclusion_after_range"),
        sa.CheckConstraint(
            "conclusion_to_coordinator_after BETWEEN conclusion_after AND 60",
            name="conclusion_coordinator_range",
        ),
        sa.CheckConstraint("action_due_soon_days BETWEEN 1 AND 60", name="action_due_soon_range"),
        sa.CheckConstraint("escalate_after BETWEEN 1 AND 60", name="escalate_after_range"),
        sa.CheckConstraint("digest_weekday BETWEEN 0 AND 6", name="digest_weekday_range"),
    )

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True)
    team_reminder_first: Mapped[int]
    team_reminder_second: Mapped[int]
    unit_reminder: Mapped[int]
    findings_after: Mapped[int]
    conclusion_after: Mapped[int]
    conclusion_to_coordinator_after: Mapped[int]
    action_due_soon_days: Mapped[int]
    escalate_after: Mapped[int]
    digest_weekday: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
