from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspections.db import UTCDateTime, str_enum, utcnow
from inspections.extensions import db


class UnitKind(StrEnum):
    CITY = "city"
    DEPARTMENT = "department"
    DISTRICT = "district"
    COMMUNE = "commune"
    PUBLIC_SERVICE = "public_service"


class DivisionType(StrEnum):
    """The administrative name of a district- or commune-level unit."""

    URBAN_DISTRICT = "urban_district"  # quận
    RURAL_DISTRICT = "rural_district"  # huyện
    TOWN = "town"  # thị xã
    WARD = "ward"  # phường
    COMMUNE = "commune"  # xã
    TOWNSHIP = "township"  # thị trấn


class Language(StrEnum):
    VI = "vi"
    EN = "en"


class Unit(db.Model):
    """An agency, district, commune or public service unit that can be inspected."""

    __tablename__ = "units"
    __table_args__ = (
        sa.CheckConstraint("parent_id <> id", name="not_own_parent"),
        # Keyset pagination walks (search_name, id); substring search uses trigrams on
        # PostgreSQL (a plain index elsewhere), so both stay fast at 100,000 units.
        sa.Index("ix_units_search_name_id", "search_name", "id"),
        sa.Index("ix_units_kind_search_name_id", "kind", "search_name", "id"),  # a kind, by name
        sa.Index(
            "ix_units_search_trgm",
            "search_name",
            postgresql_using="gin",
            postgresql_ops={"search_name": "gin_trgm_ops"},
            # No pending list: every search would read it in full (0008_unit_search).
            postgresql_with={"fastupdate": "off"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    name_en: Mapped[str | None] = mapped_column(sa.String(255))
    # Where its office is, one line: shown on the team's visit cards and in the minutes.
    address: Mapped[str | None] = mapped_column(sa.String(255))
    # Lower-case, accent-free copy of the name, kept by the service, for search.
    search_name: Mapped[str] = mapped_column(sa.String(255), index=True)
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind))
    division_type: Mapped[DivisionType | None] = mapped_column(str_enum(DivisionType))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    district: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[district_id])
    contacts: Mapped[list[UnitContact]] = relationship(
        back_populates="unit", order_by="UnitContact.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class UnitContact(db.Model):
    """An official of a unit who receives notices by email (an account is optional)."""

    __tablename__ = "unit_contacts"
    __table_args__ = (sa.UniqueConstraint("unit_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    email: Mapped[str] = mapped_column(sa.String(254))
    language: Mapped[Language] = mapped_column(str_enum(Language, 5), default=Language.VI)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    unit: Mapped[Unit] = relationship(back_populates="contacts")
