"""The offline visit: findings and photos made without a network are kept on the phone
(IndexedDB), survive a reload (the service worker's copy of the page), and reach the
server when the network returns; one the server refuses stays a draft with its message."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from inspections.findings import services
from inspections.findings.models import Evidence, Finding, RefusedSave
from tests import fieldwork
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
QUEUE = """() => new Promise((resolve) => {
  const open = indexedDB.open("inspections-field");
  open.onsuccess = () => {
    const req = open.result.transaction("queue").objectStore("queue").getAll();
    req.onsuccess = () => resolve(req.result.map(i => ({
      key: i.key, status: i.status, message: i.message, files: i.files.length, fields: i.fields})));
  };
})"""
KEPT = """() => caches.open("field-pages-1").then(c => c.match(location.pathname)).then(Boolean)"""
FORGOTTEN = """() => caches.open("field-pages-1").then(c => c.keys())
  .then(keys => !keys.some(r => /\\/visits\\/\\d+$/.test(new URL(r.url).pathname)))"""


def _log_in(page, live_server, username):
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def _queue(page) -> list[dict]:
    return sorted(page.evaluate(QUEUE), key=lambda i: int(i["key"].rsplit(":", 1)[1]))


def _leader_records(db, field, criterion) -> None:
    """The leader, online, records the criterion: a member's queued save of it will clash."""
    services.save_visit_finding(
        field.visit,
        criterion_id=criterion.id,
        result="observation",
        text="Niêm yết chưa đầy đủ",
        expected_version=None,
        actor=field.leader,
    )
    db.session.commit()


def test_findings_and_photos_made_offline_survive_a_reload_and_a_refusal(app, db, make, live_server, browser):
    field = fieldwork.build(make, db)
    first, second = field.criteria(db)[:2]
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        _log_in(page, live_server, field.member.username)
        page.goto(f"{live_server}/visits/{field.visit.id}")
        page.wait_for_function(KEPT)  # the service worker keeps the page for an offline reload
        area = page.locator("details.area").first
        area.locator("summary.area-head").click()
        one, two = area.locator(f"#c{first.id}"), area.locator(f"#c{second.id}")

        context.set_offline(True)
        # The server's rule, checked before anything is queued: "Không đạt" needs a severity.
        one.get_by_label("Không đạt", exact=True).check()
        expect(one.locator(".save-state.hint")).to_be_visible()
        assert _queue(page) == []
        one.get_by_label("Mức độ").select_option("high")
        one.get_by_label("Ghi chú").fill("Không niêm yết thủ tục tại bộ phận một cửa")
        one.get_by_role("button", name="Lưu", exact=True).click()
        one.locator("input.file-input").nth(1).set_input_files(
            {"name": "bo-phan-mot-cua.jpg", "mimeType": "image/jpeg", "buffer": fieldwork.jpeg()}
        )
        expect(one.locator(".pending-photo img")).to_have_count(1)
        two.get_by_label("Đạt", exact=True).check()
        expect(two.locator(".save-state.pending")).to_be_visible()
        expect(page.locator("#offline-note")).to_be_visible()
        queued = _queue(page)
        assert [(i["status"], i["files"]) for i in queued] == [("pending", 1), ("pending", 0)]
        assert queued[0]["fields"]["text"] == "Không niêm yết thủ tục tại bộ phận một cửa"

        # Meanwhile the leader, online, records the second criterion: the member's save will clash.
        _leader_records(db, field, second)

        # A reload without a network: the kept page, with the drafts and the photo still there.
        response = page.reload()
        assert response.from_service_worker
        expect(page.get_by_role("heading", name="Quận Hà Đông")).to_be_visible()
        # The kept copy, not the server's page (which counts the leader's finding).
        expect(page.locator("#progress-total .done")).to_have_text("0")
        one = page.locator(f"#c{first.id}")
        expect(one).to_be_visible()  # its area opens by itself: it holds a draft
        expect(one.get_by_label("Không đạt", exact=True)).to_be_checked()
        expect(one.get_by_label("Ghi chú")).to_have_value("Không niêm yết thủ tục tại bộ phận một cửa")
        expect(one.locator(".pending-photo img")).to_have_count(1)
        assert len(_queue(page)) == 2
        assert db.session.scalar(sa.select(Finding).where(Finding.author_id == field.member.id)) is None

        context.set_offline(False)
        expect(one.locator(".save-state")).to_have_text("Đã lưu.", timeout=20_000)
        two = page.locator(f"#c{second.id}")
        expect(two.locator(".draft-badge")).to_be_visible(timeout=20_000)
        expect(two.locator(".save-state")).to_contain_text("Lê Minh Tuấn")
        expect(one.locator(".gallery img")).to_have_count(1)  # the server's thumbnail now

        db.session.expire_all()
        saved = db.session.scalar(sa.select(Finding).where(Finding.criterion_id == first.id))
        assert (saved.result.value, saved.severity.value, saved.author_id) == (
            "non_compliant",
            "high",
            field.member.id,
        )
        photo = db.session.scalar(sa.select(Evidence).where(Evidence.finding_id == saved.id))
        assert photo.filename == "bo-phan-mot-cua.jpg" and photo.taken_at is not None
        clashed = db.session.scalar(sa.select(Finding).where(Finding.criterion_id == second.id))
        assert (clashed.result.value, clashed.author_id) == (
            "observation",
            field.leader.id,
        )  # not overwritten
        refused = db.session.scalars(services.refused_saves_of(field.member)).all()
        assert [(r.criterion_id, "Lê Minh Tuấn" in r.message) for r in refused] == [(second.id, True)]

        # Online again, a reload: the refused one is still a draft with the server's message.
        page.reload()
        two = page.locator(f"#c{second.id}")
        expect(two.locator(".draft-badge")).to_be_visible()
        expect(two.locator(".save-state")).to_contain_text("Lê Minh Tuấn")
        expect(two.get_by_label("Đạt", exact=True)).to_be_checked()
        assert [(i["key"], i["status"]) for i in _queue(page)] == [
            (f"{field.member.id}|finding:{field.visit.id}:{second.id}", "refused")
        ]

        # Saved again, knowingly over the leader's version: accepted, and the inbox row goes.
        two.get_by_role("button", name="Lưu", exact=True).click()
        expect(two.locator(".save-state")).to_have_text("Đã lưu.")
        expect(two.locator(".draft-badge")).to_be_hidden()
        db.session.expire_all()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RefusedSave)) == 0
        assert _queue(page) == []

        # A page never kept on this phone, offline: the worker's own page, not the browser's error.
        context.set_offline(True)
        page.goto(f"{live_server}/visits/{field.visit.id + 1000}")
        expect(page.locator("main .alert-warning h1")).to_be_visible()
        context.set_offline(False)

        # Logging out forgets the kept pages: the next person on this phone cannot read them.
        page.goto(f"{live_server}/visits/{field.visit.id}")
        page.locator('form[action$="/logout"]').first.evaluate("form => form.requestSubmit()")
        expect(page).to_have_url(f"{live_server}/login")
        page.wait_for_function(FORGOTTEN)
    finally:
        context.close()


def test_a_refused_draft_is_discarded_only_after_the_page_s_own_dialog(app, db, make, live_server, browser):
    field = fieldwork.build(make, db)
    first = field.criteria(db)[0]
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        _log_in(page, live_server, field.member.username)
        page.goto(f"{live_server}/visits/{field.visit.id}")
        page.wait_for_function(KEPT)
        area = page.locator("details.area").first
        area.locator("summary.area-head").click()
        one = area.locator(f"#c{first.id}")
        context.set_offline(True)
        one.get_by_label("Đạt", exact=True).check()
        expect(one.locator(".save-state.pending")).to_be_visible()
        _leader_records(db, field, first)
        context.set_offline(False)
        expect(one.locator(".draft-badge")).to_be_visible(timeout=20_000)

        discard = one.get_by_role("button", name="Bỏ bản nháp")
        discard.click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()  # the page's dialog, not the browser's: it can be styled and read
        dialog.get_by_role("button", name="Hủy").click()
        assert len(_queue(page)) == 1  # cancelled: the draft stays

        discard.click()
        dialog.get_by_role("button", name="Bỏ bản nháp").click()
        page.wait_for_load_state()
        expect(page.locator(f"#c{first.id} .draft-badge")).to_be_hidden()
        assert _queue(page) == []
        db.session.expire_all()
        kept = db.session.scalar(sa.select(Finding).where(Finding.criterion_id == first.id))
        assert (kept.result.value, kept.author_id) == ("observation", field.leader.id)
    finally:
        context.close()
