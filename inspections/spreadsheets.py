"""Spreadsheets: the one place that turns rows into an XLSX workbook or a CSV file, and
reads them back (streamed: `read_rows`).

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

Reading is streamed, a row at a time, from the stored file (openpyxl's read-only mode, the
csv module), so a 200,000-row file costs its rows, not its sheet, in memory. A workbook is
read for what it holds, not for what it declares: a 1.5 KB file may claim the cells
A1:XFD1048576. Its declared size is ignored, at most `max_columns` columns are read,
reading stops past the row limit, and what its zip members unpack to is bounded before a
byte of XML is parsed (the shared strings, which openpyxl holds in memory, on their own).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from inspections.errors import InvalidInput
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


# --- reading ------------------------------------------------------------------------------

READ_FORMATS = ("csv", "xlsx")
MAX_READ_COLUMNS = 50  # a file's own columns, and room for a user's notes beside them
MAX_UNPACKED_BYTES = 1000 * 1000 * 1000  # an XLSX is a zip: what it may unpack to, in all
MAX_SHARED_STRINGS_BYTES = 150 * 1000 * 1000  # the part openpyxl reads whole into memory
BLANK_ROWS_ALLOWED = 1_000  # blank rows between the data are skipped, up to this many
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


class UnreadableFile(InvalidInput):
    """The file as a whole cannot be read (format, size, encoding, too many rows)."""


def too_many_rows(max_rows: int) -> UnreadableFile:
    return UnreadableFile(_l("The file has more than %(n)d rows; split it into smaller files.", n=max_rows))


def read_rows(
    path: Path, fmt: str, *, max_rows: int, max_columns: int = MAX_READ_COLUMNS
) -> Iterator[tuple[int, list[str]]]:
    """The file's non-blank rows as (row number, text cells), the header first, one at a time.

    Raises UnreadableFile as soon as the file shows it cannot be read, including after
    some rows were given (malformed XML shows only as it is read; so does a row too many).
    """
    if fmt == "xlsx":
        rows = _xlsx_rows(path, max_columns)
    elif fmt == "csv":
        rows = _csv_rows(path, max_columns)
    else:
        raise UnreadableFile(_l("Upload a .csv or .xlsx file."))
    seen = 0
    for number, row in enumerate(rows, start=1):
        if number > max_rows + 1 + BLANK_ROWS_ALLOWED:
            raise too_many_rows(max_rows)
        if any(cell.strip() for cell in row):
            seen += 1
            if seen > max_rows + 1:
                raise too_many_rows(max_rows)
            yield number, [unguard(cell) for cell in row]
    if not seen:
        raise UnreadableFile(_l("The file is empty."))


def _csv_rows(path: Path, max_columns: int) -> Iterator[list[str]]:
    not_utf8 = UnreadableFile(_l("The CSV file is not UTF-8 text."))
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            head = f.read(4096)
            f.seek(0)  # the decoder starts again, and skips the byte-order mark again
            try:
                dialect: Any = csv.Sniffer().sniff(head, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            for row in csv.reader(f, dialect):
                if any("\x00" in cell for cell in row):
                    raise not_utf8
                yield [cell.strip() for cell in row[:max_columns]]
    except UnicodeDecodeError as exc:
        raise not_utf8 from exc
    except csv.Error as exc:  # a field beyond the csv module's limit, a stray quote
        raise UnreadableFile(
            _l("The CSV file cannot be read: a cell is too long or a quotation mark is not closed.")
        ) from exc


def _xlsx_rows(path: Path, max_columns: int) -> Iterator[list[str]]:
    not_a_workbook = UnreadableFile(_l("The file is not a valid Excel (.xlsx) workbook."))
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except _BROKEN as exc:
        raise not_a_workbook from exc
    unpacked = sum(member.file_size for member in members)
    strings = sum(m.file_size for m in members if m.filename.lower().endswith("sharedstrings.xml"))
    if unpacked > MAX_UNPACKED_BYTES or strings > MAX_SHARED_STRINGS_BYTES:
        raise UnreadableFile(
            _l("The workbook unpacks to more than %(size)d MB; split it into smaller files.",
               size=(MAX_UNPACKED_BYTES if unpacked > MAX_UNPACKED_BYTES else MAX_SHARED_STRINGS_BYTES)
               // 1_000_000)
        )  # fmt: skip
    # A stored file is named by its hash: openpyxl, given a path, would refuse it for its
    # missing ending; given the open file, it reads it for what it is.
    with path.open("rb") as stream:
        yield from _sheet_rows(stream, max_columns, not_a_workbook)


def _sheet_rows(stream: IO[bytes], max_columns: int, not_a_workbook: UnreadableFile) -> Iterator[list[str]]:
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except _BROKEN as exc:
        raise not_a_workbook from exc
    try:
        sheet = book.worksheets[0]
        # The dimension the file declares is a claim: forget it, so that rows are not
        # padded out to it; the columns are capped, and the rows counted as they come.
        sheet.reset_dimensions()
        for row in sheet.iter_rows(max_col=max_columns, values_only=True):
            # A gap in the sheet comes as empty rows: counted, never converted cell by cell.
            yield [cell_text(c) for c in row] if any(c is not None for c in row) else []
    except _BROKEN as exc:  # malformed sheet XML shows only as the rows are read
        raise not_a_workbook from exc
    finally:
        book.close()


def cell_text(value: Any) -> str:
    """A cell as the text an import reads: 1/0 for a yes/no, 12 for the number 12.0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def estimate_rows(path: Path, fmt: str) -> int | None:
    """About how many rows the file has, for a progress bar before it is read: the lines
    of a CSV file, the dimension a workbook declares (a claim, never used but for this)."""
    try:
        if fmt == "csv":
            lines = 0
            with path.open("rb") as f:
                while block := f.read(1024 * 1024):
                    lines += block.count(b"\n")
            return max(lines - 1, 0)
        with zipfile.ZipFile(path) as archive:
            sheets = sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
            if not sheets:
                return None
            with archive.open(sheets[0]) as sheet:
                head = sheet.read(4096).decode("utf-8", "replace")
        found = re.search(r'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
        return max(int(found[1]) - 1, 0) if found else None
    except _BROKEN:
        return None
