"""The Decree 30/2020/NĐ-CP layout, as PDF/A-3b (WeasyPrint) and DOCX (python-docx).

Font: Times New Roman, the Decree's, where the system has it; otherwise Liberation Serif
2.1.5, which ships with the application (`fonts/`, SIL OFL): it is metric-compatible with
Times New Roman (every glyph as wide), so lines and pages break where they would in Times
New Roman, and it has every Vietnamese letter. The DOCX names Times New Roman; a word
processor without it substitutes its metric twin the same way.

WeasyPrint needs the Pango system library. Without it the application still runs: PDF is
reported unavailable and DOCX, which needs nothing from the system, still works.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from docx import Document as Docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from flask import render_template
from fontTools.ttLib import TTFont
from markupsafe import Markup, escape

from inspections.documents import signing
from inspections.documents.content import normalized

log = logging.getLogger(__name__)

FONT = "Times New Roman"  # the Decree's font
FONT_DIR = Path(__file__).parent / "fonts"
FACES = (
    ("Regular", "normal", "normal"),
    ("Bold", "bold", "normal"),
    ("Italic", "normal", "italic"),
    ("BoldItalic", "bold", "italic"),
)
PDF_VARIANT = "pdf/a-3b"
SIGNATURE_ANCHOR = "chu-ky-so"
LANGUAGE = "vi-VN"

# The page: A4, margins of the Decree (top and bottom 2 cm, left 3 cm, right 1.5 cm).
PAGE_WIDTH, TEXT_WIDTH = 21.0, 16.5
HEADER_LEFT, HEADER_RIGHT = 6.3, 10.2  # cm; the right holds the national title at 13 pt
SIZES = {"authority": 12, "issuer": 12, "number": 13, "nation": 13, "motto": 14, "place": 14, "body": 14}


@lru_cache(maxsize=1)
def pdf_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:  # OSError: the Pango library could not be loaded
        log.warning("PDF output unavailable: %s", exc)
        return False
    return True


def font_faces() -> str:
    """@font-face rules for the bundled Liberation Serif (used where Times New Roman is not)."""
    rules = []
    for name, weight, style in FACES:
        url = (FONT_DIR / f"LiberationSerif-{name}.ttf").as_uri()
        rules.append(
            f'@font-face {{ font-family: "Liberation Serif"; src: url("{url}"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


# Numbers and codes that must not break across lines: "01/BB-ĐKT", "I.1", "15/03/2019".
_CODE = re.compile(r"\S*\w[/.]\w\S*")


def nobreak(text: str) -> Markup:
    """The text, HTML-escaped, with its numbers and codes kept on one line."""
    wrapped = _CODE.sub(lambda m: f'<span class="nb">{m.group(0)}</span>', str(escape(text)))
    return Markup(wrapped)  # noqa: S704 - the text was escaped first


@lru_cache(maxsize=4)
def _metrics(face: str) -> tuple[dict[int, str], Any, int]:
    font = TTFont(str(FONT_DIR / f"LiberationSerif-{face}.ttf"))
    return font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm


def text_width(text: str, size: float, *, face: str = "Regular") -> float:
    """The width of `text` in cm, from the metrics Times New Roman and Liberation Serif share."""
    cmap, hmtx, units = _metrics(face)
    advance = sum(hmtx[cmap[ord(ch)]][0] for ch in unicodedata.normalize("NFC", text) if ord(ch) in cmap)
    return advance / units * size / 72 * 2.54


# --- PDF -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignWith:
    """Sign the PDF in the team's signature block: on whose behalf, why, where."""

    signer_name: str
    reason: str
    location: str


def _add_language(metadata: Any, language: str) -> None:
    """WeasyPrint writes no dc:language into the XMP packet; PDF/A readers look for it."""
    plain = metadata.generate_rdf_metadata
    rdf_ns, dc_ns = "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://purl.org/dc/elements/1.1/"

    def generate(variant: Any, version: Any, conformance: Any) -> bytes:
        rdf = ElementTree.fromstring(plain(variant, version, conformance))  # noqa: S314 - our own XML
        description = ElementTree.SubElement(rdf, f"{{{rdf_ns}}}Description", {f"{{{rdf_ns}}}about": ""})
        bag = ElementTree.SubElement(
            ElementTree.SubElement(description, f"{{{dc_ns}}}language"), f"{{{rdf_ns}}}Bag"
        )
        ElementTree.SubElement(bag, f"{{{rdf_ns}}}li").text = language
        return ElementTree.tostring(rdf, encoding="utf-8")

    metadata.generate_rdf_metadata = generate


def _placement(document: Any) -> signing.Placement | None:
    """The team's signature space, from the anchor the template puts there."""
    for index, page in enumerate(document.pages):
        if SIGNATURE_ANCHOR in page.anchors:
            # The space's hit area, in CSS px from the page's top left; PDF points from the
            # bottom left.
            x1, y1, x2, y2 = page.anchors[SIGNATURE_ANCHOR]
            height = page.height * 0.75
            return signing.Placement(index, (x1 * 0.75, height - y2 * 0.75, x2 * 0.75, height - y1 * 0.75))
    return None


def _render(content: dict[str, Any]) -> Any:
    """The laid-out document, with its metadata set (title, author, subject, language)."""
    html = render_template("documents/official.html", c=content, fonts=font_faces())
    return _laid_out(html, content["meta"], content.get("date"))


def _laid_out(html: str, meta: dict[str, Any], when: Any = None) -> Any:
    from weasyprint import HTML  # here, not at the top: the app runs without Pango

    document = HTML(string=html, base_url=str(FONT_DIR)).render()
    document.metadata.title = meta["title"]
    document.metadata.authors = [meta["author"]]
    document.metadata.description = meta.get("subject", "")
    document.metadata.lang = meta.get("language", "vi")
    if when:
        document.metadata.created = document.metadata.modified = when
    _add_language(document.metadata, meta.get("language", "vi"))
    return document


def report_pdf(html: str, meta: dict[str, Any]) -> bytes:
    """A report (not an official document: no number, no signature) as PDF/A-3b, in the
    documents' fonts; `meta` holds its title, author and language."""
    return _laid_out(html, meta).write_pdf(pdf_variant=PDF_VARIANT)


def pdf_bytes(content: dict[str, Any]) -> tuple[bytes, str]:
    """The document as PDF/A-3b: fonts embedded, XMP title, author and language."""
    data = _render(normalized(content)).write_pdf(pdf_variant=PDF_VARIANT)
    return data, hashlib.sha256(data).hexdigest()


def signed_pdf(content: dict[str, Any], sign: SignWith) -> tuple[bytes, str, signing.Signed]:
    """The PDF/A document signed (PAdES) in the team's signature block."""
    document = _render(normalized(content))
    placement = _placement(document)
    if placement is None:  # pragma: no cover - the template always has the anchor
        raise RuntimeError("the document has no signature space")
    signed = signing.sign(
        document.write_pdf(pdf_variant=PDF_VARIANT),
        placement,
        signer_name=sign.signer_name,
        reason=sign.reason,
        location=sign.location,
    )
    return signed.data, hashlib.sha256(signed.data).hexdigest(), signed


# --- DOCX ----------------------------------------------------------------------------------


def _set_language_and_font(rpr: Any) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attribute), LANGUAGE)


def _border(paragraph: Any, side: str = "bottom") -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{side}")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        line.set(qn(key), value)
    borders.append(line)
    ppr.append(borders)


def _fixed_table(table: Any, widths: list[float], *, margins: float = 0.0) -> None:
    """Fixed column widths (Word otherwise autofits and splits them evenly)."""
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(int(sum(widths) / 2.54 * 1440)))
    width.set(qn("w:type"), "dxa")
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    tbl_pr.append(width)
    cell_margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(int(margins / 2.54 * 1440)))
        margin.set(qn("w:type"), "dxa")
        cell_margins.append(margin)
    tbl_pr.append(cell_margins)
    for column, w in zip(table.columns, widths, strict=True):
        column.width = Cm(w)
        for cell in column.cells:
            cell.width = Cm(w)
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        cant_split = OxmlElement("w:cantSplit")
        tr_pr.append(cant_split)


def _page_number_header(section: Any) -> None:
    """A PAGE field centred in the header, from page 2 (the first page's header is empty)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    run.font.size = Pt(SIZES["body"])
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text.strip() == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            shown = OxmlElement("w:t")
            shown.text = text
            run._r.append(shown)


class _Writer:
    """Paragraphs in the Decree's type: one helper, so every run has the font and size."""

    def __init__(self) -> None:
        self.doc = Docx()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_height, section.page_width = Cm(29.7), Cm(PAGE_WIDTH)
        section.top_margin, section.bottom_margin = Cm(2), Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(1.5)
        section.header_distance = Cm(1)
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(SIZES["body"])
        normal.paragraph_format.space_after = Pt(0)
        normal.paragraph_format.space_before = Pt(0)
        _set_language_and_font(normal.element.get_or_add_rPr())
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
            if rpr is not None:
                _set_language_and_font(rpr)
        _page_number_header(section)

    def para(
        self,
        where: Any,
        text: str,
        *,
        size: float = SIZES["body"],
        bold: bool = False,
        italic: bool = False,
        align: Any = WD_ALIGN_PARAGRAPH.CENTER,
        indent: bool = False,
        after: float = 0,
        before: float = 0,
        first: bool = False,
        keep: bool = False,
    ) -> Any:
        """A paragraph in `where` (the document or a cell; `first`: the cell's own first
        paragraph, so that no empty one is left above)."""
        paragraph = where.paragraphs[0] if first else where.add_paragraph()
        paragraph.alignment = align
        fmt = paragraph.paragraph_format
        fmt.space_after, fmt.space_before = Pt(after), Pt(before)
        if indent:
            fmt.first_line_indent = Cm(1)
        if keep:
            fmt.keep_with_next = True
        fmt.keep_together = True
        if text:
            run = paragraph.add_run(text)
            run.bold, run.italic = bold, italic
            run.font.size = Pt(size)
            run.font.name = FONT
        return paragraph

    def rule(
        self,
        where: Any,
        length: float,
        cell_width: float,
        *,
        size: float = 2,
        before: float = 0,
        after: float = 0,
    ) -> None:
        """A drawn horizontal line `length` cm long, centred in `cell_width`: a paragraph
        border between indents."""
        paragraph = self.para(where, "", size=size, before=before, after=after)
        side = max((cell_width - length) / 2, 0)
        paragraph.paragraph_format.left_indent = Cm(side)
        paragraph.paragraph_format.right_indent = Cm(side)
        paragraph.paragraph_format.line_spacing = Pt(size)
        _border(paragraph)

    def underlined(self, where: Any, text: str, *, size: float, cell_width: float, before: float = 0) -> None:
        """Bold text with a rule beneath as long as the text (the motto)."""
        paragraph = self.para(where, text, size=size, bold=True, before=before)
        side = max((cell_width - text_width(text, size, face="Bold")) / 2 - 0.05, 0)
        paragraph.paragraph_format.left_indent = Cm(side)
        paragraph.paragraph_format.right_indent = Cm(side)
        _border(paragraph)


def _longest_line(text: str, size: float, width: float, face: str = "Bold") -> float:
    """The width of the longest line `text` wraps to in `width` cm (greedy, as Word does)."""
    longest, line = 0.0, ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if text_width(candidate, size, face=face) > width and line:
            longest = max(longest, text_width(line, size, face=face))
            line = word
        else:
            line = candidate
    return max(longest, text_width(line, size, face=face))


def docx_bytes(content: dict[str, Any]) -> tuple[bytes, str]:
    content = normalized(content)
    w = _Writer()
    doc = w.doc

    header = doc.add_table(rows=1, cols=2)
    _fixed_table(header, [HEADER_LEFT, HEADER_RIGHT])
    left, right = header.rows[0].cells
    w.para(left, content["authority"], size=SIZES["authority"], first=True)
    w.para(left, content["issuer"], size=SIZES["issuer"], bold=True)
    issuer_line = _longest_line(content["issuer"], SIZES["issuer"], HEADER_LEFT)
    w.rule(left, issuer_line * 0.4, HEADER_LEFT)
    w.para(left, content["number"], size=SIZES["number"], before=4)
    w.para(right, content["motto"][0], size=SIZES["nation"], bold=True, first=True)
    w.underlined(right, content["motto"][1], size=SIZES["motto"], cell_width=HEADER_RIGHT)
    w.para(right, content["place_date"], size=SIZES["place"], italic=True, before=6)

    w.para(doc, content["title"], bold=True, before=18)
    w.para(doc, content["subtitle"], bold=True)
    w.rule(doc, _longest_line(content["subtitle"], SIZES["body"], 15) * 0.4, TEXT_WIDTH, before=3, after=12)

    body = WD_ALIGN_PARAGRAPH.JUSTIFY
    for text_ in content["intro"]:
        w.para(doc, text_, align=body, indent=True, after=6)
    for sec in content["sections"]:
        w.para(doc, sec["heading"], bold=True, align=body, indent=True, after=6, before=6, keep=True)
        for text_ in sec["paragraphs"]:
            w.para(doc, text_, align=body, indent=True, after=6)
    closing = content.get("closing", [])
    for i, text_ in enumerate(closing):
        w.para(doc, text_, align=body, indent=True, after=6, keep=i == len(closing) - 1)

    # Rows for the titles, the signature space and the names: names side by side stand on
    # one line whatever their titles; no row splits across pages.
    signers = content["signers"]
    if len(signers) > 1:
        table = doc.add_table(rows=3, cols=len(signers))
        _fixed_table(table, [TEXT_WIDTH / len(signers)] * len(signers))
        for column, signer in enumerate(signers):
            _signer(w, [row.cells[column] for row in table.rows], signer)
        _recipients(w, doc, content, first=False)
    else:
        table = doc.add_table(rows=3, cols=2)
        _fixed_table(table, [7.4, TEXT_WIDTH - 7.4])
        to = table.cell(0, 0).merge(table.cell(2, 0))
        _recipients(w, to, content, first=True)
        _signer(w, [row.cells[1] for row in table.rows], signers[0])
        w.para(doc, "", size=2)  # Word wants a paragraph after the last table

    properties = doc.core_properties
    meta = content["meta"]
    properties.title = meta["title"]
    properties.author = meta["author"]
    properties.subject = meta["subject"]
    properties.language = LANGUAGE
    properties.last_modified_by = meta["author"]
    properties.comments = "Thể thức theo Nghị định 30/2020/NĐ-CP, Phụ lục I"
    if content.get("date"):
        day = date.fromisoformat(content["date"])
        properties.created = properties.modified = datetime(day.year, day.month, day.day, 12, 0)
    buffer = io.BytesIO()
    doc.save(buffer)
    data = buffer.getvalue()
    return data, hashlib.sha256(data).hexdigest()


def _signer(w: _Writer, cells: list[Any], signer: dict[str, Any]) -> None:
    """Title lines (13 pt, as in the PDF), the signature space, the name (14 pt)."""
    titles, space, name = cells
    for i, line in enumerate(signer["lines"]):
        w.para(titles, line, bold=True, size=13, first=i == 0, keep=True)
    if signer.get("hand"):
        w.para(titles, "(Ký, ghi rõ họ tên)", italic=True, size=13, keep=True)
    w.para(space, "", first=True, keep=True).paragraph_format.space_after = Pt(60)
    w.para(name, signer["name"], bold=True, first=True)


def _recipients(w: _Writer, where: Any, content: dict[str, Any], *, first: bool) -> None:
    w.para(
        where,
        "Nơi nhận:",
        size=12,
        bold=True,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        first=first,
        before=0 if first else 12,
    )
    for line in content["recipients"]:
        w.para(where, f"- {line}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
