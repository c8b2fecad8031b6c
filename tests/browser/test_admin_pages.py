"""The admin pages at 390 px (a phone) and 1366 px: nothing wider than the window, even
with long addresses, Message-IDs and errors; tables reflow into labelled rows."""

from __future__ import annotations

import os

import pytest

from inspections.audit.services import record
from inspections.auth.models import Role, User
from inspections.outbox.models import NotificationStatus
from inspections.outbox.services import enqueue
from inspections.units.models import Language
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
LONG = "rất-dài-" * 12
SHOTS = os.environ.get("ADMIN_SHOTS")  # a folder: keep screenshots to look at


@pytest.fixture
def world(db, make):
    admin = make.user(Role.ADMIN, username="boss", full_name="Quản Trị Hệ Thống", language=Language.EN)
    unit = make.unit(code="HD", name="Ủy ban nhân dân quận Hà Đông, thành phố Hà Nội")
    user = make.user(
        Role.UNIT_CONTACT, home_unit_id=unit.id, full_name="Nguyễn " + LONG, email=f"{LONG}@unit.example"
    )
    record("user.set_role", actor=admin, object_type="user", object_id=user.id,
           before={"role": "inspector", "home_unit_id": None, "note": LONG * 3},
           after={"role": "unit_contact", "home_unit_id": unit.id, "note": LONG * 4})  # fmt: skip
    row = enqueue(key="k1", kind="schedule_notice", email=f"{LONG}@unit.example", name="Nguyễn " + LONG)
    row.status = NotificationStatus.FAILED
    row.last_error = "550 " + LONG * 4
    db.session.commit()
    return user


@pytest.mark.parametrize("width", [390, 1366])
def test_admin_pages_fit_the_window(browser, live_server, world, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{live_server}/login")
    page.fill("#username", "boss")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert "/login" not in page.url
    for path in ("/admin/users/", f"/admin/users/{world.id}", "/admin/users/new", "/audit/", "/admin/outbox"):
        page.goto(live_server + path)
        assert "/login" not in page.url
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{path} is wider than {width} px"
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/{width}{path.replace('/', '_')}.png", full_page=True)
    page.goto(live_server + "/admin/users/")
    if width == 390:  # the table's rows are stacked, each cell with its label
        assert page.locator("td[data-label='Email']").first.is_visible()
    page.close()


def test_deactivation_asks_first(browser, live_server, world, db):
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(f"{live_server}/login")
    page.fill("#username", "boss")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    page.goto(f"{live_server}/admin/users/{world.id}")
    page.get_by_role("button", name="Deactivate the account").click()
    dialog = page.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    assert "can no longer log in" in page.locator("#confirm-dialog-text").inner_text()
    with page.expect_navigation():
        dialog.locator("button[value=confirm]").click()
    assert "The account is deactivated" in page.content()
    db.session.expire_all()
    assert not db.session.get(User, world.id).active
    page.close()
