"""The demo joint-team leader, on a phone: a visit from the first finding to the conclusion."""

from __future__ import annotations

import io
import unicodedata
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from inspections.db import utcnow
from inspections.demo.services import load_demo
from inspections.documents.models import Document, DocumentKind
from inspections.findings.models import Evidence, Finding
from inspections.outbox.models import Notification
from inspections.plans.models import Plan
from inspections.remediation.models import CorrectiveAction
from inspections.units.models import Unit
from inspections.visits.models import Inspection, Slot, Visit, VisitStatus
from tests import fieldwork

pytestmark = pytest.mark.browser

PASSWORD = "browser demo password"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _log_in(page, live_server, username, password):
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_leader_records_a_finding_in_every_area_and_issues_the_conclusion(app, db, live_server, phone):
    load_demo(password=PASSWORD)  # the joint team is assigned Quận Hà Đông among its 15 units
    db.session.commit()
    page = phone

    # The team is on site: its visit to Quận Hà Đông (2019 plan) started an hour ago.
    # (Findings wait for a visit to start; adding a visit by hand is tested on its own.)
    inspection = db.session.scalar(
        sa.select(Inspection).join(Unit).join(Plan).where(Unit.name == "Quận Hà Đông", Plan.year == 2019)
    )
    started = utcnow() - timedelta(hours=1)
    visit = Visit(inspection=inspection, starts_at=started, ends_at=started + timedelta(hours=3),
                  slot=Slot.MORNING, status=VisitStatus.APPROVED, fixed=True)  # fmt: skip
    db.session.add(visit)
    db.session.commit()

    _log_in(page, live_server, "leader.joint", PASSWORD)
    page.goto(f"{live_server}/visits/{visit.id}")
    expect(page.get_by_role("heading", name="Quận Hà Đông")).to_be_visible()

    areas = page.locator("details.area")
    assert areas.count() == 8
    photo = {"name": "anh-hien-truong.jpg", "mimeType": "image/jpeg", "buffer": fieldwork.jpeg()}
    for i in range(areas.count()):
        areas.nth(i).locator("summary.area-head").click()
        article = areas.nth(i).locator("article.criterion").first
        bad = i in (0, areas.count() - 1)
        article.get_by_label("Không đạt" if bad else "Đạt", exact=True).check()
        if bad:
            article.get_by_label("Mức độ").select_option("medium")
        article.get_by_label("Ghi chú").fill(f"Ghi nhận tại lĩnh vực {i + 1}: đầy đủ, đúng quy định")
        # The photo goes in the same step as the finding: choosing it sends both.
        article.locator("input.file-input").nth(1).set_input_files(photo)
        expect(article.locator(".gallery img")).to_have_count(1, timeout=20_000)
        expect(article.locator(".save-state")).to_contain_text("Đã lưu.", timeout=20_000)
    expect(page.locator("#progress-total .done")).to_have_text("8")

    page.reload()  # the corrective-action form comes with a saved non-compliant finding
    for i, text in ((0, "Ban hành kế hoạch CCHC bổ sung."), (7, "Chấn chỉnh việc đeo thẻ công chức.")):
        area = page.locator("details.area").nth(i)
        if not area.get_attribute("open"):
            area.locator("summary.area-head").click()
        article = area.locator("article.criterion").first
        article.locator("details.add-action summary").click()
        article.get_by_label("Nội dung đơn vị phải khắc phục").fill(text)
        article.get_by_role("button", name="Thêm yêu cầu").click()
        expect(page.locator(".flash").first).to_contain_text("Đã thêm yêu cầu khắc phục", timeout=15_000)

    page.get_by_role("button", name="Lập biên bản").click()
    expect(page.locator(".flash").first).to_contain_text("Biên bản 01/BB-ĐKT", timeout=15_000)
    pdf_link = page.locator("#documents a", has_text="PDF").first
    response = page.request.get(live_server + pdf_link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    text = _pdf_text(response.body())
    for heading in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BIÊN BẢN KIỂM TRA",
        "KẾT QUẢ KIỂM TRA",
        "Công tác chỉ đạo, điều hành cải cách hành chính",
        "Kỷ luật, kỷ cương hành chính trong thực thi công vụ",
        "Quận Hà Đông",
    ):
        assert heading in text, heading

    page.get_by_role("button", name="Ban hành kết luận").click()
    # Irreversible: a dialog says what will happen (base.html, static/app.js).
    page.locator("#confirm-dialog").get_by_role("button", name="Ban hành kết luận").click()
    expect(page.locator(".flash").first).to_contain_text(
        "Đã ban hành thông báo kết luận 02/TB-ĐKT", timeout=15_000
    )
    expect(page.get_by_text("Kết luận đã được ban hành: các kết quả kiểm tra là chính thức.")).to_be_visible()

    db.session.expire_all()
    visit = db.session.scalar(sa.select(Visit))
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(Finding).where(Finding.visit_id == visit.id))
        == 8
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 8
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CorrectiveAction)) == 2
    conclusion = db.session.scalar(sa.select(Document).where(Document.kind == DocumentKind.CONCLUSION))
    assert conclusion.issued and conclusion.pdf_sha256 and conclusion.docx_sha256
    mail = db.session.scalar(sa.select(Notification).where(Notification.kind == "conclusion_issued"))
    assert mail.recipient_email == "q-hadong@hanoi.example"
    assert len(mail.context["actions"]) == 2
