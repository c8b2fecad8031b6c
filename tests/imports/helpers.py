"""Files for the import tests: CSV and XLSX built from rows, under a temporary folder."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import Workbook

from inspections.units.transfer import COLUMNS

MB = 1_000_000


def csv_data(rows: list[list[str]], header=COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def xlsx_data(rows: list[list[str]], header=COLUMNS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(code, name, kind="district", parent="", email="", **extra):
    values = {"code": code, "name": name, "kind": kind, "parent_code": parent, "active": "1"}
    if email:
        values |= {"contact_name": f"Văn thư {name}", "contact_email": email, "contact_language": "vi"}
    values |= extra
    return [values.get(c, "") for c in COLUMNS]


GOOD = [
    row("ubnd-hn", "Ủy ban nhân dân thành phố Hà Nội", "city"),
    row(
        "q-hadong",
        "Quận Hà Đông",
        parent="ubnd-hn",
        email="hadong@hanoi.example",
        division_type="urban_district",
    ),
    row("p-qt", "Phường Quang Trung", "commune", parent="q-hadong", district_code="q-hadong"),
    row("so-yte", "Sở Y tế", "department", parent="ubnd-hn"),
]


def write(folder: Path, data: bytes, fmt: str, name: str = "units") -> Path:
    path = folder / f"{name}.{fmt}"
    path.write_bytes(data)
    return path
