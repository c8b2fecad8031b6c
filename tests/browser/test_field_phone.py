"""The team leader's phone (390×844): the home's visit cards, and the visit page's counter,
collapsible areas, one-tap results, photos in the same step, the in-page gallery and the
scores that follow each save."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from inspections.db import utcnow
from tests import fieldwork
from tests.factories import PASSWORD, days_from_now

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def _log_in(page, live_server, username):
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_the_leaders_home_shows_the_next_visits_as_cards_with_today_first(app, db, make, live_server, phone):
    field = fieldwork.build(make, db, visit_at=utcnow() - timedelta(minutes=5))
    later = make.unit(name="Phường Yết Kiêu")
    make.inspection(field.team, later, visit_at=days_from_now(3))
    db.session.commit()

    _log_in(phone, live_server, field.leader.username)
    phone.goto(f"{live_server}/")
    cards = phone.locator(".next-visits .visit-card")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("Quận Hà Đông")
    expect(cards.first).to_contain_text(field.team.name)
    assert "today" in cards.first.get_attribute("class")
    expect(cards.first.locator(".badge")).to_be_visible()
    assert "today" not in cards.nth(1).get_attribute("class")
    expect(cards.nth(1)).to_contain_text("Phường Yết Kiêu")
    local = (days_from_now(3) + timedelta(hours=7)).strftime("%d/%m/%Y")
    expect(cards.nth(1).locator("time")).to_have_text(local)
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)
    # The whole card is the link to the visit page.
    cards.first.click()
    expect(phone).to_have_url(f"{live_server}/visits/{field.visit.id}")


def test_the_visit_page_on_a_phone(app, db, make, live_server, phone):
    field = fieldwork.build(make, db)
    criteria = field.criteria(db)
    areas = field.areas(db)
    page = phone
    downloads = []
    page.on("download", lambda d: downloads.append(d))
    _log_in(page, live_server, field.leader.username)
    page.goto(f"{live_server}/visits/{field.visit.id}")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    total = page.locator("#progress-total")
    expect(total).to_have_text(f"0 / {len(criteria)}")
    sections = page.locator("details.area")
    expect(sections).to_have_count(len(areas))
    assert page.evaluate("[...document.querySelectorAll('details.area')].every(d => !d.open)")
    # Collapsed, the whole checklist fits in a few screens.
    assert page.evaluate("document.documentElement.scrollHeight") < 4 * 844

    first_area = sections.first
    first_area.locator("summary.area-head").click()
    article = first_area.locator("article.criterion").first
    expect(article).to_be_visible()
    in_area = first_area.locator("article.criterion").count()
    badge = first_area.locator(".area-progress")
    expect(badge).to_have_text(f"0 / {in_area}")

    # One tap per result; the counter and the scores follow without a reload.
    page.evaluate("window.notReloaded = true")
    article.get_by_label("Đạt", exact=True).check()
    expect(article.locator(".save-state")).to_have_text("Đã lưu.")
    expect(total).to_have_text(f"1 / {len(criteria)}")
    expect(badge).to_have_text(f"1 / {in_area}")
    expect(page.locator(f'#scores tr[data-area="{areas[0].code}"] .score')).to_have_text("100.0")
    expect(page.locator("#scores tr.overall .score")).to_have_text("100.0")
    expect(page.locator("#overall-score")).to_have_text("100.0")  # in the sticky bar
    second = first_area.locator("article.criterion").nth(1)
    second.get_by_label("Không đạt", exact=True).check()
    second.get_by_label("Mức độ").select_option("low")
    expect(second.locator(".save-state")).to_have_text("Đã lưu.")
    expect(page.locator(f'#scores tr[data-area="{areas[0].code}"] .score')).to_have_text("50.0")
    assert page.evaluate("window.notReloaded") is True

    # The counter stays on screen while the member scrolls through the area.
    second.scroll_into_view_if_needed()
    page.mouse.wheel(0, 1500)
    box = total.bounding_box()
    assert box is not None and 0 <= box["y"] < 844

    # Photos in the same step: the camera input, several at once, shown as thumbnails
    # with the time the photo was taken (EXIF, Vietnam time).
    camera = article.locator('input[type="file"][capture]')
    assert camera.get_attribute("accept") == "image/*"
    assert camera.get_attribute("multiple") is not None
    camera.set_input_files(
        [
            {
                "name": "mot-cua-1.jpg",
                "mimeType": "image/jpeg",
                "buffer": fieldwork.jpeg("2019:10:14 09:30:00"),
            },
            {
                "name": "mot-cua-2.jpg",
                "mimeType": "image/jpeg",
                "buffer": fieldwork.jpeg("2019:10:14 10:05:00"),
            },
        ]
    )
    thumbs = article.locator(".gallery img")
    expect(thumbs).to_have_count(2)
    expect(article.locator(".photo-time").first).to_have_text("14/10/2019 09:30")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.gallery img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    assert page.evaluate("document.querySelector('.gallery img').naturalWidth") <= 320

    # The gallery opens in the page, not as a download.
    url = page.url
    thumbs.first.click()
    lightbox = page.locator("#lightbox")
    expect(lightbox).to_be_visible()
    expect(lightbox.locator("#lightbox-caption")).to_contain_text("mot-cua-1.jpg")
    lightbox.locator('button[data-step="1"]').click()
    expect(lightbox.locator("#lightbox-caption")).to_contain_text("mot-cua-2.jpg")
    page.wait_for_function("() => document.querySelector('#lightbox img').naturalWidth > 0")
    lightbox.locator('button[value="close"]').click()
    expect(lightbox).to_be_hidden()
    assert page.url == url and downloads == []

    # A tap on the area's title folds it again.
    first_area.locator("summary.area-head").click()
    expect(article).to_be_hidden()
