"""Writing spreadsheets: the one place that turns rows into an XLSX workbook or a CSV file.

Every export (the unit registry, a plan's progress) goes through here, so a rule about
what a cell may contain is written once:

- A text that a spreadsheet would take for a formula (it starts with = + - @, a tab or a
  carriage return) is written with a leading apostrophe, as OWASP recommends against CSV
  injection: `=HYPERLINK(...)` in a unit's name comes out as the text `'=HYPERLINK(...)`,
  never a live formula or link. Numbers and dates stay real cells. `unguard` takes the
  apostrophe off again, so an exported file imports back as it was.
- XLSX cannot hold control characters: they are written as U+FFFD.

A workbook is made to be worked with in an office: the header row is bold, frozen and
carries an autofilter, each column is as wide as its content (within bounds), a date is a
date cell shown dd/mm/yyyy (a moment in time first moved to Vietnam's local time), a
yes/no is a real boolean cell. A CSV file has the same rows as text: ISO dates, and yes/no
in the language of the request.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from inspections.i18n import LOCAL_TZ

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
# Column widths (in characters) are measured on the header and the first rows.
MEASURED_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 8, 60


def export_locale(requested: str | None) -> AbstractContextManager[object]:
    """The language an export speaks: the one `?lang=` names, if the application has it;
    else the request's (the user's own, Vietnamese by default)."""
    if requested in current_app.config["LANGUAGES"]:
        return force_locale(requested)
    return nullcontext()


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


def _local(value: datetime) -> datetime:
    """Excel has no time zones: an aware moment as the wall-clock time in Vietnam."""
    return value.astimezone(LOCAL_TZ).replace(tzinfo=None) if value.tzinfo else value


def _xlsx_value(value: Any) -> Any:
    value = guard(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if isinstance(value, datetime):
        return _local(value)
    return value


def _shown_length(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len(DATETIME_FORMAT)
    if isinstance(value, date):
        return len(DATE_FORMAT)
    if isinstance(value, bool):
        return 5
    return max((len(line) for line in str(value).splitlines()), default=0)


def _widths(rows: list[list[Any]]) -> list[float]:
    columns = max((len(r) for r in rows), default=0)
    widths = []
    for i in range(columns):
        longest = max((_shown_length(r[i]) for r in rows if i < len(r)), default=0)
        widths.append(float(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)))
    return widths


def _write_sheet(book: Workbook, title: str, rows: Iterable[list[Any]]) -> None:
    sheet = book.create_sheet(title=title)
    stream: Iterator[list[Any]] = iter(rows)
    first = list(itertools.islice(stream, MEASURED_ROWS + 1))
    # Before the first row: the writer puts the columns and the frozen pane ahead of it.
    for i, width in enumerate(_widths(first), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    count, columns = 0, 0
    for row in itertools.chain(first, stream):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
            if count == 0:
                cell.font = bold
            elif isinstance(value, datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, date):
                cell.number_format = DATE_FORMAT
            cells.append(cell)
        sheet.append(cells)
        count += 1
        columns = max(columns, len(row))
    if count and columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{count}"


def xlsx_bytes(sheets: dict[str, Iterable[list[Any]]]) -> bytes:
    """A workbook with one sheet per entry, rows as given (the first is the header)."""
    book = Workbook(write_only=True)
    for title, rows in sheets.items():
        _write_sheet(book, title, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return guard(value)


def csv_bytes(rows: Iterable[list[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens Vietnamese text correctly."""
    out = io.StringIO()
    csv.writer(out).writerows([_csv_value(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")
