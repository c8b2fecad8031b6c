"""Issuing minutes and conclusion notices.

A document's number comes from the register of its issuing body (`numbering`), its text
from the findings (`content`). Minutes may be regenerated until the conclusion is issued;
an issued conclusion is frozen (its text kept as it was issued, its files stored by hash,
`storage`) and locks the findings. The unit hears of it through `ConclusionIssued`.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from inspections.audit.services import record
from inspections.auth.models import User
from inspections.cases import services as cases
from inspections.db import utcnow
from inspections.documents.content import build_content, content_of, findings_of, leader_name
from inspections.documents.models import Document, DocumentKind, DocumentStatus
from inspections.documents.numbering import issuer_code, next_number, symbol
from inspections.documents.storage import keep_files
from inspections.errors import Conflict, InvalidInput
from inspections.events import ConclusionIssued, publish
from inspections.extensions import db
from inspections.findings.subject import Subject, documents_of
from inspections.i18n import local_day, today
from inspections.visits import services as visits


def default_place() -> str:
    return current_app.config.get("DOCUMENT_PLACE", "Hà Nội")


def _new_document(subject: Subject, kind: DocumentKind, *, place: str, actor: User) -> Document:
    if subject.team is None:
        raise InvalidInput(_l("Assign a team before writing documents."))
    register, number = next_number(issuer_code(subject.team), today().year)
    document = Document(
        kind=kind,
        visit_id=subject.visit.id if subject.visit else None,
        case_id=subject.case.id if subject.case else None,
        register_id=register.id,
        number=number,
        symbol=symbol(kind, number),
        place=place,
        signer_name=leader_name(subject.team),
        created_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    return document


def generate_minutes(subject: Subject, *, actor: User) -> Document:
    """Number the minutes (once) and mark the visit done; their text follows the findings
    until the conclusion is issued."""
    docs = documents_of(subject)
    conclusion = docs.get(DocumentKind.CONCLUSION)
    if conclusion is not None and conclusion.issued:
        raise Conflict(_l("The conclusion has been issued: the minutes can no longer change."))
    if not findings_of(subject):
        raise InvalidInput(_l("Record at least one finding before writing the minutes."))
    document = docs.get(DocumentKind.MINUTES)
    created = document is None
    if document is None:
        document = _new_document(subject, DocumentKind.MINUTES, place=default_place(), actor=actor)
    if subject.visit is not None:
        visits.mark_visited(subject.visit)
    db.session.flush()
    record(
        "document.minutes",
        actor=actor,
        object_type="document",
        object_id=document.id,
        after={"symbol": document.symbol, "created": created},
    )
    return document


def issue_conclusion(
    subject: Subject, *, actor: User, place: str | None = None, store_files: bool = True
) -> Document:
    """Issue the conclusion: numbered, frozen, findings locked, announced to the unit.

    The text is frozen in `content`; with `store_files` the PDF and DOCX made now are kept
    too (without, they are made from the frozen text when asked for).
    """
    docs = documents_of(subject)
    if DocumentKind.CONCLUSION in docs:
        raise Conflict(_l("The conclusion has already been issued."))
    if not findings_of(subject):
        raise InvalidInput(_l("Record at least one finding before issuing the conclusion."))
    document = _new_document(subject, DocumentKind.CONCLUSION, place=place or default_place(), actor=actor)
    issued_at = utcnow()
    content = build_content(
        subject,
        DocumentKind.CONCLUSION,
        symbol=document.symbol,
        place=document.place,
        day=local_day(issued_at),
        signer_name=document.signer_name,
    )
    document.content = content
    document.status = DocumentStatus.ISSUED
    document.issued_at = issued_at
    document.issued_by_id = actor.id
    if store_files:
        keep_files(document, content)
    minutes = docs.get(DocumentKind.MINUTES)
    if minutes is not None and minutes.content is None:
        minutes.content = content_of(minutes, subject)
        minutes.status = DocumentStatus.ISSUED
    if subject.visit is not None:
        visits.mark_concluded(subject.visit.inspection)
    else:
        cases.mark_concluded(subject.case)  # type: ignore[arg-type]
    db.session.flush()
    record(
        "document.issue",
        actor=actor,
        object_type="document",
        object_id=document.id,
        after={
            "symbol": document.symbol,
            "kind": document.kind,
            "pdf": document.pdf_sha256,
            "docx": document.docx_sha256,
        },
    )
    publish(ConclusionIssued(document.id))
    return document
