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
    # Two-factor login (inspections/auth/totp.py): the TOTP secret (base32) once enrolment
    # is confirmed, and the last time step accepted, so a code is never accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    home_unit: Mapped[Unit | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class TokenScope(StrEnum):
    READ = "read"
    WRITE = "write"  # read and write


class ApiToken(db.Model):
    """A personal access token for the JSON API: shown once, kept as its SHA-256 only.

    The token is 32 random bytes (so a fast hash is enough: nothing to brute-force); its
    first characters (`prefix`) are kept in clear to tell tokens apart in the list.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scope: Mapped[TokenScope] = mapped_column(str_enum(TokenScope, 10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A read is audited at most once an hour per token (the chain is not a request log).
    last_audited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class RecoveryCode(db.Model):
    """A one-time code that stands in for a TOTP code (the phone is lost); argon2-hashed."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ExternalIdentity(db.Model):
    """An account of the identity provider (OpenID Connect) linked to a user."""

    __tablename__ = "external_identities"
    __table_args__ = (sa.UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(sa.String(255))
    subject: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
