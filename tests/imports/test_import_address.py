"""The unit import and export carry the address; a file without the column leaves it."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from inspections.imports.models import ImportKind
from inspections.imports.parsing import UNIT_LAYOUT
from inspections.imports.services import apply_file, check_file
from inspections.units.models import Unit
from inspections.units.transfer import COLUMNS, export_units
from tests.imports.helpers import csv_data, row, write, xlsx_data

UNITS = ImportKind.UNITS
ADDRESS = "18B Lê Thánh Tông, Hoàn Kiếm, Hà Nội"
OLD_COLUMNS = tuple(c for c in COLUMNS if c != "address")  # a file made before units had one


@pytest.fixture(autouse=True)
def _request(app, db):
    with app.test_request_context():
        yield


def _address(db, code: str) -> str | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Unit.address).where(Unit.code == code))


def _old_row(code: str, name: str, **extra: str) -> list[str]:
    values = dict(zip(COLUMNS, row(code, name, **extra), strict=True))
    return [values[c] for c in OLD_COLUMNS]


@pytest.mark.parametrize("fmt,build", [("csv", csv_data), ("xlsx", xlsx_data)])
def test_an_address_column_sets_the_address_of_new_and_known_units(db, make, tmp_path, fmt, build):
    make.unit(code="q-hadong", name="Quận Hà Đông", address="cũ")
    make.unit(code="q-badinh", name="Quận Ba Đình", address="25 Liễu Giai, Ba Đình, Hà Nội")
    db.session.commit()
    rows = [
        row("so-noivu", "Sở Nội vụ", "department", address=ADDRESS),
        row("q-hadong", "Quận Hà Đông", address="1 Hoàng Hoa Thám, Hà Đông, Hà Nội"),
        row("q-badinh", "Quận Ba Đình", address=""),  # the column is there, the cell empty: none
    ]
    path = write(tmp_path, build(rows), fmt)
    stage = tmp_path / "staged.jsonl"
    assert check_file(path, fmt, UNITS, stage=stage).counts == {"create": 1, "update": 2, "unchanged": 0}
    apply_file(path, fmt, UNITS, actor=None, stage=stage)  # the worker's way: from the stage
    db.session.commit()
    assert _address(db, "so-noivu") == ADDRESS
    assert _address(db, "q-hadong") == "1 Hoàng Hoa Thám, Hà Đông, Hà Nội"
    assert _address(db, "q-badinh") is None
    again = check_file(write(tmp_path, build(rows), fmt, "again"), fmt, UNITS)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 3}


@pytest.mark.parametrize("staged", [False, True])
def test_a_file_without_the_column_changes_the_rest_and_leaves_the_address(db, make, tmp_path, staged):
    make.unit(code="q-hadong", name="Quận Hà Đông", address=ADDRESS)
    make.unit(code="q-badinh", name="Quận Ba Đình", address=ADDRESS)
    db.session.commit()
    rows = [
        _old_row("q-hadong", "Quận Hà Đông (mới)"),
        _old_row("q-badinh", "Quận Ba Đình"),
        _old_row("q-moi", "Quận Mới"),
    ]
    path = write(tmp_path, csv_data(rows, header=OLD_COLUMNS), "csv")
    stage = tmp_path / "staged.jsonl" if staged else None
    checked = check_file(path, "csv", UNITS, stage=stage)
    assert checked.ok and checked.counts == {"create": 1, "update": 1, "unchanged": 1}
    apply_file(path, "csv", UNITS, actor=None, stage=stage)
    db.session.commit()
    assert _address(db, "q-hadong") == ADDRESS and _address(db, "q-badinh") == ADDRESS
    assert _address(db, "q-moi") is None
    assert db.session.scalar(sa.select(Unit.name).where(Unit.code == "q-hadong")) == "Quận Hà Đông (mới)"


def test_a_long_or_broken_address_is_a_row_error(db, tmp_path):
    rows = [
        row("q-1", "Quận 1", address="x" * 256),
        row("q-2", "Quận 2", address="1 Hoàng Hoa Thám\x0bHà Đông"),
        row("q-3", "Quận 3", address="x" * 255),
    ]
    checked = check_file(write(tmp_path, csv_data(rows), "csv"), "csv", UNITS)
    assert {(e.row, e.column) for e in checked.errors} == {(2, "address"), (3, "address")}
    assert "Tối đa 255 ký tự." in next(e.message for e in checked.errors if e.row == 2)


def test_the_export_and_the_template_have_the_address_column(db, make):
    make.unit(code="so-noivu", name="Sở Nội vụ", address=ADDRESS)
    make.unit(code="q-hadong", name="Quận Hà Đông")
    rows = list(load_workbook(io.BytesIO(export_units(sa.select(Unit), "xlsx"))).active.values)
    at = rows[0].index("Địa chỉ")
    assert COLUMNS[at] == "address" and at == len(COLUMNS) - 1  # last: older files keep their places
    assert {r[0]: r[at] for r in rows[1:]} == {"so-noivu": ADDRESS, "q-hadong": None}
    text = export_units(sa.select(Unit), "csv").decode("utf-8-sig")
    assert text.splitlines()[0].endswith(",Địa chỉ") and ADDRESS in text
    assert next(c for c in UNIT_LAYOUT.columns if c.name == "address").sample == ADDRESS
