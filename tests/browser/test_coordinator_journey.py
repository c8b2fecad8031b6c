"""The coordinator runs the year from the browser: import units, plan, team, assignment with
a conflict of interest overridden, the surprise draw, and the progress."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from inspections.auth.models import Role
from inspections.demo import data
from inspections.units.transfer import COLUMNS
from tests.browser.test_import_progress import Worker
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _demo_units_xlsx(path: Path) -> Path:
    rows = [[data.CITY[0], data.CITY[1], data.CITY[2], "city"]]
    rows += [[c, n, en, "department", "", data.CITY[0]] for c, n, en in data.DEPARTMENTS]
    rows += [[c, n, "", "district", d.value, data.CITY[0]] for c, n, _, d in data.district_units()]
    rows += [[c, n, "", "commune", d.value, dist, dist] for c, n, dist, d in data.COMMUNES]
    rows += [[c, n, "", "public_service", "", "so-yte", dist] for c, n, dist in data.HOSPITALS]
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for row in rows:
        row = row + [""] * (7 - len(row))
        sheet.append(row + ["1", f"Văn thư {row[1]}", f"{row[0]}@hanoi.example", "vi"])
    book.save(path)
    return path


def _flash(page):
    return page.locator("p.flash").last


def test_coordinator_runs_a_plan_from_import_to_draw(app, db, make, live_server, page, tmp_path):
    make.user(Role.COORDINATOR, username="lan")
    for name in ("tuan", "huy", "mai", "nam"):
        make.user(Role.INSPECTOR, username=name)
    db.session.commit()

    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill("lan")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    # Import the demo units from an XLSX file: a worker checks it, the coordinator confirms,
    # the worker applies it (tests/browser/test_import_progress.py follows the bar itself).
    page.get_by_role("link", name="Đơn vị").first.click()
    page.get_by_role("link", name="Nhập danh sách đơn vị").click()
    page.locator("#kind").select_option("units")
    page.locator("#file").set_input_files(str(_demo_units_xlsx(tmp_path / "units.xlsx")))
    page.locator("#import-upload button").first.click()
    with Worker(app):
        expect(page.locator("#import-progress")).to_have_attribute("data-status", "checked", timeout=60_000)
        expect(page.locator("#import-counts")).to_contain_text("74")
        page.locator("form[action$='/confirm'] button").click()
        if page.locator("#confirm-dialog").is_visible():
            page.locator("#confirm-dialog button[value=confirm]").click()
        expect(page.locator("#import-progress")).to_have_attribute("data-status", "done", timeout=60_000)
    page.goto(f"{live_server}/units/")
    page.locator("#q").fill("ha dong")
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.locator("table.units")).to_contain_text("Quận Hà Đông")

    # A plan with targets 15 / 28 / 4.
    page.goto(f"{live_server}/plans/new")
    page.locator("#year").fill("2019")
    page.locator("#title").fill("Kế hoạch kiểm tra CCHC năm 2019")
    page.locator("#window_start").fill("2019-03-01")
    page.locator("#window_end").fill("2019-12-20")
    for field, value in (("joint", "15"), ("surprise", "28"), ("case", "4")):
        page.locator(f"#{field}").fill(value)
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", name="Kế hoạch kiểm tra CCHC năm 2019")).to_be_visible()
    plan_url = page.url

    # A joint team of members from three departments.
    page.get_by_role("link", name="Thành lập đoàn").click()
    page.locator("#name").fill("Đoàn kiểm tra liên ngành")
    page.locator("#kind").select_option("joint")
    page.locator("#decision_number").fill("1234/QĐ-UBND")
    page.get_by_role("button", name="Thành lập đoàn").click()
    for username, role, home in (
        ("tuan", "head", "so-noivu"),
        ("huy", "deputy", "so-tuphap"),
        ("mai", "member", "so-tttt"),
    ):
        page.locator("#username").fill(username)
        page.locator("#role").select_option(role)
        page.locator("#home_unit_code").fill(home)
        page.get_by_role("button", name="Thêm thành viên").click()
        expect(_flash(page)).to_contain_text("đã tham gia đoàn")
    expect(page.locator("#members tbody tr")).to_have_count(3)
    team_url = page.url

    # One refused for a conflict of interest, then accepted with an override reason.
    page.locator("#unit_code").fill("so-tuphap")
    page.get_by_role("button", name="Phân công đơn vị").click()
    expect(page.locator("p.flash.error")).to_contain_text("Xung đột lợi ích")
    expect(page.locator("#assigned tbody tr[data-code]")).to_have_count(0)
    page.locator("#unit_code").fill("so-tuphap")
    page.locator("#override_reason").fill("Phó trưởng đoàn không tham gia kiểm tra Sở Tư pháp")
    page.get_by_role("button", name="Phân công đơn vị").click()
    expect(page.locator('#assigned tr[data-code="so-tuphap"]')).to_contain_text(
        "Phó trưởng đoàn không tham gia"
    )
    for code in ("so-yte", "so-gddt", "so-xaydung", "so-gtvt"):
        page.locator("#unit_code").fill(code)
        page.get_by_role("button", name="Phân công đơn vị").click()
        expect(page.locator(f'#assigned tr[data-code="{code}"]')).to_be_visible()

    # Ten more in bulk from the unit list.
    page.goto(f"{live_server}/units/?kind=district")
    boxes = page.locator('table.units input[name="unit_ids"]')
    for i in range(10):
        boxes.nth(i).check()
    page.locator("#team_id").select_option(label="Đoàn kiểm tra liên ngành — Kế hoạch kiểm tra CCHC năm 2019")
    page.get_by_role("button", name="Phân công", exact=True).click()
    expect(_flash(page)).to_contain_text("Đã phân công 10 đơn vị")
    assert page.url == team_url
    expect(page.locator("#assigned tbody tr[data-code]")).to_have_count(15)

    # The public-service team draws 28 surprise targets.
    page.goto(plan_url)
    page.get_by_role("link", name="Thành lập đoàn").click()
    page.locator("#name").fill("Đoàn Kiểm tra công vụ")
    page.locator("#kind").select_option("public_service")
    page.get_by_role("button", name="Thành lập đoàn").click()
    page.locator("#username").fill("nam")
    page.locator("#role").select_option("head")
    page.locator("#home_unit_code").fill("thanhtra-tp")
    page.get_by_role("button", name="Thêm thành viên").click()
    page.goto(plan_url)
    page.get_by_role("link", name="Bốc thăm kiểm tra đột xuất").click()
    expect(page.locator("#weights")).to_contain_text("+3.0")
    page.locator("#count").fill("28")
    page.get_by_role("button", name="Bốc thăm", exact=True).click()
    # Irreversible: the dialog says what will happen before the draw runs.
    page.locator("#confirm-dialog button[value=confirm]").click()
    expect(page.locator("#verified")).to_contain_text("Đã kiểm chứng")
    expect(page.locator("#drawn li")).to_have_count(28)

    # The progress: 15/15 joint and 28/28 surprise assigned, as a table and a chart.
    page.goto(plan_url)
    expect(page.locator('table.progress tr[data-kind="joint"] td').nth(1)).to_have_text("15/15")
    expect(page.locator('table.progress tr[data-kind="surprise"] td').nth(1)).to_have_text("28/28")
    expect(page.locator("#progress-chart svg")).to_be_visible()
    page.screenshot(path=str(Path(app.instance_path) / "coordinator-progress.png"), full_page=True)
