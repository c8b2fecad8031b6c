"""The Decree 30/2020/NĐ-CP layout, as PDF (WeasyPrint) and DOCX (python-docx).

WeasyPrint needs the Pango system library. Without it the application still runs: PDF is
reported unavailable and DOCX, which needs nothing from the system, still works.
"""

from __future__ import annotations

import hashlib
import io
import logging
from functools import lru_cache
from typing import Any

from docx import Document as Docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from flask import render_template

log = logging.getLogger(__name__)

FONT = "Times New Roman"  # Decree 30's font; the PDF falls back to a serif with Vietnamese glyphs


@lru_cache(maxsize=1)
def pdf_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:  # OSError: the Pango library could not be loaded
        log.warning("PDF output unavailable: %s", exc)
        return False
    return True


def pdf_bytes(content: dict[str, Any]) -> tuple[bytes, str]:
    from weasyprint import HTML  # here, not at the top: the app runs without Pango

    html = render_template("documents/official.html", c=content)
    data = HTML(string=html).write_pdf()
    return data, hashlib.sha256(data).hexdigest()


def docx_bytes(content: dict[str, Any]) -> tuple[bytes, str]:
    doc = Docx()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)

    def para(
        cell_or_doc: Any,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        size: float = 13,
        align: Any = WD_ALIGN_PARAGRAPH.CENTER,
        underline: bool = False,
    ) -> None:
        p = cell_or_doc.add_paragraph()
        p.alignment = align
        run = p.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        run.font.size = Pt(size)
        run.font.name = FONT

    header = doc.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = header.rows[0].cells
    left.paragraphs[0].text = ""
    para(left, content["authority"], size=12)
    para(left, content["issuer"], bold=True, size=12, underline=True)
    para(left, content["number"], size=13)
    para(right, content["motto"][0], bold=True, size=12)
    para(right, content["motto"][1], bold=True, size=13, underline=True)
    para(right, content["place_date"], italic=True, size=13)

    para(doc, content["title"], bold=True, size=14)
    para(doc, content["subtitle"], bold=True, size=14)
    body = WD_ALIGN_PARAGRAPH.JUSTIFY
    for text in content["intro"]:
        para(doc, text, size=14, align=body)
    for sec in content["sections"]:
        para(doc, sec["heading"], bold=True, size=14, align=body)
        for text in sec["paragraphs"]:
            para(doc, f"- {text}", size=14, align=body)

    footer = doc.add_table(rows=1, cols=2)
    to, sign = footer.rows[0].cells
    para(to, "Nơi nhận:", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in content["recipients"]:
        para(to, f"- {line}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    for title, name in content["signers"]:
        for line in title.split("\n"):
            para(sign, line, bold=True, size=13)
        para(sign, "(Ký, ghi rõ họ tên)", italic=True, size=12)
        para(sign, "\n\n", size=12)
        para(sign, name, bold=True, size=13)
    buffer = io.BytesIO()
    doc.save(buffer)
    data = buffer.getvalue()
    return data, hashlib.sha256(data).hexdigest()
