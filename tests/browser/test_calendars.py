"""The calendars in the browser (static/calendar.js over FullCalendar), on a desktop and on
a phone: Vietnamese day names, month and week views, a proposed visit dragged to an
allowed day moves in the database, one dragged to a unit's day off goes back with the
server's message read out; axe finds nothing and the page never scrolls sideways. Without
JavaScript the server's tables are the calendar."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from inspections.extensions import db as _db
from inspections.scheduling.models import ProposalItem
from tests.browser.test_accessibility import _axe_violations
from tests.factories import PASSWORD
from tests.scheduling import calendar_world

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
WEEK_BUTTON = ".fc-timeGridWeek-button, .fc-listWeek-button"  # a phone's week is a list


def _log_in(page: Any, live_server: str, username: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url)


def _clean(page: Any) -> None:
    assert _axe_violations(page) == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page scrolls sideways: {width}px"


def _drag(page: Any, source: Any, target: Any) -> None:
    source.scroll_into_view_if_needed()
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2 + 10, steps=12)
    page.mouse.up()


def _day_of(item_id: int, until: Any = None) -> Any:
    """The item's day in the database (waiting up to 5 s for it to become `until`)."""
    deadline = time.monotonic() + 5
    while True:
        _db.session.expire_all()
        day = _db.session.get(ProposalItem, item_id).day
        if until is None or day == until or time.monotonic() > deadline:
            return day
        time.sleep(0.1)


@pytest.mark.parametrize("device", sorted(VIEWPORTS))
def test_a_proposed_visit_is_dragged_to_an_allowed_day_and_not_to_a_day_off(
    device, db, make, live_server, browser
):
    world = calendar_world.build(make, db)
    item, free = calendar_world.movable(world["joint_id"])
    allowed = free[0]
    # Another day the rules allow, which the unit then takes off (a blackout): refused.
    day_off = next((d for d in reversed(free) if d != allowed), allowed + timedelta(days=1))
    calendar_world.black_out(item, day_off)
    unit = item.inspection.unit.name
    item_id, before = item.id, item.day

    context = browser.new_context(viewport=VIEWPORTS[device], bypass_csp=True, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _log_in(page, live_server, world["coordinator"])
        page.goto(f"{live_server}/plans/{world['plan_id']}/schedule?team={world['joint_id']}")
        event = page.locator(".fc-daygrid-event", has_text=unit)
        expect(event).to_be_visible()
        expect(page.locator("table.calendar")).to_be_hidden()  # the server's table gives way
        headers = page.locator(".fc-col-header-cell").all_inner_texts()
        assert headers[0].startswith("Thứ 2") and headers[-1].startswith("CN"), headers
        _clean(page)

        page.locator(WEEK_BUTTON).click()
        expect(page.locator(".fc-timeGridWeek-view, .fc-listWeek-view")).to_be_visible()
        expect(page.locator(".fc-event", has_text=unit).first).to_be_visible()
        _clean(page)
        page.locator(".fc-dayGridMonth-button").click()
        expect(page.locator(".fc-dayGridMonth-view")).to_be_visible()

        status = page.locator("[data-calendar-status]")
        _drag(page, event, page.locator(f'td.fc-daygrid-day[data-date="{allowed.isoformat()}"]'))
        expect(status).to_have_class("calendar-status alert py-2 mb-2 alert-success")
        assert _day_of(item_id, until=allowed) == allowed != before
        expect(page.locator(f"#item-{item_id} input[name=day]")).to_have_value(allowed.strftime("%d/%m/%Y"))

        _drag(page, event, page.locator(f'td.fc-daygrid-day[data-date="{day_off.isoformat()}"]'))
        expect(status).to_have_class("calendar-status alert py-2 mb-2 alert-danger")
        expect(status).to_contain_text("Ngày này vi phạm ràng buộc")
        cell = page.locator(f'td.fc-daygrid-day[data-date="{allowed.isoformat()}"]')
        expect(cell.locator(".fc-daygrid-event", has_text=unit)).to_be_visible()  # back where it was
        assert _day_of(item_id) == allowed
        _clean(page)

        page.goto(f"{live_server}/calendar")
        expect(page.locator(".fc-dayGridMonth-view")).to_be_visible()
        assert page.locator(".fc-col-header-cell").first.inner_text().startswith("Thứ 2")
        page.locator(WEEK_BUTTON).click()
        expect(page.locator(".fc-timeGridWeek-view, .fc-listWeek-view")).to_be_visible()
        _clean(page)
    finally:
        context.close()


def test_the_calendar_runs_under_the_pages_own_policy(db, make, live_server, browser):
    """No CSP bypass here: FullCalendar and calendar.js load as the site serves them. Only
    FullCalendar's icon font (a data: URL in its injected CSS) is refused by font-src; the
    calendar uses words instead of its icons (buttonIcons: false), so nothing is lost."""
    world = calendar_world.build(make, db)
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if "Content Security Policy" in m.text and "x-font-ttf" not in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        _log_in(page, live_server, world["coordinator"])
        page.goto(f"{live_server}/plans/{world['plan_id']}/schedule?team={world['joint_id']}")
        expect(page.locator(".fc-daygrid-event").first).to_be_visible()
        assert errors == []
    finally:
        context.close()


def test_without_javascript_the_tables_are_the_calendar(db, make, live_server, browser):
    world = calendar_world.build(make, db)
    context = browser.new_context(viewport=VIEWPORTS["phone"], java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    try:
        _log_in(page, live_server, world["coordinator"])
        page.goto(f"{live_server}/plans/{world['plan_id']}/schedule?team={world['joint_id']}")
        expect(page.locator("table.calendar.month")).to_be_visible()
        expect(page.locator("[data-calendar]")).to_be_hidden()
        page.get_by_role("link", name="Tuần").click()
        expect(page.locator("table.calendar.week")).to_be_visible()
    finally:
        context.close()
