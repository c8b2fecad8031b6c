"""The unit import's rules: checks in sets, all-or-nothing application, export round trip."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from flask_babel import gettext
from openpyxl import load_workbook

from inspections.audit.models import AuditEvent
from inspections.imports.models import ImportKind
from inspections.imports.services import ChangedSinceCheck, apply_file, check_file
from inspections.spreadsheets import UnreadableFile
from inspections.units.models import Unit, UnitContact, UnitKind
from inspections.units.transfer import COLUMNS, export_units
from tests.imports.helpers import GOOD, csv_data, row, write, xlsx_data

UNITS = ImportKind.UNITS


@pytest.fixture(autouse=True)
def _request(app, db):
    with app.test_request_context():
        yield


def _units(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Unit))


@pytest.mark.parametrize("fmt,build", [("csv", csv_data), ("xlsx", xlsx_data)])
def test_a_good_file_checks_then_imports_and_its_export_reimports_cleanly(db, tmp_path, fmt, build):
    path = write(tmp_path, build(GOOD), fmt)
    checked = check_file(path, fmt, UNITS)
    assert checked.ok and checked.rows == 4 and checked.counts["create"] == 4
    assert _units(db) == 0  # the check changes nothing
    assert apply_file(path, fmt, UNITS, actor=None) == {"create": 4, "update": 0, "unchanged": 0}
    db.session.commit()
    hadong = db.session.scalar(sa.select(Unit).where(Unit.code == "q-hadong"))
    assert hadong.parent.code == "ubnd-hn" and hadong.contacts[0].email == "hadong@hanoi.example"
    ward = db.session.scalar(sa.select(Unit).where(Unit.code == "p-qt"))
    assert ward.district.code == "q-hadong" and ward.search_name == "phuong quang trung"

    exported = write(tmp_path, export_units(sa.select(Unit), fmt), fmt, "export")
    again = check_file(exported, fmt, UNITS)
    assert again.ok and again.counts == {"create": 0, "update": 0, "unchanged": 4}
    assert apply_file(exported, fmt, UNITS, actor=None)["unchanged"] == 4


def test_parents_may_come_later_in_the_file_and_a_second_file_updates(db, tmp_path):
    rows = [row("p-1", "Phường 1", "commune", parent="q-1"), row("q-1", "Quận 1")]
    apply_file(write(tmp_path, csv_data(rows), "csv"), "csv", UNITS, actor=None)
    db.session.commit()
    assert db.session.scalar(sa.select(Unit).where(Unit.code == "p-1")).parent.code == "q-1"
    changed = [row("p-1", "Phường Một", "commune", parent="", email="p1@hanoi.example"), row("q-1", "Quận 1")]
    path = write(tmp_path, csv_data(changed), "csv", "again")
    assert check_file(path, "csv", UNITS).counts == {"create": 0, "update": 1, "unchanged": 1}
    apply_file(path, "csv", UNITS, actor=None)
    db.session.commit()
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "p-1"))
    db.session.refresh(unit)
    assert unit.name == "Phường Một" and unit.parent is None and unit.search_name == "phuong mot"
    assert [c.email for c in unit.contacts] == ["p1@hanoi.example"]


def test_a_new_contact_address_replaces_the_primary_one_and_keeps_the_old_inactive(db, tmp_path):
    apply_file(
        write(tmp_path, csv_data([row("q-1", "Quận 1", email="a@hn.example")]), "csv"),
        "csv",
        UNITS,
        actor=None,
    )
    apply_file(
        write(tmp_path, csv_data([row("q-1", "Quận 1", email="b@hn.example")]), "csv", "b"),
        "csv",
        UNITS,
        actor=None,
    )
    db.session.commit()
    contacts = db.session.execute(
        sa.select(UnitContact.email, UnitContact.active).order_by(UnitContact.id)
    ).all()
    assert contacts == [("a@hn.example", False), ("b@hn.example", True)]


def test_an_import_is_one_audit_event_with_its_counts_and_the_files_hash(app, db, make, client, login):
    """Through the job: one event, not one per unit."""
    from tests.imports.test_import_jobs import run_upload

    job = run_upload(db, make, client, login, csv_data(GOOD), "units.csv", confirm=True)
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.like("import.%"))).all()
    assert len(events) == 1
    assert events[0].after["counts"] == {"create": 4, "update": 0, "unchanged": 0}
    assert events[0].after["sha256"] == job.sha256 and events[0].object_id == job.id
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "unit.create")) == 0


VIETNAMESE_HEADERS = [
    "Mã", "Tên", "Tên tiếng Anh", "Loại", "Loại đơn vị hành chính", "Đơn vị cấp trên",
    "Quận, huyện, thị xã", "Đang hoạt động", "Tên cán bộ đầu mối", "Email cán bộ đầu mối",
    "Ngôn ngữ của cán bộ đầu mối", "Địa chỉ",
]  # fmt: skip


def test_export_has_the_columns_in_xlsx(db, make):
    """One column per import column, headed in Vietnamese (the export's default)."""
    make.unit(code="q-hadong", name="Quận Hà Đông")
    book = load_workbook(io.BytesIO(export_units(sa.select(Unit), "xlsx")))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows[0]) == len(COLUMNS)
    assert list(rows[0]) == VIETNAMESE_HEADERS and rows[1][:2] == ("q-hadong", "Quận Hà Đông")


def test_a_bad_file_gets_row_level_errors_and_applies_nothing(db, tmp_path):
    rows = GOOD + [
        row("q-bad", "Quận Sai Email", email="not-an-email"),
        row("q-hadong", "Quận Hà Đông lặp"),  # duplicate code
        row("p-orphan", "Phường Mồ Côi", "commune", parent="q-nowhere"),  # unknown parent
        row("x-kind", "Đơn vị lạ", "planet"),
    ]
    for fmt, build in (("csv", csv_data), ("xlsx", xlsx_data)):
        path = write(tmp_path, build(rows), fmt)
        checked = check_file(path, fmt, UNITS)
        assert not checked.ok
        found = {(e.row, e.column) for e in checked.errors}
        assert found == {(6, "contact_email"), (7, "code"), (8, "parent_code"), (9, "kind")}
        assert "q-nowhere" in next(e.message for e in checked.errors if e.column == "parent_code")
        with pytest.raises(ChangedSinceCheck):
            apply_file(path, fmt, UNITS, actor=None)
        db.session.rollback()
    assert _units(db) == 0


def test_vietnamese_words_and_template_headers_are_read(db, tmp_path):
    header = ["Mã / Code", "Tên / Name", "Loại / Kind", "Loại đơn vị hành chính", "Đang hoạt động"]
    data = csv_data([["q-1", "Quận 1", "Quận, huyện, thị xã", "Quận", "Có"]], header=header)
    checked = check_file(write(tmp_path, data, "csv"), "csv", UNITS)
    assert checked.ok, checked.errors
    apply_file(write(tmp_path, data, "csv"), "csv", UNITS, actor=None)
    unit = db.session.scalar(sa.select(Unit))
    assert (unit.kind.value, unit.division_type.value, unit.active) == ("district", "urban_district", True)


@pytest.mark.parametrize(
    "data,fmt,words",
    [
        (csv_data([["q-x", "Quận X"]], header=("code", "name")), "csv", "Loại"),  # missing column
        (b"code,name,kind\nq-x,Quan X,district\n", "xlsx", "Excel"),  # a text file renamed .xlsx
        (b"", "csv", "Tệp không có dữ liệu"),
        (b"\xff\xfe\x00c\x00o", "csv", "UTF-8"),
        (b"code,name,kind\n", "csv", None),  # a header only: the message of its own
    ],
)
def test_file_level_errors(db, tmp_path, data, fmt, words):
    with pytest.raises(UnreadableFile) as refused:
        check_file(write(tmp_path, data, fmt), fmt, UNITS)
    said = gettext("The file has no rows below its header.") if words is None else words
    assert said in str(refused.value)
    assert _units(db) == 0


def test_a_cycle_of_parents_is_refused_also_through_the_registry(db, make, tmp_path):
    checked = check_file(
        write(tmp_path, csv_data([row("a", "A", parent="b"), row("b", "B", parent="a")]), "csv"), "csv", UNITS
    )
    assert {e.column for e in checked.errors} == {"parent_code"}
    top = make.unit(code="top", name="Top", kind=UnitKind.CITY)
    make.unit(code="mid", name="Mid", parent=top)
    checked = check_file(
        write(tmp_path, csv_data([row("top", "Top", "city", parent="mid")]), "csv", "c"), "csv", UNITS
    )
    assert [(e.row, e.column) for e in checked.errors] == [(2, "parent_code")]


def test_more_rows_than_the_limit_is_refused(app, db, tmp_path):
    app.config["IMPORT_MAX_ROWS"] = 10
    data = csv_data([row(f"u{i}", f"U {i}") for i in range(11)])
    with pytest.raises(UnreadableFile) as refused:
        check_file(write(tmp_path, data, "csv"), "csv", UNITS)
    assert "10" in str(refused.value)
    assert check_file(
        write(tmp_path, csv_data([row(f"u{i}", f"U {i}") for i in range(10)]), "csv", "ok"), "csv", UNITS
    ).ok
