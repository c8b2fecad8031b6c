"""Export of the unit registry in CSV and XLSX.

An export speaks the language of the request (Vietnamese unless English is asked for):
its headers and its kinds and division types are words, `active` is a real yes/no cell.
The import (inspections/imports) reads these headers and words back in either language,
so an export imports back cleanly: it takes its columns from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from inspections.extensions import db
from inspections.labels import label
from inspections.spreadsheets import csv_bytes, xlsx_bytes
from inspections.units.models import DivisionType, Unit, UnitKind
from inspections.units.services import primary_contact

COLUMNS = (
    "code",
    "name",
    "name_en",
    "kind",
    "division_type",
    "parent_code",
    "district_code",
    "active",
    "contact_name",
    "contact_email",
    "contact_language",
    "address",  # last: files made before it had the column keep their positions
)
FORMATS = ("csv", "xlsx")
# The headers of an export, by column.
HEADERS = {
    "code": _l("Code"),
    "name": _l("Name"),
    "name_en": _l("Name in English"),
    "kind": _l("Kind"),
    "division_type": _l("Division type"),
    "parent_code": _l("Parent unit"),  # its code, as the import wants it
    "district_code": _l("District"),  # its code
    "active": _l("Active"),
    "contact_name": _l("Contact name"),
    "contact_email": _l("Contact email"),
    "contact_language": _l("Contact language"),
    "address": _l("Address"),
}
# The same words as the unit form (inspections/units/forms.py).
DIVISION_LABELS = {
    DivisionType.URBAN_DISTRICT: _l("Urban district (quận)"),
    DivisionType.RURAL_DISTRICT: _l("Rural district (huyện)"),
    DivisionType.TOWN: _l("Town (thị xã)"),
    DivisionType.WARD: _l("Ward (phường)"),
    DivisionType.COMMUNE: _l("Commune (xã)"),
    DivisionType.TOWNSHIP: _l("Township (thị trấn)"),
}


def row_of(unit: Unit) -> dict[str, str]:
    """A unit as the columns of a file say it (codes, 1/0)."""
    contact = primary_contact(unit)
    return {
        "code": unit.code,
        "name": unit.name,
        "name_en": unit.name_en or "",
        "kind": unit.kind.value,
        "division_type": unit.division_type.value if unit.division_type else "",
        "parent_code": unit.parent.code if unit.parent else "",
        "district_code": unit.district.code if unit.district else "",
        "active": "1" if unit.active else "0",
        "contact_name": contact.name if contact else "",
        "contact_email": contact.email if contact else "",
        "contact_language": contact.language.value if contact else "",
        "address": unit.address or "",
    }


def export_rows(query: sa.Select[tuple[Unit]]) -> Iterable[list[Any]]:
    """The header in the request's language, then one row per unit: kinds and division
    types as words, `active` as a yes/no (what the import reads back)."""
    yield [str(HEADERS[c]) for c in COLUMNS]
    kinds = {kind.value: label(kind) for kind in UnitKind}
    divisions = {d.value: str(text) for d, text in DIVISION_LABELS.items()}
    for unit in db.session.scalars(query.order_by(Unit.id).execution_options(yield_per=1000)):
        row: dict[str, Any] = row_of(unit)
        row["kind"] = kinds[row["kind"]]
        row["division_type"] = divisions.get(row["division_type"], "")
        row["active"] = unit.active
        yield [row[c] for c in COLUMNS]


def export_units(query: sa.Select[tuple[Unit]], fmt: str) -> bytes:
    rows = export_rows(query)
    if fmt == "csv":
        return csv_bytes(rows)
    return xlsx_bytes({str(_l("Units")): rows})
