from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspections.db import UTCDateTime, str_enum, utcnow
from inspections.extensions import db
from inspections.units.models import Language

if TYPE_CHECKING:
    from inspections.units.models import Unit


class Role(StrEnum):
    """A user's standing role. Team leader and member come from team memberships."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    OBSERVER = "observer"
    # Staff of an agency who sit on inspection teams; rights come from memberships.
    INSPECTOR = "inspector"
    UNIT_CONTACT = "unit_contact"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # A unit contact always belongs to a unit: it is what scopes everything they see.
        sa.CheckConstraint("role <> 'unit_contact' OR home_unit_id IS NOT NULL", name="contact_has_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(160))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    home_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    language: Mapped[Language] = mapped_column(str_enum(Language, 5), default=Language.VI)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Kept in each session at login; raising it ends every session of the user at once
    # (logout, password change, deactivation): a copied cookie dies with them.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    home_unit: Mapped[Unit | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.username}>"
