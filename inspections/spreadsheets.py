"""Writing spreadsheets: the one place that turns rows into an XLSX workbook or a CSV file.

Every export (the unit registry, a plan's progress) goes through here, so a rule about
what a cell may contain is written once:

- A text that a spreadsheet would take for a formula (it starts with = + - @, a tab or a
  carriage return) is written with a leading apostrophe, as OWASP recommends against CSV
  injection: `=HYPERLINK(...)` in a unit's name comes out as the text `'=HYPERLINK(...)`,
  never a live formula or link. Numbers and dates stay real cells. `unguard` takes the
  apostrophe off again, so an exported file imports back as it was.
- XLSX cannot hold control characters: they are written as U+FFFD.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _needs_guard(text: str) -> bool:
    # A text that already starts with the apostrophe guard is guarded again, so that
    # `unguard` removes exactly what `guard` added.
    return text.startswith(FORMULA_START) or (text.startswith("'") and _needs_guard(text[1:]))


def guard(value: Any) -> Any:
    """The cell as it is safe to write: a formula-like text behind an apostrophe."""
    if isinstance(value, str) and _needs_guard(value):
        return "'" + value
    return value


def unguard(text: str) -> str:
    """A text cell as read from an imported file: the apostrophe `guard` added, removed."""
    if text.startswith("'") and _needs_guard(text[1:]):
        return text[1:]
    return text


def _xlsx_cell(value: Any) -> Any:
    value = guard(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


def xlsx_bytes(sheets: dict[str, Iterable[list[Any]]]) -> bytes:
    """A workbook with one sheet per entry, rows as given (the first is the header)."""
    book = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title=title)
        for row in rows:
            sheet.append([_xlsx_cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: Iterable[list[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens Vietnamese text correctly."""
    out = io.StringIO()
    csv.writer(out).writerows([guard(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")
