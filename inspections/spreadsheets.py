"""Writing spreadsheets: the one place that turns rows into an XLSX workbook or a CSV file.

Every export (the unit registry, a plan's progress) goes through here, so a rule about
what a cell may contain is written once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"


def xlsx_bytes(sheets: dict[str, Iterable[list[Any]]]) -> bytes:
    """A workbook with one sheet per entry, rows as given (the first is the header)."""
    book = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title=title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: Iterable[list[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens Vietnamese text correctly."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")
