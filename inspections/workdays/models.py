from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from inspections.db import str_enum
from inspections.extensions import db


class DayKind(StrEnum):
    DAY_OFF = "day_off"  # an extra day off announced by the government
    WORKING_DAY = "working_day"  # a Saturday or Sunday worked in exchange


class CalendarDay(db.Model):
    """An exception to the statutory working-day calendar, entered by an admin."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[DayKind] = mapped_column(str_enum(DayKind))
    note: Mapped[str] = mapped_column(sa.String(255), default="")
