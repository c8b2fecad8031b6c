"""Exports fit for a government office (issue 14): Vietnamese by default, English on request;
real yes/no and date cells; column widths, a frozen header and an autofilter; a plan's
visit dates; a plan's findings and corrective actions, kept from whoever may not see them.

The workbooks are read with openpyxl's reader and the CSV files with the csv module, the
way an office program or a receiving script opens them (the writer is openpyxl's
write-only mode, another code path)."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from flask import current_app
from openpyxl import load_workbook

from inspections.auth.models import Role
from inspections.findings.models import Finding, FindingResult, Severity
from inspections.findings.services import save_visit_finding
from inspections.i18n import LOCAL_TZ
from inspections.imports.models import ImportKind
from inspections.imports.services import check_file
from inspections.remediation.services import add_action
from inspections.teams.models import TeamKind
from inspections.units.models import DivisionType, Unit, UnitKind
from inspections.units.transfer import export_units
from tests import fieldwork
from tests.conftest import csrf_token
from tests.factories import days_from_now

MB = 1_000_000
VI_UNIT_HEADERS = ["Mã", "Tên", "Tên tiếng Anh", "Loại", "Loại đơn vị hành chính", "Đơn vị cấp trên"]
EN_UNIT_HEADERS = ["Code", "Name", "Name in English", "Kind", "Division type", "Parent unit"]
NAMED = "Nguyễn Văn Bí Mật"
RESULT_VI = "Không đạt"


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))  # not read-only: it reports types, panes, filters


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _assert_office_sheet(sheet, columns: int, rows: int) -> None:
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{chr(ord('A') + columns - 1)}{rows}"
    widths = [sheet.column_dimensions[chr(ord("A") + i)].width for i in range(columns)]
    assert all(8 <= w <= 60 for w in widths), widths
    assert all(cell.font.b for cell in sheet[1])


@pytest.fixture
def units(db, make):
    city = make.unit(code="ubnd-hn", name="UBND Thành phố Hà Nội", kind=UnitKind.CITY)
    make.unit(
        code="q-hadong", name="Quận Hà Đông", kind=UnitKind.DISTRICT,
        division_type=DivisionType.URBAN_DISTRICT, parent_id=city.id,
    )  # fmt: skip
    make.unit(code="so-tp", name="Sở Tư pháp", kind=UnitKind.DEPARTMENT, active=False)
    make.user(Role.OBSERVER, username="obs")
    db.session.commit()


def test_the_unit_export_speaks_vietnamese_with_real_yes_no_cells(units, client, login):
    login("obs")
    book = _book(client.get("/units/export.xlsx").data)
    sheet = book.active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:6] == VI_UNIT_HEADERS and rows[0][7] == "Đang hoạt động"
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["so-tp"][3] == "Sở, ban, ngành" and by_code["q-hadong"][4] == "Quận"
    assert by_code["q-hadong"][3] == "Quận, huyện, thị xã" and by_code["q-hadong"][5] == "ubnd-hn"
    active = {r[0].value: r[7] for r in sheet.iter_rows(min_row=2)}
    assert active["so-tp"].data_type == "b" and active["so-tp"].value is False
    assert active["ubnd-hn"].value is True
    assert "department" not in str(rows) and "urban_district" not in str(rows)
    _assert_office_sheet(sheet, 12, 4)
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width  # names are long


def test_english_on_request_and_either_language_imports_back(units, db, client, login, tmp_path):
    login("obs")
    english = client.get("/units/export.xlsx?lang=en").data
    rows = list(_book(english).active.iter_rows(values_only=True))
    assert list(rows[0][:6]) == EN_UNIT_HEADERS
    assert {r[3] for r in rows[1:]} == {"City", "District", "Department"}
    text = _csv(client.get("/units/export.csv?lang=en").data)
    assert text[0][:6] == EN_UNIT_HEADERS and {r[7] for r in text[1:]} == {"Yes", "No"}
    vietnamese_csv = _csv(client.get("/units/export.csv").data)
    assert vietnamese_csv[0][:6] == VI_UNIT_HEADERS and "1" not in {r[7] for r in vietnamese_csv[1:]}
    with current_app.test_request_context():
        for data, fmt in (
            (english, "xlsx"),
            (client.get("/units/export.csv?lang=en").data, "csv"),
            (client.get("/units/export.csv").data, "csv"),
            (export_units(sa.select(Unit), "xlsx"), "xlsx"),
        ):
            path = tmp_path / f"export.{fmt}"
            path.write_bytes(data)
            result = check_file(path, fmt, ImportKind.UNITS)
            assert result.ok and result.counts["unchanged"] == 3, result.errors


def _visited_plan(make, db):
    """An announced visit yesterday with two findings, one with a corrective action; a
    surprise visit of the same plan in ten days, a finding already on it."""
    field = fieldwork.build(make, db, visit_at=days_from_now(-1))
    criteria = field.criteria(db)
    with current_app.test_request_context():
        finding = save_visit_finding(
            field.visit, criterion_id=criteria[0].id, result="non_compliant", severity="medium",
            text="Chưa niêm yết thủ tục", expected_version=None, actor=field.leader,
        )  # fmt: skip
        finding.named_individuals = NAMED
        action = add_action(
            finding, description="Niêm yết đủ thủ tục hành chính", working_days=10,
            unit_id=field.unit.id, actor=field.leader,
        )  # fmt: skip
        save_visit_finding(
            field.visit, criterion_id=criteria[1].id, result="compliant", severity="none",
            text="Đã công khai quy chế", expected_version=None, actor=field.leader,
        )  # fmt: skip
    surprise = make.team(field.plan, TeamKind.PUBLIC_SERVICE, members=[field.member])
    secret = make.inspection(surprise, make.unit(name="Trường Bí Mật"), visit_at=days_from_now(10)).visits[0]
    db.session.add(
        Finding(
            visit_id=secret.id,
            result=FindingResult.NON_COMPLIANT,
            severity=Severity.HIGH,
            text="Phát hiện bí mật",
            author_id=field.member.id,
        )  # fmt: skip
    )
    make.user(Role.OBSERVER, username="obs")
    db.session.commit()
    return field, action


def test_the_findings_export_lists_findings_and_actions_with_dates(make, db, client, login):
    field, action = _visited_plan(make, db)
    login(field.coordinator.username)
    page = client.get(f"/plans/{field.plan.id}").get_data(as_text=True)
    assert f"/plans/{field.plan.id}/findings.xlsx" in page and f"/plans/{field.plan.id}/findings.csv" in page

    response = client.get(f"/plans/{field.plan.id}/findings.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = _book(response.data).active
    header = [c.value for c in sheet[1]]
    for word in (
        "Mã",
        "Đơn vị",
        "Đoàn kiểm tra",
        "Ngày",
        "Tiêu chí",
        "Kết quả",
        "Mức độ",
        "Yêu cầu khắc phục",
    ):
        assert word in header, word
    rows = [{header[i]: c for i, c in enumerate(row)} for row in sheet.iter_rows(min_row=2)]
    texts = [str([c.value for c in r.values()]) for r in rows]
    assert len(rows) == 3  # two findings on the visit, one on the surprise visit (the coordinator's)
    with_action = next(r for r in rows if r["Yêu cầu khắc phục"].value == action.description)
    visit_day = with_action["Ngày"]
    assert visit_day.is_date and visit_day.number_format == "dd/mm/yyyy"
    assert visit_day.value.date() == field.visit.starts_at.astimezone(LOCAL_TZ).date()
    due = [c for c in with_action.values() if c.is_date and c is not visit_day]
    assert [c.value.date() for c in due] == [action.due_on]
    assert with_action["Kết quả"].value == RESULT_VI and with_action["Mức độ"].value == "Trung bình"
    assert "non_compliant" not in str(texts) and NAMED not in str(texts)
    _assert_office_sheet(sheet, len(header), 4)

    text = _csv(client.get(f"/plans/{field.plan.id}/findings.csv").data)
    assert text[0] == header and len(text) == 4
    csv_row = next(r for r in text if action.description in r)
    assert action.due_on.isoformat() in csv_row

    english = _book(client.get(f"/plans/{field.plan.id}/findings.xlsx?lang=en").data).active
    assert [c.value for c in english[1]][:3] == ["Code", "Unit", "Team"]


def test_the_findings_export_keeps_surprise_secrecy_and_the_units_out(make, db, client, login):
    field, _action = _visited_plan(make, db)
    login("obs")  # staff, but not the surprise team's nor the plan's coordinator
    rows = _csv(client.get(f"/plans/{field.plan.id}/findings.csv").data)
    assert len(rows) == 3 and "Phát hiện bí mật" not in str(rows) and "Trường Bí Mật" not in str(rows)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(field.contact.username)
    assert client.get(f"/plans/{field.plan.id}/findings.xlsx").status_code == 404
    assert client.get(f"/plans/{field.plan.id}/findings.csv").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(field.outsider.username)  # an inspector of no team of the plan
    assert client.get(f"/plans/{field.plan.id}/findings.csv").status_code == 404


def test_the_plan_export_has_visit_dates_and_office_sheets(make, db, client, login):
    field, _action = _visited_plan(make, db)
    login(field.coordinator.username)
    book = _book(client.get(f"/plans/{field.plan.id}/export.xlsx").data)
    assert book.sheetnames[:3] == ["Tiến độ", "Các đoàn kiểm tra", "Chỉ tiêu"] and len(book.sheetnames) == 4
    targets, visits = book.worksheets[2], book.worksheets[3]
    header = [c.value for c in targets[1]]
    dates = {r[0].value: r[header.index("Ngày")] for r in targets.iter_rows(min_row=2)}
    assert dates[field.unit.code].is_date
    assert dates[field.unit.code].value.date() == field.visit.starts_at.astimezone(LOCAL_TZ).date()
    drawn = [r[header.index("Bốc thăm")] for r in targets.iter_rows(min_row=2)]
    assert all(c.data_type == "b" for c in drawn)
    visit_rows = list(visits.iter_rows(min_row=2))
    assert len(visit_rows) == 2 and all(any(c.is_date for c in r) for r in visit_rows)
    for sheet in book.worksheets:
        _assert_office_sheet(sheet, sheet.max_column, sheet.max_row)
