"""An issued document's files, kept by content hash in the upload store; a draft's are made
when asked for."""

from __future__ import annotations

from typing import Any

from inspections import files
from inspections.documents import render
from inspections.documents.content import content_of
from inspections.documents.models import Document, DocumentKind
from inspections.findings.subject import Subject

FOLDER = "documents"


REASONS = {
    DocumentKind.MINUTES: "Ký biên bản kiểm tra",
    DocumentKind.CONCLUSION: "Ban hành thông báo kết luận kiểm tra",
}


def keep_files(document: Document, content: dict[str, Any]) -> None:
    """Render the frozen text once and keep the DOCX, and, where Pango is present, the PDF
    signed with the issuing body's certificate."""
    docx, docx_hash = render.docx_bytes(content)
    files.store(docx, docx_hash, folder=FOLDER)
    document.docx_sha256 = docx_hash
    if render.pdf_available():
        sign = render.SignWith(
            signer_name=document.signer_name, reason=REASONS[document.kind], location=document.place
        )
        pdf, pdf_hash, signed = render.signed_pdf(content, sign)
        files.store(pdf, pdf_hash, folder=FOLDER)
        document.pdf_sha256 = pdf_hash
        document.signed_at, document.signature_subject = signed.signed_at, signed.subject[:255]


def _kept(sha256: str | None) -> bytes | None:
    if not sha256:
        return None
    path = files.storage_path(sha256, FOLDER)
    return path.read_bytes() if path.exists() else None


def pdf_of(document: Document, subject: Subject) -> bytes | None:
    """The kept PDF, or one made now; None when this server cannot make PDF."""
    kept = _kept(document.pdf_sha256)
    if kept is not None:
        return kept
    if not render.pdf_available():
        return None
    return render.pdf_bytes(content_of(document, subject))[0]


def docx_of(document: Document, subject: Subject) -> bytes:
    kept = _kept(document.docx_sha256)
    return kept if kept is not None else render.docx_bytes(content_of(document, subject))[0]
