"""The pickers in the browser: a coordinator finds a member by typing part of the name,
chooses, and the person is on the team; a unit found by name; a typed code still works."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from inspections.auth.models import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def team_page(app, db, make, live_server, page):
    lan = make.user(Role.COORDINATOR, username="lan")
    home = make.unit(code="so-tuphap", name="Sở Tư pháp")
    make.unit(code="so-noivu", name="Sở Nội vụ")
    make.user(Role.INSPECTOR, username="nvh", full_name="Nguyễn Văn Huy", home_unit_id=home.id)
    make.user(Role.INSPECTOR, username="tth", full_name="Trần Thị Hoa", home_unit_id=home.id)
    plan = make.plan(title="Kế hoạch kiểm tra CCHC năm 2019")
    plan.coordinators.append(lan)
    team = make.team(plan)
    db.session.commit()
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill("lan")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{live_server}/teams/{team.id}")
    return page


def test_typing_three_letters_of_a_name_finds_the_member_to_add(team_page):
    page = team_page
    picker = page.locator("#username-ts-control")
    picker.click()
    picker.press_sequentially("huy", delay=50)
    option = page.locator("#username-ts-dropdown .option", has_text="Nguyễn Văn Huy")
    expect(option).to_be_visible()
    expect(option).to_contain_text("nvh")  # the username and home unit tell namesakes apart
    expect(page.locator("#username-ts-dropdown .option", has_text="Trần Thị Hoa")).to_have_count(0)
    option.click()
    expect(page.locator("#username")).to_have_value("nvh")
    page.locator("#role").select_option("head")
    page.get_by_role("button", name="Thêm thành viên").click()
    expect(page.locator("p.flash").last).to_contain_text("Nguyễn Văn Huy đã tham gia đoàn")
    expect(page.locator("#members tbody tr")).to_have_count(1)
    expect(page.locator("#members")).to_contain_text("Sở Tư pháp")


def test_a_unit_is_found_by_its_name_without_accents_and_a_typed_code_still_works(team_page):
    page = team_page
    picker = page.locator("#home_unit_code-ts-control")
    picker.click()
    picker.press_sequentially("noi vu", delay=30)
    option = page.locator("#home_unit_code-ts-dropdown .option", has_text="Sở Nội vụ")
    expect(option).to_be_visible()
    option.click()
    expect(page.locator("#home_unit_code")).to_have_value("so-noivu")
    # A username typed whole and not chosen from the list is kept as typed.
    member = page.locator("#username-ts-control")
    member.click()
    member.press_sequentially("tth", delay=30)
    page.locator("#role").focus()  # leaving the picker keeps what was typed
    expect(page.locator("#username")).to_have_value("tth")
    page.locator("#role").select_option("member")
    page.get_by_role("button", name="Thêm thành viên").click()
    expect(page.locator("p.flash").last).to_contain_text("Trần Thị Hoa đã tham gia đoàn")
    expect(page.locator("#members")).to_contain_text("Sở Nội vụ")


def test_bulk_assignment_keeps_ticked_units_across_a_search_and_selects_a_whole_page(
    app, db, make, live_server, page
):
    lan = make.user(Role.COORDINATOR, username="lan2")
    plan = make.plan(title="Kế hoạch kiểm tra CCHC năm 2020", year=2020)
    plan.coordinators.append(lan)
    team = make.team(plan)
    for n in range(3):
        make.unit(code=f"q-{n}", name=f"Quận thử {n}")
        make.unit(code=f"x-{n}", name=f"Xã thử {n}")
    db.session.commit()
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill("lan2")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{live_server}/assignments/bulk?team_id={team.id}")
    page.locator("#q").fill("quan thu")
    page.locator("#q").press("Enter")
    page.get_by_label("Quận thử 1").check()
    page.locator("#q").fill("xa thu")
    page.locator("#q").press("Enter")  # Enter searches again; the ticked district is kept
    expect(page.locator("#chips")).to_contain_text("Quận thử 1")
    page.locator("[data-select-page]").click()  # "Select all on this page"
    for n in range(3):
        expect(page.get_by_label(f"Xã thử {n}")).to_be_checked()
    page.get_by_role("button", name="Phân công", exact=True).click()
    dialog = page.locator("#confirm-dialog")  # asked first (data-confirm, static/app.js)
    expect(dialog).to_be_visible()
    dialog.locator('button[value="confirm"]').click()
    expect(page.locator("p.flash").last).to_contain_text("Đã phân công 4 đơn vị")
    expect(page.locator("#assigned tbody tr[data-code]")).to_have_count(4)
