"""Overdue corrective actions per district, counted in SQL (one GROUP BY).

"Overdue" is the reminders' rule (`remediation.services.is_overdue`), asked only of the
actions the viewer may see (`policy.visible_actions`). A unit's district is the one it names
(`Unit.district_id`), else the unit itself when it is a district, else a commune's parent;
units in no district (departments, the city) are counted in one row of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from inspections import policy
from inspections.auth.models import User
from inspections.extensions import db
from inspections.i18n import today
from inspections.remediation.models import CorrectiveAction
from inspections.remediation.services import is_overdue
from inspections.units.models import Unit, UnitKind

TOP_DISTRICTS = 15


@dataclass(frozen=True)
class DistrictOverdue:
    district_id: int | None  # None: the units in no district
    name: str
    overdue: int


@dataclass(frozen=True)
class OverdueByDistrict:
    rows: list[DistrictOverdue]  # the most overdue first; the units in no district last
    total: int
    districts: int  # how many districts have an overdue action (rows shows the first ones)

    @property
    def shown(self) -> int:
        return sum(1 for row in self.rows if row.district_id is not None)


def district_of() -> sa.ColumnElement[int | None]:
    """SQL: the district of the unit joined as `Unit` (None when it is in none)."""
    return sa.func.coalesce(
        Unit.district_id,
        sa.case((Unit.kind == UnitKind.DISTRICT, Unit.id), (Unit.kind == UnitKind.COMMUNE, Unit.parent_id)),
    )


def overdue_by_district(
    viewer: User, *, on: date | None = None, limit: int = TOP_DISTRICTS
) -> OverdueByDistrict:
    district = district_of().label("district")
    counts = (
        policy.visible_actions(viewer)
        .join(Unit, Unit.id == CorrectiveAction.unit_id)
        .where(is_overdue(on or today()))
        .with_only_columns(district, sa.func.count().label("n"))
        .group_by(district)
    ).subquery()
    district_unit = aliased(Unit)
    rows = db.session.execute(
        sa.select(counts.c.district, district_unit.name, counts.c.n)
        .outerjoin(district_unit, district_unit.id == counts.c.district)
        .order_by(
            counts.c.district.is_(None), counts.c.n.desc(), district_unit.search_name, counts.c.district
        )
    ).all()
    named = [DistrictOverdue(d, name, n) for d, name, n in rows if d is not None]
    elsewhere = [DistrictOverdue(None, "", n) for d, _name, n in rows if d is None]
    return OverdueByDistrict(
        rows=named[:limit] + elsewhere, total=sum(n for _d, _name, n in rows), districts=len(named)
    )
