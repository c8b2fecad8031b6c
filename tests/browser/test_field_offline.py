"""A save that fails while the network is cut is kept in the browser and sent on return."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from inspections.findings.models import Finding
from tests import fieldwork
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_a_finding_saved_offline_is_sent_when_the_network_returns(app, db, make, live_server, browser):
    field = fieldwork.build(make, db)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(f"{live_server}/login")
        page.get_by_label("Tên đăng nhập").fill(field.member.username)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.goto(f"{live_server}/visits/{field.visit.id}")
        article = page.locator("article.criterion").first

        context.set_offline(True)
        article.get_by_label("Không đạt", exact=True).check()
        article.get_by_label("Mức độ").select_option("high")
        article.get_by_label("Ghi chú").fill("Không niêm yết thủ tục tại bộ phận một cửa")
        article.get_by_role("button", name="Lưu", exact=True).click()
        expect(article.locator(".save-state")).to_contain_text("Chưa lưu được")
        expect(page.locator("#offline-note")).to_contain_text("1 kết quả đang chờ gửi lại")
        kept = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('inspections:pending:'))")
        assert len(kept) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Finding)) == 0

        context.set_offline(False)
        expect(article.locator(".save-state")).to_contain_text("Đã lưu.", timeout=20_000)
        expect(page.locator("#offline-note")).to_be_hidden()
        db.session.expire_all()
        finding = db.session.scalar(sa.select(Finding))
        assert (finding.result.value, finding.severity.value, finding.text) == (
            "non_compliant",
            "high",
            "Không niêm yết thủ tục tại bộ phận một cửa",
        )
        assert (
            page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('inspections:pending:'))") == []
        )
    finally:
        context.close()
