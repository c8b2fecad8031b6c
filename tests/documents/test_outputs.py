"""The issued documents, read back with other tools than the ones that wrote them.

PDF: poppler (pdffonts, pdfinfo, pdftotext, pdfsig), pikepdf for the XMP packet, pypdf for
the text of each page; the signature also through the public check page (pyHanko's
validator). DOCX: python-docx reading the file back, and its XML. Each poppler test skips
with its reason where the tool is missing, unless REQUIRE_TOOLS=1, where it fails.
"""

from __future__ import annotations

import copy
import io
import os
import re
import shutil
import subprocess
import unicodedata
from datetime import time
from pathlib import Path

import pikepdf
import pytest
import sqlalchemy as sa
from docx import Document as Docx
from docx.oxml.ns import qn
from docx.shared import Cm
from pypdf import PdfReader

from inspections import create_app
from inspections.documents import render, signing
from inspections.documents.content import content_of, normalized
from inspections.documents.models import Document, DocumentKind
from inspections.documents.services import MinutesDetails, generate_minutes, issue_conclusion
from inspections.documents.storage import pdf_of
from inspections.extensions import limiter
from inspections.findings.services import save_visit_finding
from inspections.findings.subject import Subject
from inspections.i18n import LOCAL_TZ, local_day
from inspections.remediation.services import add_action
from tests import fieldwork
from tests.conftest import IsolatedClient, csrf_token, settings_for

pytestmark = pytest.mark.usefixtures("in_request")

REQUIRE_TOOLS = os.environ.get("REQUIRE_TOOLS") == "1"
needs_pdf = pytest.mark.skipif(
    not render.pdf_available() and not REQUIRE_TOOLS, reason="WeasyPrint cannot load Pango here"
)


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if REQUIRE_TOOLS:
            pytest.fail(f"{name} is missing and REQUIRE_TOOLS=1 (apt-get install poppler-utils)")
        pytest.skip(f"{name} is not installed (apt-get install poppler-utils)")
    return path


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


def words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture
def issued(make, db):
    """A visit with findings in two areas, a corrective action, the minutes with the unit's
    representative, and the issued (signed) conclusion."""
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
    subject = Subject(field.visit, None)
    generate_minutes(
        subject,
        actor=field.leader,
        details=MinutesDetails(
            venue="trụ sở UBND Quận Hà Đông",
            opened_at=time(8, 15),
            closed_at=time(11, 40),
            representative="Nguyễn Văn An",
            representative_title="Phó Chủ tịch UBND Quận",
            participants="Trần Thị Bình, Chánh Văn phòng",
        ),
    )
    conclusion = issue_conclusion(subject, actor=field.leader)
    db.session.commit()
    docs = {d.kind: d for d in db.session.scalars(sa.select(Document).where(subject.where()))}
    field.documents = docs
    field.subject = subject
    field.conclusion = conclusion
    return field


def _file(tmp_path: Path, data: bytes, name: str = "doc.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- PDF/A, fonts, metadata ----------------------------------------------------------------


@needs_pdf
def test_the_issued_pdfs_are_pdf_a_3b_with_every_font_embedded(issued, tmp_path):
    pdffonts, pdfinfo = tool("pdffonts"), tool("pdfinfo")
    for document in issued.documents.values():
        path = _file(tmp_path, pdf_of(document, issued.subject), f"{document.kind}.pdf")
        rows = run(pdffonts, str(path)).splitlines()[2:]
        assert rows, "the PDF names its fonts"
        for row in rows:
            name, emb = row.split()[0], row.split()[-5]
            assert emb == "yes", row
            # Times New Roman or one of its metric twins, never a fallback such as DejaVu.
            assert re.search(r"TimesNewRoman|Times-?New-?Roman|Liberation-?Serif|Tinos", name), row
        info = run(pdfinfo, str(path))
        assert "Page size:       595.276 x 841.89 pts (A4)" in info
        assert f"Title:           {content_of(document, issued.subject)['meta']['title']}" in info
        assert f"Author:          {issued.team.name}" in info
        meta = run(pdfinfo, "-meta", str(path))
        assert re.search(r'pdfaid:part(="|>)3', meta) and re.search(r'pdfaid:conformance(="|>)B', meta), meta


@needs_pdf
def test_the_xmp_packet_has_title_author_and_language(issued):
    data = pdf_of(issued.conclusion, issued.subject)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        meta = pdf.open_metadata()
        assert meta["dc:title"].startswith("Thông báo số 02/TB-ĐKT: Kết luận kiểm tra")
        assert meta["dc:creator"] == [issued.team.name]
        assert meta["dc:language"] == {"vi"}
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "B")
        assert str(pdf.Root.Lang) == "vi"
        assert "/OutputIntents" in pdf.Root


# --- the digital signature -----------------------------------------------------------------


def _changed_byte(data: bytes) -> bytes:
    """The PDF with one byte of the signed text changed (a digit of the page size)."""
    at = data.index(b"/MediaBox")
    digit = next(i for i in range(at, at + 40) if data[i : i + 1].isdigit())
    return data[:digit] + (b"1" if data[digit : digit + 1] != b"1" else b"2") + data[digit + 1 :]


@needs_pdf
def test_the_conclusion_and_the_minutes_are_signed_and_a_changed_byte_shows(issued, tmp_path):
    pdfsig = tool("pdfsig")
    for document in issued.documents.values():
        assert document.signed_at is not None and "chứng thư số thử nghiệm" in document.signature_subject
        data = pdf_of(document, issued.subject)
        out = run(pdfsig, str(_file(tmp_path, data)))
        assert "Signature Field Name: ChuKySo" in out
        assert "Signature Type: ETSI.CAdES.detached" in out  # PAdES
        assert "Total document signed" in out
        assert "Signature Validation: Signature is Valid." in out
        altered = subprocess.run(
            [pdfsig, str(_file(tmp_path, _changed_byte(data), "altered.pdf"))], capture_output=True, text=True
        )
        assert "Signature is Valid." not in altered.stdout, altered.stdout

        [report] = signing.verify(data)
        assert (report.intact, report.unchanged_since, report.trusted, report.altered) == (
            True,
            True,
            True,
            False,
        )
        assert report.signer_name == issued.leader.full_name
        [changed] = signing.verify(_changed_byte(data))
        assert changed.altered and not changed.intact


@needs_pdf
def test_a_revision_appended_after_signing_is_reported_as_altered(issued):
    data = pdf_of(issued.conclusion, issued.subject)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.docinfo["/Title"] = "Thông báo đã sửa"
        out = io.BytesIO()
        pdf.save(out)  # a rewrite: the signed bytes no longer cover the file
    [report] = signing.verify(out.getvalue())
    assert report.altered


@needs_pdf
def test_the_appearance_names_signer_body_and_time_in_the_signature_block(issued, tmp_path):
    pdftotext = tool("pdftotext")
    data = pdf_of(issued.conclusion, issued.subject)
    last = run(pdftotext, "-f", "1", "-l", "9", str(_file(tmp_path, data)), "-")
    text = words(last)
    assert f"Người ký: {issued.leader.full_name}" in text
    assert "Cơ quan: UBND THÀNH PHỐ HÀ NỘI (chứng thư số thử nghiệm)" in text
    assert re.search(r"Thời gian ký: \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00", text), text
    # The appearance sits between the title and the name of the signature block.
    assert text.index("TRƯỞNG ĐOÀN") < text.index("Người ký:") < text.rindex(issued.leader.full_name)


# --- the public check page -----------------------------------------------------------------


def _english(client):
    with client.session_transaction() as session:
        session["language"] = "en"


@needs_pdf
def test_anyone_with_the_link_checks_a_signed_pdf(issued, client):
    _english(client)
    page = client.get("/documents/verify")
    assert page.status_code == 200 and b"Signed PDF" in page.data
    token = csrf_token(client, "/documents/verify")
    data = pdf_of(issued.conclusion, issued.subject)

    def check(payload: bytes, name: str = "thong-bao.pdf") -> str:
        response = client.post(
            "/documents/verify",
            data={"csrf_token": token, "file": (io.BytesIO(payload), name)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 200
        return words(response.get_data(as_text=True))

    intact = check(data)
    assert "Intact: the document has not been changed since it was signed." in intact
    assert issued.leader.full_name in intact and "Trusted" in intact
    assert "Altered: the document was changed after it was signed." in check(_changed_byte(data))
    assert "carries no digital signature" in check(render.pdf_bytes(issued.conclusion.content)[0])
    assert "Send a PDF file" in check(fieldwork.jpeg(), "anh.jpg")
    no_csrf = client.post(
        "/documents/verify", data={"file": (io.BytesIO(data), "a.pdf")}, content_type="multipart/form-data"
    )
    assert no_csrf.status_code == 400


def test_the_check_page_is_throttled(migrated, instance_dir, app):
    throttled = create_app(
        settings_for(migrated, instance_dir) | {"RATELIMIT_ENABLED": True, "VERIFY_LIMIT": "2 per minute"},
        instance_path=str(instance_dir),
    )
    throttled.test_client_class = IsolatedClient
    with throttled.app_context():
        limiter.reset()
    client = throttled.test_client()
    token = csrf_token(client, "/documents/verify")
    codes = [
        client.post(
            "/documents/verify",
            data={"csrf_token": token, "file": (io.BytesIO(b"%PDF-1.7 not really"), "a.pdf")},
            content_type="multipart/form-data",
        ).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    with throttled.app_context():
        limiter.reset()


# --- the layout ----------------------------------------------------------------------------


def _pages(data: bytes) -> list[str]:
    return [words(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


@needs_pdf
def test_the_signature_block_never_leaves_its_title_nor_the_end_of_the_body(issued):
    """Wherever the body ends on the page, "TM. ĐOÀN KIỂM TRA / TRƯỞNG ĐOÀN", the signature
    space and the signer's name stand together, with the body's last line ("./.")."""
    base = normalized(issued.conclusion.content)
    name = issued.leader.full_name
    seen_pages = set()
    for extra in range(0, 30, 2):
        content = copy.deepcopy(base)
        content["sections"][0]["paragraphs"] = [
            f"Đoạn thêm thứ {i + 1} để đẩy phần ký xuống cuối trang." for i in range(extra)
        ]
        pages = _pages(render.pdf_bytes(content)[0])
        holding = [i for i, text in enumerate(pages) if "TRƯỞNG ĐOÀN" in text]
        assert len(holding) == 1, (extra, pages)
        page = pages[holding[0]]
        assert "TM. ĐOÀN KIỂM TRA" in page and name in page.split("TRƯỞNG ĐOÀN", 1)[1], (extra, page)
        assert "./." in page, (extra, "the block went on without the end of the body")
        seen_pages.add(len(pages))
    assert len(seen_pages) > 1, "the test pushed the block across a page break"


@needs_pdf
def test_pages_are_numbered_from_the_second_at_the_top(issued, tmp_path):
    pdftotext = tool("pdftotext")
    data = pdf_of(issued.documents[DocumentKind.MINUTES], issued.subject)
    path = _file(tmp_path, data)
    count = len(PdfReader(io.BytesIO(data)).pages)
    assert count >= 2
    first = run(pdftotext, "-layout", "-f", "1", "-l", "1", str(path), "-").strip().splitlines()[0]
    assert first.split()[0] != "1" and "UBND" in first
    for number in range(2, count + 1):
        top = (
            run(pdftotext, "-layout", "-f", str(number), "-l", str(number), str(path), "-")
            .strip()
            .splitlines()[0]
        )
        assert top.strip() == str(number), top


def test_the_motto_and_the_national_title_keep_the_decree_s_sizes(issued):
    html = render.render_template(
        "documents/official.html", c=normalized(issued.conclusion.content), fonts=""
    )
    assert re.search(r"\.motto \{ font-size: 14pt; font-weight: bold; display: inline-block; \}", html)
    assert ".nation { font-size: 13pt; font-weight: bold; white-space: nowrap; }" in html
    # The rule under the motto is the motto's own bottom border: exactly its length.
    assert ".motto { border-bottom:" in html
    assert "@page :first { @top-center { content: none; } }" in html


def test_the_conclusion_is_numbered_i_1_a_and_ends_with_the_closing_mark(issued):
    c = normalized(issued.conclusion.content)
    headings = [(s["level"], s["heading"]) for s in c["sections"]]
    assert [h for level, h in headings if level == 1] == [
        "I. KẾT QUẢ KIỂM TRA",
        "II. ƯU ĐIỂM",
        "III. TỒN TẠI, HẠN CHẾ",
        "IV. KIẾN NGHỊ, YÊU CẦU KHẮC PHỤC",
    ]
    areas = [h for level, h in headings if level == 2]
    assert areas and all(re.match(r"\d+\. ", h) for h in areas), areas
    results = [p for s in c["sections"] if s["level"] == 2 for p in s["paragraphs"]]
    assert all(re.match(r"[a-zđ]\) ", p) for p in results), results
    remedies = next(s for s in c["sections"] if s["heading"].startswith("IV."))["paragraphs"]
    assert remedies[0].startswith("1. Chấn chỉnh việc đeo thẻ công chức.") and not remedies[0].startswith(
        "- "
    )
    assert c["closing"][-1].endswith("./.")
    assert not any(s.get("hand") for s in c["signers"])
    assert c["signers"][0]["lines"] == ["TM. ĐOÀN KIỂM TRA", "TRƯỞNG ĐOÀN"]
    text = (
        words(" ".join(_pages(pdf_of(issued.conclusion, issued.subject)))) if render.pdf_available() else ""
    )
    assert "(Ký, ghi rõ họ tên)" not in text


def test_the_minutes_carry_their_legal_content_and_the_visit_s_date(issued):
    minutes = issued.documents[DocumentKind.MINUTES]
    c = normalized(minutes.content)
    text = words(
        " ".join(
            [
                *c["intro"],
                *(p for s in c["sections"] for p in [s["heading"], *s["paragraphs"]]),
                *c["closing"],
            ]
        )
    )
    visit_day = local_day(issued.visit.starts_at)
    month = f"{visit_day.month:02d}" if visit_day.month < 3 else str(visit_day.month)
    assert c["place_date"].endswith(f"ngày {visit_day:%d} tháng {month} năm {visit_day.year}")
    for expected in (
        "vào hồi 08 giờ 15 phút",
        "tại trụ sở UBND Quận Hà Đông",
        "1. Đại diện Đoàn kiểm tra",
        f"a) {issued.leader.full_name} - Trưởng đoàn",
        f"b) {issued.member.full_name} - Thành viên",
        "2. Đại diện Quận Hà Đông (đơn vị được kiểm tra)",
        "a) Nguyễn Văn An, Phó Chủ tịch UBND Quận;",
        "b) Trần Thị Bình, Chánh Văn phòng.",
        "II. NỘI DUNG KIỂM TRA",
        "III. KẾT QUẢ KIỂM TRA",
        "kết thúc vào hồi 11 giờ 40 phút cùng ngày",
        "đã được đọc lại cho những người tham dự cùng nghe",
        "lập thành 02 bản có giá trị như nhau, Đoàn kiểm tra giữ 01 bản, Quận Hà Đông giữ 01 bản./.",
    ):
        assert expected in text, expected
    for english in ("(head)", "(deputy)", "(member)", "(secretary)"):
        assert english not in text
    assert [s["lines"][0] for s in c["signers"]] == ["ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA", "TM. ĐOÀN KIỂM TRA"]
    assert [s["name"] for s in c["signers"]] == ["Nguyễn Văn An", issued.leader.full_name]


def test_minutes_without_a_representative_leave_it_to_be_written_in(make, db):
    field = fieldwork.build(make, db)
    save_visit_finding(
        field.visit,
        criterion_id=field.criteria(db)[0].id,
        result="compliant",
        expected_version=None,
        actor=field.leader,
    )
    minutes = generate_minutes(Subject(field.visit, None), actor=field.leader)
    c = content_of(minutes, Subject(field.visit, None))
    unit_side = next(s for s in c["sections"] if s["heading"].startswith("2. Đại diện"))
    assert unit_side["paragraphs"] == [
        "a) Ông (bà): ............................, chức vụ: ............................."
    ]
    assert c["signers"][0]["hand"] and c["signers"][0]["name"] == ""
    opened = field.visit.starts_at.astimezone(LOCAL_TZ)
    assert f"vào hồi {opened:%H} giờ {opened:%M} phút" in c["intro"][-1]


def test_the_leader_records_the_minutes_details_and_a_close_before_the_open_is_refused(
    make, db, client, login
):
    field = fieldwork.build(make, db)
    save_visit_finding(
        field.visit,
        criterion_id=field.criteria(db)[0].id,
        result="compliant",
        expected_version=None,
        actor=field.leader,
    )
    db.session.commit()
    login(field.leader.username)
    url = f"/documents/visit/{field.visit.id}/minutes"
    token = csrf_token(client, f"/visits/{field.visit.id}")
    refused = client.post(url, data={"csrf_token": token, "opened_at": "11:00", "closed_at": "08:00"})
    assert refused.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    done = client.post(
        url,
        data={
            "csrf_token": token,
            "opened_at": "08:30",
            "closed_at": "11:00",
            "representative": "Nguyễn Văn An",
            "representative_title": "Chủ tịch UBND Quận",
            "venue": "hội trường UBND Quận",
        },
    )
    assert done.status_code == 302
    minutes = db.session.scalar(sa.select(Document))
    assert (minutes.opened_at, minutes.closed_at, minutes.unit_representative) == (
        time(8, 30),
        time(11, 0),
        "Nguyễn Văn An",
    )
    page = client.get(f"/visits/{field.visit.id}").get_data(as_text=True)
    assert 'value="hội trường UBND Quận"' in page


def test_a_document_issued_under_the_first_layout_still_renders(issued):
    old = {
        "kind": "conclusion",
        "authority": "UBND THÀNH PHỐ HÀ NỘI",
        "issuer": "ĐOÀN 1",
        "motto": ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"],
        "symbol": "01/TB-ĐKT",
        "number": "Số: 01/TB-ĐKT",
        "place_date": "Hà Nội, ngày 14 tháng 10 năm 2019",
        "title": "THÔNG BÁO",
        "subtitle": "Kết luận kiểm tra",
        "intro": ["Thực hiện kế hoạch."],
        "sections": [{"heading": "I. KẾT QUẢ KIỂM TRA", "paragraphs": ["Đạt."]}],
        "recipients": ["Lưu: VT."],
        "signers": [["TM. ĐOÀN KIỂM TRA\nTRƯỞNG ĐOÀN", "Lê Minh Tuấn"]],
        "actions": [],
    }
    data = render.docx_bytes(old)[0]
    assert "TRƯỞNG ĐOÀN" in "\n".join(
        p.text for t in Docx(io.BytesIO(data)).tables for c in t._cells for p in c.paragraphs
    )
    if render.pdf_available():
        assert "- Đạt." in words(" ".join(_pages(render.pdf_bytes(old)[0])))


# --- DOCX ----------------------------------------------------------------------------------


def _cm(twips_or_emu: int) -> float:
    return twips_or_emu / 360000


def test_the_docx_header_keeps_the_national_title_on_one_line_with_rules_beneath(issued):
    doc = Docx(io.BytesIO(render.docx_bytes(issued.conclusion.content)[0]))
    header = doc.tables[0]
    widths = [_cm(cell.width) for cell in header.rows[0].cells]
    assert widths == pytest.approx([6.3, 10.2], abs=0.01)
    grid = [int(col.get(qn("w:w"))) / 1440 * 2.54 for col in header._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert grid == pytest.approx([6.3, 10.2], abs=0.01)
    assert header._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    left, right = header.rows[0].cells
    # The national title fits the right column: its width at 13 pt bold, from the font's metrics.
    assert render.text_width("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 13, face="Bold") < widths[1]
    assert [p.text for p in right.paragraphs] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        issued.conclusion.content["place_date"],
    ]
    assert left.paragraphs[0].text == "UBND THÀNH PHỐ HÀ NỘI", "no empty paragraph above the header"
    motto = right.paragraphs[1]
    assert motto.runs[0].font.size.pt == 14 and motto.runs[0].bold
    assert right.paragraphs[0].runs[0].font.size.pt == 13
    # The motto's rule: a bottom border between indents that leave the motto's own width.
    assert motto._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:val")) == "single"
    ruled = widths[1] - _cm(motto.paragraph_format.left_indent) - _cm(motto.paragraph_format.right_indent)
    assert ruled == pytest.approx(render.text_width("Độc lập - Tự do - Hạnh phúc", 14, face="Bold"), abs=0.15)
    # The issuer's: a drawn line under it, 1/3 to 1/2 of its line, not underlined text.
    issuer, rule = left.paragraphs[1], left.paragraphs[2]
    assert issuer.text == issued.conclusion.content["issuer"] and not issuer.runs[0].underline
    assert rule.text == "" and rule._p.pPr.find(qn("w:pBdr")) is not None
    line = widths[0] - _cm(rule.paragraph_format.left_indent) - _cm(rule.paragraph_format.right_indent)
    longest = render._longest_line(issuer.text, 12, widths[0])
    assert longest / 3 <= line <= longest / 2


def test_the_docx_body_signers_page_numbers_language_and_properties(issued):
    minutes = Docx(io.BytesIO(render.docx_bytes(issued.documents[DocumentKind.MINUTES].content)[0]))
    body = [p for p in minutes.paragraphs if p.text.startswith(("Căn cứ", "Hôm nay", "Buổi kiểm tra", "a) "))]
    assert body and all(abs(p.paragraph_format.first_line_indent - Cm(1)) < 1000 for p in body)
    # The two signers side by side: titles, signature spaces and names on rows of their own.
    signatures = minutes.tables[-1]
    titles, _space, names = ([c.text for c in row.cells] for row in signatures.rows)
    assert titles == ["ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA", "TM. ĐOÀN KIỂM TRA\nTRƯỞNG ĐOÀN"]
    assert names == ["Nguyễn Văn An", issued.leader.full_name]
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in signatures.rows)
    # A PAGE field in the header, none on the first page.
    section = minutes.sections[0]
    assert section.different_first_page_header_footer
    assert "PAGE" in "".join(t.text for t in section.header._element.iter(qn("w:instrText")))
    assert not "".join(p.text for p in section.first_page_header.paragraphs).strip()
    # Vietnamese, Times New Roman, in the styles and the document's defaults.
    normal = minutes.styles["Normal"].element.rPr
    assert normal.find(qn("w:lang")).get(qn("w:val")) == "vi-VN"
    assert normal.find(qn("w:rFonts")).get(qn("w:ascii")) == "Times New Roman"
    defaults = minutes.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:lang")).get(qn("w:val")) == "vi-VN"
    props = minutes.core_properties
    assert props.title.startswith(
        "Biên bản kiểm tra số 01/BB-ĐKT: Công tác cải cách hành chính tại Quận Hà Đông"
    )
    assert (props.author, props.language) == (issued.team.name, "vi-VN")
    assert props.author != "python-docx"
    conclusion = Docx(io.BytesIO(render.docx_bytes(issued.conclusion.content)[0]))
    texts = [p.text for p in conclusion.paragraphs if p.text]
    assert texts[-1].endswith("./.") and "(Ký, ghi rõ họ tên)" not in "\n".join(
        p.text for t in conclusion.tables for c in t._cells for p in c.paragraphs
    )
