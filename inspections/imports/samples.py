"""The template file of each import: its columns (headers in Vietnamese and English, as
`Mã / Code`), a sample row, and, in an XLSX, a second sheet that says what each column
takes. The import reads the template's headers back (inspections/imports/parsing.py)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from inspections.imports.models import ImportKind
from inspections.imports.parsing import LAYOUTS, template_header
from inspections.spreadsheets import csv_bytes, xlsx_bytes

NOTES: dict[str, Any] = {
    "code": _l("Unique code of the unit; a known code updates that unit."),
    "kind": _l("city, department, district, commune or public_service (or the word in Vietnamese)."),
    "division_type": _l("urban_district, rural_district, town, ward, commune or township."),
    "parent_code": _l("Code of the unit above it (in the registry or in this file)."),
    "district_code": _l("Code of its district."),
    "active": _l("1 for active, 0 for inactive (empty: active)."),
    "contact_language": _l("vi or en (empty: vi)."),
    "address": _l("Where the unit's office is, on one line; a file without this column leaves it as it is."),
    "language": _l("vi or en (empty: vi)."),
    "unit_code": _l("Code of a unit already in the registry."),
    "username": _l("Empty: the email address is the username."),
    "home_unit_code": _l("Code of the person's own agency or unit."),
    "role": _l("inspector or unit_contact; other roles are given by an administrator."),
    "email": _l("A one-time link to set the password is mailed here; the account is inactive until then."),
}


def template_file(kind: ImportKind, fmt: str) -> bytes:
    layout = LAYOUTS[kind]
    header = [template_header(c) for c in layout.columns]
    sample = [c.sample for c in layout.columns]
    if fmt == "csv":
        return csv_bytes([header, sample])
    notes = [[_("Column"), _("Required"), _("What it takes")]]
    for column, said in zip(layout.columns, header, strict=True):
        notes.append([said, _("Yes") if column.required else _("No"), str(NOTES.get(column.name, ""))])
    return xlsx_bytes({_("Data"): [header, sample], _("Columns"): notes})
