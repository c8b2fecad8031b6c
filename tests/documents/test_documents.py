"""Minutes and conclusion: Decree 30 layout, numbering, the lock, the outbox."""

from __future__ import annotations

import io
import unicodedata
from datetime import date

import pytest
import sqlalchemy as sa
from docx import Document as Docx
from pypdf import PdfReader

from inspections.documents import render
from inspections.documents.content import content_of, vietnamese_date
from inspections.documents.models import Document, DocumentKind
from inspections.documents.services import generate_minutes, issue_conclusion
from inspections.errors import Conflict
from inspections.findings.services import save_visit_finding
from inspections.findings.subject import Subject
from inspections.outbox.models import Notification
from inspections.remediation.services import add_action
from tests import fieldwork

pytestmark = pytest.mark.usefixtures("in_request")

HEADINGS = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "UBND THÀNH PHỐ HÀ NỘI",
    "Nơi nhận:",
]


@pytest.fixture
def field(make, db):
    field = fieldwork.build(make, db)
    criteria = field.criteria(db)
    save_visit_finding(
        field.visit,
        criterion_id=criteria[0].id,
        result="good_practice",
        text="Bộ phận một cửa gọn gàng",
        expected_version=None,
        actor=field.leader,
    )
    bad = save_visit_finding(
        field.visit,
        criterion_id=criteria[-1].id,
        result="non_compliant",
        severity="medium",
        text="Công chức không đeo thẻ",
        named_individuals="Ông X",
        expected_version=None,
        actor=field.leader,
    )
    add_action(
        bad,
        description="Chấn chỉnh việc đeo thẻ công chức.",
        working_days=10,
        unit_id=field.unit.id,
        actor=field.leader,
    )
    db.session.commit()
    return field


def _pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    # Line breaks depend on the font found on the machine; the words must not.
    return " ".join(unicodedata.normalize("NFC", text).split())


def _docx_text(data: bytes) -> str:
    doc = Docx(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for cell in table._cells:
            parts.extend(p.text for p in cell.paragraphs)
    return "\n".join(parts)


def test_numbers_come_from_the_team_s_register_for_the_year(field, db):
    subject = Subject(field.visit, None)
    minutes = generate_minutes(subject, actor=field.leader)
    again = generate_minutes(subject, actor=field.leader)
    conclusion = issue_conclusion(subject, actor=field.leader)
    assert minutes.id == again.id
    assert (minutes.symbol, conclusion.symbol) == ("01/BB-ĐKT", "02/TB-ĐKT")
    assert minutes.register_id == conclusion.register_id


def test_an_issued_conclusion_is_locked_and_sent_to_the_unit(field, db):
    subject = Subject(field.visit, None)
    conclusion = issue_conclusion(subject, actor=field.leader)
    db.session.commit()

    with pytest.raises(Conflict):
        issue_conclusion(subject, actor=field.leader)
    with pytest.raises(Conflict):
        save_visit_finding(
            field.visit,
            criterion_id=field.criteria(db)[1].id,
            result="compliant",
            expected_version=None,
            actor=field.leader,
        )
    mail = db.session.scalar(sa.select(Notification))
    assert (mail.kind, mail.recipient_email, mail.mandatory) == (
        "conclusion_issued",
        "vanthu@hadong.example",
        True,
    )
    assert mail.context["symbol"] == conclusion.symbol
    assert mail.context["actions"][0]["description"] == "Chấn chỉnh việc đeo thẻ công chức."
    assert conclusion.content["actions"][0]["description"] == "Chấn chỉnh việc đeo thẻ công chức."
    assert field.inspection.status.value == "concluded"


def test_the_conclusion_docx_has_the_decree_30_parts(field, db):
    conclusion = issue_conclusion(Subject(field.visit, None), actor=field.leader)
    text = _docx_text(render.docx_bytes(conclusion.content)[0])
    for expected in [
        *HEADINGS,
        "THÔNG BÁO",
        "Số: 01/TB-ĐKT",
        "TRƯỞNG ĐOÀN",
        field.leader.full_name,
        "Chấn chỉnh việc đeo thẻ công chức.",
        "TỒN TẠI, HẠN CHẾ",
    ]:
        assert expected in text, expected
    assert "Ông X" not in text, "people named stay out of documents sent to the unit"


@pytest.mark.skipif(not render.pdf_available(), reason="WeasyPrint cannot load Pango here")
def test_the_pdf_keeps_the_vietnamese_diacritics(field, db):
    minutes = generate_minutes(Subject(field.visit, None), actor=field.leader)
    text = _pdf_text(render.pdf_bytes(content_of(minutes, Subject(field.visit, None)))[0])
    for expected in [*HEADINGS, "BIÊN BẢN KIỂM TRA", "Quận Hà Đông", "Kỷ luật, kỷ cương hành chính"]:
        assert expected in text, expected


def test_vietnamese_dates_follow_the_decree():
    assert vietnamese_date(date(2019, 1, 5), "Hà Nội") == "Hà Nội, ngày 05 tháng 01 năm 2019"
    assert vietnamese_date(date(2019, 10, 14), "Hà Nội") == "Hà Nội, ngày 14 tháng 10 năm 2019"


def test_without_pango_the_pages_say_pdf_is_unavailable_and_docx_works(field, db, client, login, monkeypatch):
    conclusion = issue_conclusion(Subject(field.visit, None), actor=field.leader)
    conclusion.pdf_sha256 = None
    db.session.commit()
    monkeypatch.setattr(render, "pdf_available", lambda: False)
    login(field.leader.username)
    page = client.get(f"/visits/{field.visit.id}").get_data(as_text=True)
    assert "thư viện Pango" in page
    assert client.get(f"/documents/{conclusion.id}.pdf").status_code == 302
    docx = client.get(f"/documents/{conclusion.id}.docx")
    assert docx.status_code == 200 and docx.data[:2] == b"PK"


def test_the_unit_contact_reads_its_issued_conclusion_only(field, db, client, login):
    subject = Subject(field.visit, None)
    minutes = generate_minutes(subject, actor=field.leader)
    conclusion = issue_conclusion(subject, actor=field.leader)
    db.session.commit()
    login(field.contact.username)
    assert client.get(f"/documents/{conclusion.id}").status_code == 200
    assert client.get(f"/documents/{conclusion.id}.docx").status_code == 200
    assert client.get(f"/documents/{minutes.id}").status_code == 404
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Document).where(Document.kind == DocumentKind.CONCLUSION)
        )
        == 1
    )
