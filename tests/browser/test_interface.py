"""The interface's shared behaviours in a real browser: an irreversible step asks first,
lists filter as one types without reloading the page, a failed form leads with its error
summary, the phone's menu opens, and without JavaScript every form still works."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from inspections.auth.models import Role
from inspections.plans.models import Plan, PlanStatus
from inspections.units.models import UnitKind
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def world(db, make):
    home = make.unit(code="so-noivu", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT)
    coordinator = make.user(Role.COORDINATOR, username="lan", home_unit_id=home.id)
    plan = make.plan(status=PlanStatus.DRAFT, title="Kế hoạch thử giao diện")
    plan.coordinators.append(coordinator)
    for name in ("Phường Hàng Bạc", "Phường Hàng Buồm", "Xã Bát Tràng"):
        make.unit(name=name, kind=UnitKind.COMMUNE)
    db.session.commit()
    return plan


def _log_in(page, base):
    page.goto(f"{base}/login")
    page.get_by_label("Tên đăng nhập").fill("lan")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Kế hoạch và tiến độ thực hiện")).to_be_visible()


def test_an_irreversible_step_asks_first_and_cancel_changes_nothing(db, world, live_server, page):
    _log_in(page, live_server)
    page.goto(f"{live_server}/plans/{world.id}")
    page.get_by_role("button", name="Phê duyệt kế hoạch").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    # It says what will happen: the sentence the form carries.
    warning = page.locator("form[data-confirm]", has=page.get_by_role("button", name="Phê duyệt kế hoạch"))
    expect(dialog.locator("#confirm-dialog-text")).to_have_text(warning.get_attribute("data-confirm"))
    dialog.locator("button[value=cancel]").click()
    expect(dialog).to_be_hidden()
    db.session.expire_all()
    assert db.session.get(Plan, world.id).status == PlanStatus.DRAFT

    page.get_by_role("button", name="Phê duyệt kế hoạch").click()
    dialog.get_by_role("button", name="Phê duyệt kế hoạch").click()
    expect(page.locator("#plan-status")).to_have_text("Đã phê duyệt")
    db.session.expire_all()
    assert db.session.get(Plan, world.id).status == PlanStatus.APPROVED


def test_the_unit_list_filters_as_one_types_without_reloading(world, live_server, page):
    _log_in(page, live_server)
    page.goto(f"{live_server}/units/")
    page.evaluate("window.__samePage = true")
    expect(page.locator("#list-region tbody tr")).to_have_count(4)  # 3 communes and the department
    page.get_by_label("Tìm theo tên hoặc mã").press_sequentially("hàng b", delay=30)
    expect(page.locator("#list-region tbody tr")).to_have_count(2)
    expect(page.locator("#list-region")).to_contain_text("Phường Hàng Buồm")
    expect(page).to_have_url(re.compile(r"q=h%C3%A0ng(\+|%20)b"))
    assert page.evaluate("window.__samePage === true"), "the page was reloaded"


def test_a_failed_form_leads_with_its_error_summary(world, live_server, page):
    _log_in(page, live_server)
    page.goto(f"{live_server}/plans/new")
    page.get_by_role("button", name="Lưu").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("#error-summary-title")).to_be_visible()
    first = summary.locator("a").first
    target = first.get_attribute("href")
    first.click()
    expect(page.locator(target)).to_be_focused()
    expect(page.locator("abbr.required-mark").first).to_be_visible()


def test_on_a_phone_the_menu_opens_from_a_short_header(world, browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        _log_in(page, live_server)
        assert page.evaluate("document.querySelector('main').getBoundingClientRect().top") <= 120
        expect(page.get_by_role("link", name="Kế hoạch", exact=True)).to_be_hidden()
        page.locator(".navbar-toggler").click()
        page.get_by_role("link", name="Kế hoạch", exact=True).click()
        expect(page.get_by_role("heading", name="Kế hoạch", exact=True)).to_be_visible()
    finally:
        context.close()


def test_without_javascript_filters_and_confirmations_still_work(db, world, browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        _log_in(page, live_server)
        page.goto(f"{live_server}/units/")
        page.get_by_label("Tìm theo tên hoặc mã").fill("Bát Tràng")
        page.locator("form[role=search] button[type=submit]").click()
        expect(page.locator("#list-region tbody tr")).to_have_count(1)
        # The menu is in the page: every link is reachable without the offcanvas script.
        expect(page.get_by_role("link", name="Hồ sơ vụ việc")).to_be_visible()
        page.goto(f"{live_server}/plans/{world.id}")
        page.get_by_role("button", name="Phê duyệt kế hoạch").click()
        expect(page.locator("#plan-status")).to_have_text("Đã phê duyệt")
    finally:
        context.close()
