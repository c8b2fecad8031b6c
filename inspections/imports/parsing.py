"""What each import reads: its columns, their headers in both languages, the words of its
coded columns, and the rows of a stored file as dicts, in batches.

A header is recognised as the column's own name (`code`), its Vietnamese or English
header (`Mã`, `Code`), or both as the template writes them (`Mã / Code`), so an export,
a template and an older file all import.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from inspections.imports.models import ImportKind, ImportStatus
from inspections.spreadsheets import UnreadableFile, read_rows
from inspections.units.transfer import COLUMNS, HEADERS

BATCH = 2_000  # rows checked (one query or two) and written (one executemany) at a time
DEFAULT_MAX_ROWS = 200_000


@dataclass(frozen=True)
class Column:
    name: str
    header: Any  # a lazy string
    required: bool = False
    sample: str = ""


@dataclass(frozen=True)
class Layout:
    kind: ImportKind
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def header_of(self, name: str) -> Any:
        return next(c.header for c in self.columns if c.name == name)


_UNIT_SAMPLE = {
    "code": "HN-SNV",
    "name": "Sở Nội vụ",
    "name_en": "Department of Home Affairs",
    "kind": "department",
    "active": "1",
    "contact_name": "Nguyễn Văn An",
    "contact_email": "an.nv@snv.hanoi.gov.vn",
    "contact_language": "vi",
    "address": "18B Lê Thánh Tông, Hoàn Kiếm, Hà Nội",
}
# The export's columns and headers (inspections/units/transfer.py): an export imports back.
UNIT_LAYOUT = Layout(
    ImportKind.UNITS,
    tuple(
        Column(name, HEADERS[name], name in ("code", "name", "kind"), _UNIT_SAMPLE.get(name, ""))
        for name in COLUMNS
    ),
)
CONTACT_LAYOUT = Layout(
    ImportKind.CONTACTS,
    (
        Column("unit_code", _l("Unit code"), True, "HN-SNV"),
        Column("contact_name", _l("Contact name"), True, "Trần Thị Bình"),
        Column("contact_email", _l("Contact email"), True, "binh.tt@snv.hanoi.gov.vn"),
        Column("contact_language", _l("Contact language"), sample="vi"),
        Column("active", _l("Active"), sample="1"),
    ),
)
PEOPLE_LAYOUT = Layout(
    ImportKind.PEOPLE,
    (
        Column("full_name", _l("Full name"), True, "Lê Văn Cường"),
        Column("email", _l("Email"), True, "cuong.lv@stp.hanoi.gov.vn"),
        Column("username", _l("Username"), sample="cuong.lv"),
        Column("home_unit_code", _l("Home unit code"), True, "HN-STP"),
        Column("role", _l("Role"), True, "inspector"),
        Column("language", _l("Language"), sample="vi"),
    ),
)
LAYOUTS = {layout.kind: layout for layout in (UNIT_LAYOUT, CONTACT_LAYOUT, PEOPLE_LAYOUT)}
KIND_LABELS = {
    ImportKind.UNITS: _l("Units"),
    ImportKind.CONTACTS: _l("Unit contacts"),
    ImportKind.PEOPLE: _l("People (inspectors and unit officials)"),
}

STATUS_LABELS = {
    ImportStatus.QUEUED: _l("Waiting to be checked"),
    ImportStatus.CHECKING: _l("Checking"),
    ImportStatus.INVALID: _l("Has errors"),
    ImportStatus.CHECKED: _l("Checked: waiting for your confirmation"),
    ImportStatus.CONFIRMED: _l("Waiting to be applied"),
    ImportStatus.APPLYING: _l("Applying"),
    ImportStatus.DONE: _l("Imported"),
    ImportStatus.FAILED: _l("Failed"),
    ImportStatus.CANCELLED: _l("Cancelled"),
}


def plain(text: str) -> str:
    return " ".join(text.split()).lower()


def in_each_language(text: Any) -> set[str]:
    """A lazy string as every language of the application says it, normalised."""
    out = set()
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            out.add(plain(str(text)))
    return out


def template_header(column: Column) -> str:
    """`Mã / Code`: the column's header in Vietnamese, then in English."""
    said = []
    for language in ("vi", "en"):
        with force_locale(language):
            said.append(str(column.header))
    return said[0] if said[0] == said[1] else f"{said[0]} / {said[1]}"


def header_names(layout: Layout) -> dict[str, str]:
    """Every header a file may have -> its column."""
    out: dict[str, str] = {}
    for column in layout.columns:
        out[column.name] = column.name
        for said in in_each_language(column.header):
            out[said] = column.name
        out[plain(template_header(column))] = column.name
    return out


def _column_of(cell: str, names: dict[str, str]) -> str:
    text = plain(cell)
    if text in names:
        return names[text]
    for part in text.split(" / "):
        if part.strip() in names:
            return names[part.strip()]
    return text


@dataclass(frozen=True)
class Row:
    number: int  # as the user sees it in a spreadsheet: the header is row 1
    values: dict[str, str]


def max_rows() -> int:
    return int(current_app.config.get("IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def data_rows(path: Path, fmt: str, layout: Layout) -> Iterator[Row]:
    """The file's rows after its header, as {column: text}; UnreadableFile for a file that
    cannot be read or lacks a required column (raised as soon as that shows)."""
    rows = read_rows(path, fmt, max_rows=max_rows())
    try:
        _, header_cells = next(rows)
    except StopIteration:  # read_rows refuses an empty file: this is a safety net
        raise UnreadableFile(_l("The file is empty.")) from None
    names = header_names(layout)
    header = [_column_of(cell, names) for cell in header_cells]
    missing = [str(c.header) for c in layout.columns if c.required and c.name not in header]
    if missing:
        raise UnreadableFile(_l("Missing column(s): %(columns)s.", columns=", ".join(missing)))
    index = {name: header.index(name) for name in layout.names if name in header}
    for number, cells in rows:
        yield Row(number, {name: (cells[i].strip() if i < len(cells) else "") for name, i in index.items()})


def batches(rows: Iterable[Row], size: int = BATCH) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
