"""The unit registry: accent-insensitive search, keyset pages, import and export."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from inspections.audit.models import AuditEvent
from inspections.listing import Order
from inspections.units.models import Unit, UnitKind
from inspections.units.services import list_units
from inspections.units.transfer import COLUMNS, ImportFileError, apply_import, export_units, preview_import

MB = 1_000_000


@pytest.fixture(autouse=True)
def _request(app, db):
    with app.test_request_context():
        yield


def _csv(rows: list[list[str]], header=COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _xlsx(rows: list[list[str]], header=COLUMNS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row(code, name, kind="district", parent="", email="", **extra):
    values = {"code": code, "name": name, "kind": kind, "parent_code": parent, "active": "1"}
    if email:
        values |= {"contact_name": f"Văn thư {name}", "contact_email": email, "contact_language": "vi"}
    values |= extra
    return [values.get(c, "") for c in COLUMNS]


GOOD = [
    _row("ubnd-hn", "Ủy ban nhân dân thành phố Hà Nội", "city"),
    _row(
        "q-hadong",
        "Quận Hà Đông",
        parent="ubnd-hn",
        email="hadong@hanoi.example",
        division_type="urban_district",
    ),
    _row("p-qt", "Phường Quang Trung", "commune", parent="q-hadong", district_code="q-hadong"),
    _row("so-yte", "Sở Y tế", "department", parent="ubnd-hn"),
]


def _units(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Unit))


def test_search_ignores_accents_and_case_and_finds_codes(db, make):
    make.unit(code="q-hadong", name="Quận Hà Đông")
    make.unit(code="bv-hadong", name="Bệnh viện Đa khoa Hà Đông", kind=UnitKind.PUBLIC_SERVICE)
    make.unit(code="q-dongda", name="Quận Đống Đa")
    assert {u.code for u in list_units(q="ha dong").rows} == {"q-hadong", "bv-hadong"}
    assert {u.code for u in list_units(q="HÀ ĐÔNG").rows} == {"q-hadong", "bv-hadong"}
    assert {u.code for u in list_units(q="dong da").rows} == {"q-dongda"}
    assert [u.code for u in list_units(q="q-dongda").rows] == ["q-dongda"]
    assert [u.code for u in list_units(q="ha dong", kind=UnitKind.PUBLIC_SERVICE).rows] == ["bv-hadong"]
    assert list_units(q="100%").rows == []


def test_keyset_pages_cover_every_unit_once_in_name_order(db, make):
    for i in range(23):
        make.unit(code=f"x{i}", name=f"Xã {i:02d}")
    make.unit(code="dup-a", name="Xã 05")  # same name: the id breaks the tie
    seen, after = [], None
    while True:
        page = list_units(order=Order("name", False, after), size=5)
        seen += page.rows
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert len(seen) == 24 and len({u.id for u in seen}) == 24
    assert [u.search_name for u in seen] == sorted(u.search_name for u in seen)


@pytest.mark.parametrize("fmt,build", [("csv", _csv), ("xlsx", _xlsx)])
def test_a_good_file_previews_then_imports_and_its_export_reimports_cleanly(db, fmt, build):
    preview = preview_import(build(GOOD), fmt, max_bytes=5 * MB)
    assert preview.ok and preview.count("create") == 4
    assert _units(db) == 0  # the preview changes nothing
    apply_import(preview, actor=None)
    db.session.commit()
    hadong = db.session.scalar(sa.select(Unit).where(Unit.code == "q-hadong"))
    assert hadong.parent.code == "ubnd-hn" and hadong.contacts[0].email == "hadong@hanoi.example"
    ward = db.session.scalar(sa.select(Unit).where(Unit.code == "p-qt"))
    assert ward.district.code == "q-hadong" and ward.search_name == "phuong quang trung"
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "unit.create")) == 4

    exported = export_units(sa.select(Unit), fmt)
    again = preview_import(exported, fmt, max_bytes=5 * MB)
    assert again.ok and again.count("unchanged") == 4 and again.count("create") == 0
    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert apply_import(again, actor=None)["unchanged"] == 4
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == events


VIETNAMESE_HEADERS = [
    "Mã", "Tên", "Tên tiếng Anh", "Loại", "Loại đơn vị hành chính", "Đơn vị cấp trên",
    "Quận, huyện, thị xã", "Đang hoạt động", "Tên cán bộ đầu mối", "Email cán bộ đầu mối",
    "Ngôn ngữ của cán bộ đầu mối",
]  # fmt: skip


def test_export_has_the_columns_in_xlsx(db, make):
    """One column per import column, headed in Vietnamese (the export's default)."""
    make.unit(code="q-hadong", name="Quận Hà Đông")
    book = load_workbook(io.BytesIO(export_units(sa.select(Unit), "xlsx")))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows[0]) == len(COLUMNS)
    assert list(rows[0]) == VIETNAMESE_HEADERS and rows[1][:2] == ("q-hadong", "Quận Hà Đông")


def test_a_bad_file_gets_row_level_errors_and_imports_nothing(db):
    rows = GOOD + [
        _row("q-bad", "Quận Sai Email", email="not-an-email"),
        _row("q-hadong", "Quận Hà Đông lặp"),  # duplicate code
        _row("p-orphan", "Phường Mồ Côi", "commune", parent="q-nowhere"),  # unknown parent
        _row("x-kind", "Đơn vị lạ", "planet"),
    ]
    for fmt, build in (("csv", _csv), ("xlsx", _xlsx)):
        preview = preview_import(build(rows), fmt, max_bytes=5 * MB)
        assert not preview.ok
        found = {(e.row, e.column) for e in preview.errors}
        assert found == {(6, "contact_email"), (7, "code"), (8, "parent_code"), (9, "kind")}
        assert "q-nowhere" in next(e.message for e in preview.errors if e.column == "parent_code")
        with pytest.raises(Exception):  # noqa: B017 - any domain error: nothing may be applied
            apply_import(preview, actor=None)
    assert _units(db) == 0


@pytest.mark.parametrize(
    "data,fmt,words",
    [
        (_csv([["q-x", "Quận X"]], header=("code", "name")), "csv", "kind"),  # missing column
        (b"code,name,kind\nq-x,Quan X,district\n", "xlsx", "Excel"),  # a text file renamed .xlsx
        (b"", "csv", "Tệp không có dữ liệu"),
        (b"\xff\xfe\x00c\x00o", "csv", "UTF-8"),
    ],
)
def test_file_level_errors(db, data, fmt, words):
    with pytest.raises(ImportFileError) as refused:
        preview_import(data, fmt, max_bytes=5 * MB)
    assert words in str(refused.value)
    assert _units(db) == 0


def test_a_file_over_the_size_limit_is_refused(db):
    with pytest.raises(ImportFileError) as refused:
        preview_import(b"x" * (MB + 1), "csv", max_bytes=MB)
    assert "1 MB" in str(refused.value)


def test_a_cycle_of_parents_is_refused(db, make):
    rows = [_row("a", "A", parent="b"), _row("b", "B", parent="a")]
    preview = preview_import(_csv(rows), "csv", max_bytes=MB)
    assert {e.column for e in preview.errors} == {"parent_code"}
