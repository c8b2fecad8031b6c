"""Import and export of the unit registry in CSV and XLSX.

An import is read and checked as a whole first (the preview, with row-by-row errors);
only a file without a single error is applied, in one transaction: a bad file changes
nothing. Rows are matched on `code`: new codes are created, known ones updated, so an
export imports back cleanly (the apostrophe an export puts before a formula-like text is
taken off again: inspections/spreadsheets.py).

A workbook is read for what it holds, not for what it declares: a 1.5 KB file may claim
the cells A1:XFD1048576. Its declared size is ignored, at most MAX_COLUMNS columns are
read, and reading stops past the row limit; its uncompressed size is bounded too.

An export speaks the language of the request (Vietnamese unless English is asked for):
its headers and its kinds and division types are words, `active` is a real yes/no cell.
An import reads either language, and the column names and codes of the older exports
(`code`, `department`, `1`), so that any export imports back.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from inspections.auth.models import User
from inspections.errors import InvalidInput
from inspections.extensions import db
from inspections.forms import has_control_characters
from inspections.labels import LABELS, label
from inspections.spreadsheets import csv_bytes, unguard, xlsx_bytes
from inspections.units.models import DivisionType, Language, Unit, UnitKind
from inspections.units.services import ContactInput, create_unit, normal_email, primary_contact, update_unit

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
)
REQUIRED = ("code", "name", "kind")
FORMATS = ("csv", "xlsx")
MAX_ROWS = 20_000
MAX_COLUMNS = 50  # the eleven columns, and room for a user's own notes beside them
# Rows of a sheet read at most: the header, MAX_ROWS, and some blank rows between them.
MAX_SHEET_ROWS = MAX_ROWS + 1 + 1_000
MAX_UNPACKED_BYTES = 50 * 1000 * 1000  # an XLSX is a zip: what it may unpack to, in all
# What a broken workbook raises while it is read (zip, deflate, XML, cell references).
_BROKEN = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    InvalidFileException,
    SyntaxError,  # xml.etree's ParseError and lxml's XMLSyntaxError
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    OSError,
)
_NAME_COLUMNS = ("code", "name", "name_en", "parent_code", "district_code", "contact_name", "contact_email")
# The headers of an export, by column; an import also takes the column names themselves.
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
_TRUE = {"1", "true", "yes", "y", "x", "có", "co"}
_FALSE = {"0", "false", "no", "n", "không", "khong"}


class ImportFileError(InvalidInput):
    """The file as a whole cannot be read (format, size, columns)."""


@dataclass(frozen=True)
class RowError:
    row: int  # as the user sees it in a spreadsheet: the header is row 1
    column: str
    message: str


@dataclass
class ParsedRow:
    row: int
    values: dict[str, str]
    action: str = "create"  # create / update / unchanged


@dataclass
class ImportPreview:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


# --- reading ----------------------------------------------------------------------------


def read_table(data: bytes, fmt: str, *, max_bytes: int) -> list[list[str]]:
    """The file's rows as text cells, or ImportFileError."""
    if len(data) > max_bytes:
        raise ImportFileError(
            _l("The file is larger than the %(size)s MB allowed for an import.", size=max_bytes // 1_000_000)
        )
    if fmt == "xlsx":
        rows = _read_xlsx(data)
    elif fmt == "csv":
        rows = _read_csv(data)
    else:
        raise ImportFileError(_l("Upload a .csv or .xlsx file."))
    rows = [[unguard(c) for c in r] for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise ImportFileError(_l("The file is empty."))
    if len(rows) - 1 > MAX_ROWS:
        raise _too_many_rows()
    return rows


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_l("The CSV file is not UTF-8 text.")) from exc
    if "\x00" in text:
        raise ImportFileError(_l("The CSV file is not UTF-8 text."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            if len(rows) >= MAX_SHEET_ROWS:
                raise _too_many_rows()
            rows.append([c.strip() for c in row[:MAX_COLUMNS]])
    except csv.Error as exc:  # a field beyond the csv module's limit, a stray quote
        raise ImportFileError(
            _l("The CSV file cannot be read: a cell is too long or a quotation mark is not closed.")
        ) from exc
    return rows


def _too_many_rows() -> ImportFileError:
    return ImportFileError(_l("The file has more than %(n)d rows; split it into smaller files.", n=MAX_ROWS))


def _read_xlsx(data: bytes) -> list[list[str]]:
    not_a_workbook = ImportFileError(_l("The file is not a valid Excel (.xlsx) workbook."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except _BROKEN as exc:
        raise not_a_workbook from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            _l("The workbook unpacks to more than %(size)d MB; split it into smaller files.",
               size=MAX_UNPACKED_BYTES // 1_000_000)
        )  # fmt: skip
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _BROKEN as exc:
        raise not_a_workbook from exc
    try:
        sheet = book.worksheets[0]
        # The dimension the file declares is a claim: forget it, so that rows are not
        # padded out to it; the columns are capped, and the rows counted as they come.
        sheet.reset_dimensions()
        rows = []
        for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            if number > MAX_SHEET_ROWS:
                raise _too_many_rows()
            if any(c is not None for c in row):  # the blank rows are left out in any case
                rows.append([_cell_text(c) for c in row])
        return rows
    except _BROKEN as exc:  # malformed sheet XML shows only as the rows are read
        raise not_a_workbook from exc
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- checking ---------------------------------------------------------------------------


def preview_import(data: bytes, fmt: str, *, max_bytes: int) -> ImportPreview:
    """Read and check the whole file; changes nothing."""
    table = read_table(data, fmt, max_bytes=max_bytes)
    names = _header_names()
    header = [names.get(_plain(h), _plain(h)) for h in table[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFileError(_l("Missing column(s): %(columns)s.", columns=", ".join(missing)))
    index = {name: header.index(name) for name in COLUMNS if name in header}
    words = _value_words()
    preview = ImportPreview()
    for number, cells in enumerate(table[1:], start=2):
        values = {name: (cells[i].strip() if i < len(cells) else "") for name, i in index.items()}
        preview.rows.append(ParsedRow(number, _codes(values, words)))
    _check_rows(preview)
    return preview


def _plain(text: str) -> str:
    return " ".join(text.split()).lower()


def _in_each_language(text: Any) -> set[str]:
    """A lazy string as every language of the application says it, normalised."""
    out = set()
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            out.add(_plain(str(text)))
    return out


def _header_names() -> dict[str, str]:
    """Every header an export may have written (either language) -> its column."""
    return {said: column for column, header in HEADERS.items() for said in _in_each_language(header)}


def _value_words() -> dict[str, dict[str, str]]:
    """For the coded columns, every word an export may have written -> the code."""
    kinds = {said: k.value for k in UnitKind for said in _in_each_language(LABELS[(UnitKind, k.value)])}
    divisions = {said: d.value for d, text in DIVISION_LABELS.items() for said in _in_each_language(text)}
    return {"kind": kinds, "division_type": divisions}


def _codes(values: dict[str, str], words: dict[str, dict[str, str]]) -> dict[str, str]:
    """A row's words (a kind's name in either language) as the codes the checks know; a
    code or an unknown word is left as it is (the checks name what is wrong)."""
    out = dict(values)
    for column, known in words.items():
        text = out.get(column, "")
        if text and text not in known.values():
            out[column] = known.get(_plain(text), text)
    if out.get("contact_language"):
        out["contact_language"] = out["contact_language"].lower()
    return out


def _check_rows(preview: ImportPreview) -> None:
    errors = preview.errors
    seen: dict[str, int] = {}
    codes_in_file = set()
    for row in preview.rows:
        code = row.values.get("code", "")
        if code in seen:
            errors.append(
                RowError(
                    row.row,
                    "code",
                    str(_l("Code %(code)s is already on row %(row)d.", code=code, row=seen[code])),
                )
            )
        elif code:
            seen[code] = row.row
            codes_in_file.add(code)
    known = _known_units(codes_in_file | _referenced_codes(preview.rows))
    parent_of = {code: parent for code, parent in known["parents"].items()}
    for row in preview.rows:
        v = row.values
        _need(row, "code", errors)
        _need(row, "name", errors)
        for column in _NAME_COLUMNS:
            if has_control_characters(v.get(column, "")):
                errors.append(
                    RowError(
                        row.row,
                        column,
                        str(_l("Write this on one line, without tabs or control characters.")),
                    )
                )
        if len(v.get("code", "")) > 40:
            errors.append(RowError(row.row, "code", str(_l("At most %(max)d characters.", max=40))))
        if len(v.get("name", "")) > 255:
            errors.append(RowError(row.row, "name", str(_l("At most %(max)d characters.", max=255))))
        if v.get("kind") and v["kind"] not in {k.value for k in UnitKind}:
            errors.append(RowError(row.row, "kind", str(_l("Unknown kind %(value)s.", value=v["kind"]))))
        elif not v.get("kind"):
            _need(row, "kind", errors)
        if v.get("division_type") and v["division_type"] not in {d.value for d in DivisionType}:
            errors.append(
                RowError(
                    row.row,
                    "division_type",
                    str(_l("Unknown division type %(value)s.", value=v["division_type"])),
                )
            )
        for column in ("parent_code", "district_code"):
            ref = v.get(column, "")
            if ref and ref not in codes_in_file and ref not in known["ids"]:
                errors.append(RowError(row.row, column, str(_l("No unit has code %(code)s.", code=ref))))
        if v.get("parent_code") and v.get("parent_code") == v.get("code"):
            errors.append(RowError(row.row, "parent_code", str(_l("A unit cannot be its own parent."))))
        if v.get("active") and v["active"].lower() not in _TRUE | _FALSE:
            errors.append(RowError(row.row, "active", str(_l("Write 1 for active or 0 for inactive."))))
        if v.get("contact_language") and v["contact_language"].lower() not in {la.value for la in Language}:
            errors.append(RowError(row.row, "contact_language", str(_l("The language is vi or en."))))
        if v.get("contact_email"):
            try:
                v["contact_email"] = normal_email(v["contact_email"])
            except InvalidInput as exc:
                errors.append(RowError(row.row, "contact_email", str(exc.message)))
            if not v.get("contact_name"):
                _need(row, "contact_name", errors)
        elif v.get("contact_name"):
            _need(row, "contact_email", errors)
        if v.get("code"):
            parent_of[v["code"]] = v.get("parent_code") or None
    _check_cycles(preview, parent_of, errors)
    if not errors:
        _mark_actions(preview, known["units"])
    errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else 99))


def _need(row: ParsedRow, column: str, errors: list[RowError]) -> None:
    if not row.values.get(column):
        errors.append(RowError(row.row, column, str(_l("This column cannot be empty."))))


def _referenced_codes(rows: Iterable[ParsedRow]) -> set[str]:
    return {r.values.get(c, "") for r in rows for c in ("parent_code", "district_code")} - {""}


def _known_units(codes: set[str]) -> dict[str, Any]:
    units = (
        {u.code: u for u in db.session.scalars(sa.select(Unit).where(Unit.code.in_(codes)))} if codes else {}
    )
    parent = sa.orm.aliased(Unit)
    # Every unit's parent code: a cycle may pass through units that are not in the file.
    parents = dict(
        db.session.execute(sa.select(Unit.code, parent.code).join(parent, Unit.parent_id == parent.id)).all()
    )
    return {"units": units, "ids": {c: u.id for c, u in units.items()}, "parents": parents}


def _check_cycles(preview: ImportPreview, parent_of: dict[str, str | None], errors: list[RowError]) -> None:
    for row in preview.rows:
        code = row.values.get("code")
        seen = {code}
        current = parent_of.get(code) if code else None
        while current:
            if current in seen:
                errors.append(
                    RowError(
                        row.row, "parent_code", str(_l("The parents of this unit go round in a circle."))
                    )
                )
                break
            seen.add(current)
            current = parent_of.get(current)


def _flag(text: str, default: bool = True) -> bool:
    return default if not text else text.lower() in _TRUE


def _mark_actions(preview: ImportPreview, units: dict[str, Unit]) -> None:
    for row in preview.rows:
        unit = units.get(row.values["code"])
        if unit is None:
            row.action = "create"
        else:
            row.action = "unchanged" if _row_of(unit) == _normalised(row.values) else "update"


def _normalised(values: dict[str, str]) -> dict[str, str]:
    out = {c: values.get(c, "") for c in COLUMNS}
    out["active"] = "1" if _flag(out["active"]) else "0"
    out["contact_language"] = (out["contact_language"] or ("vi" if out["contact_email"] else "")).lower()
    return out


# --- applying ---------------------------------------------------------------------------


def apply_import(preview: ImportPreview, *, actor: User | None) -> dict[str, int]:
    """Apply a checked preview (the caller commits once, or rolls back)."""
    if not preview.ok:
        raise InvalidInput(_l("The file has errors; nothing was imported."))
    codes = {r.values["code"] for r in preview.rows} | _referenced_codes(preview.rows)
    units = {u.code: u for u in db.session.scalars(sa.select(Unit).where(Unit.code.in_(codes)))}
    done = {"create": 0, "update": 0, "unchanged": 0}
    # Two passes: create every new unit first, so parents may come later in the file.
    for row in preview.rows:
        v = row.values
        if v["code"] not in units:
            units[v["code"]] = create_unit(
                actor=actor,
                code=v["code"],
                name=v["name"],
                kind=UnitKind(v["kind"]),
                **_extras(v, None, None),
            )
            done["create"] += 1
    for row in preview.rows:
        v = row.values
        unit = units[v["code"]]
        parent = units.get(v.get("parent_code") or "")
        district = units.get(v.get("district_code") or "")
        changed = update_unit(
            unit, actor=actor, name=v["name"], kind=UnitKind(v["kind"]), **_extras(v, parent, district)
        )
        if row.action == "update" or (row.action != "create" and changed):
            done["update"] += 1
        elif row.action == "unchanged":
            done["unchanged"] += 1
    db.session.flush()
    return done


def _extras(v: dict[str, str], parent: Unit | None, district: Unit | None) -> dict[str, Any]:
    contact = None
    if v.get("contact_email"):
        contact = ContactInput(
            v["contact_name"], v["contact_email"], Language((v.get("contact_language") or "vi").lower())
        )
    return {
        "name_en": v.get("name_en") or None,
        "division_type": DivisionType(v["division_type"]) if v.get("division_type") else None,
        "parent": parent,
        "district": district,
        "active": _flag(v.get("active", "")),
        "contact": contact,
    }


# --- exporting --------------------------------------------------------------------------


def _row_of(unit: Unit) -> dict[str, str]:
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
    }


def export_rows(query: sa.Select[tuple[Unit]]) -> Iterable[list[Any]]:
    """The header in the request's language, then one row per unit: kinds and division
    types as words, `active` as a yes/no (what `preview_import` reads back)."""
    yield [str(HEADERS[c]) for c in COLUMNS]
    kinds = {kind.value: label(kind) for kind in UnitKind}
    divisions = {d.value: str(text) for d, text in DIVISION_LABELS.items()}
    for unit in db.session.scalars(query.order_by(Unit.id).execution_options(yield_per=1000)):
        row: dict[str, Any] = _row_of(unit)
        row["kind"] = kinds[row["kind"]]
        row["division_type"] = divisions.get(row["division_type"], "")
        row["active"] = unit.active
        yield [row[c] for c in COLUMNS]


def export_units(query: sa.Select[tuple[Unit]], fmt: str) -> bytes:
    rows = export_rows(query)
    if fmt == "csv":
        return csv_bytes(rows)
    return xlsx_bytes({str(_l("Units")): rows})
