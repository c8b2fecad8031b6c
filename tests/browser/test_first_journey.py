"""The coordinator logs in, sees the 2019 plan with 15 / 28 / 4, and switches to English."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from inspections.demo.services import load_demo

pytestmark = pytest.mark.browser

PASSWORD = "browser demo password"
PLAN = "Kế hoạch kiểm tra công tác cải cách hành chính năm 2019"


def _targets(page) -> dict[str, str]:
    return {
        kind: page.locator(f'table.progress tr[data-kind="{kind}"] td.target').inner_text()
        for kind in ("joint", "surprise", "case")
    }


def test_coordinator_sees_the_plan_in_vietnamese_then_in_english(app, db, live_server, page):
    load_demo(password=PASSWORD)
    db.session.commit()

    page.goto(f"{live_server}/")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill("coordinator")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_role("heading", name="Kế hoạch và tiến độ thực hiện")).to_be_visible()
    page.get_by_role("link", name=PLAN).first.click()

    expect(page.get_by_role("heading", name=PLAN)).to_be_visible()
    expect(page.get_by_role("heading", name="Chỉ tiêu và tiến độ")).to_be_visible()
    assert _targets(page) == {"joint": "15", "surprise": "28", "case": "4"}
    expect(page.locator('tr[data-kind="joint"] th')).to_have_text("Kiểm tra liên ngành")
    plan_url = page.url

    page.get_by_role("button", name="English").click()

    expect(page.get_by_role("heading", name="Targets and progress")).to_be_visible()
    assert page.url == plan_url
    assert page.locator("html").get_attribute("lang") == "en"
    assert _targets(page) == {"joint": "15", "surprise": "28", "case": "4"}
    expect(page.locator('tr[data-kind="joint"] th')).to_have_text("Joint inspections")
    expect(page.locator('tr[data-kind="surprise"] th')).to_have_text("Surprise inspections")

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.screenshot(path=str(Path(app.instance_path) / "plan-phone.png"), full_page=True)
