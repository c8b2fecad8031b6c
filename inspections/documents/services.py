"""Issuing minutes and conclusion notices.

A document's number comes from the register of its issuing body (`numbering`), its text
from the findings (`content`). Minutes may be regenerated until the conclusion is issued;
an issued conclusion is frozen (its text kept as it was issued, its files stored by hash,
`storage`) and locks the findings. The unit hears of it through `ConclusionIssued`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import IO

from flask import current_app
from flask_babel import lazy_gettext as _l

from inspections import files
from inspections.audit.services import record
from inspections.auth.models import User
from inspections.cases import services as cases
from inspections.db import utcnow
from inspections.documents.content import build_content, content_of, findings_of, leader_name
from inspections.documents.models import Document, DocumentKind, DocumentStatus
from inspections.documents.numbering import issuer_code, next_number, symbol
from inspections.documents.signing import SignatureReport, verify
from inspections.documents.storage import keep_files
from inspections.errors import Conflict, InvalidInput
from inspections.events import ConclusionIssued, publish
from inspections.extensions import db
from inspections.findings.subject import Subject, documents_of
from inspections.i18n import local_day, today
from inspections.visits import services as visits


def default_place() -> str:
    return current_app.config.get("DOCUMENT_PLACE", "Hà Nội")


def _new_document(subject: Subject, kind: DocumentKind, *, place: str, actor: User, year: int) -> Document:
    """A numbered document, from the register of `year`."""
    if subject.team is None:
        raise InvalidInput(_l("Assign a team before writing documents."))
    register, number = next_number(issuer_code(subject.team), year)
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


@dataclass(frozen=True)
class MinutesDetails:
    """What the leader records of the visit for the minutes; empty values keep the visit's."""

    venue: str = ""
    opened_at: time | None = None
    closed_at: time | None = None
    representative: str = ""
    representative_title: str = ""
    participants: str = ""


def generate_minutes(subject: Subject, *, actor: User, details: MinutesDetails | None = None) -> Document:
    """Number the minutes (once) and mark the visit done; their text follows the findings
    until the conclusion is issued. `details` replace what the minutes record of the visit."""
    docs = documents_of(subject)
    conclusion = docs.get(DocumentKind.CONCLUSION)
    if conclusion is not None and conclusion.issued:
        raise Conflict(_l("The conclusion has been issued: the minutes can no longer change."))
    if not findings_of(subject):
        raise InvalidInput(_l("Record at least one finding before writing the minutes."))
    document = docs.get(DocumentKind.MINUTES)
    created = document is None
    if document is None:
        # Numbered in the register of the year it is registered in (it is dated by the visit).
        document = _new_document(
            subject, DocumentKind.MINUTES, place=default_place(), actor=actor, year=today().year
        )
    if details is not None:
        if details.opened_at and details.closed_at and details.closed_at <= details.opened_at:
            raise InvalidInput(_l("The visit must close after it opens."))
        document.venue = details.venue.strip() or None
        document.opened_at, document.closed_at = details.opened_at, details.closed_at
        document.unit_representative = details.representative.strip() or None
        document.unit_representative_title = details.representative_title.strip() or None
        document.unit_participants = details.participants.strip() or None
    if subject.visit is not None:
        visits.mark_visited(subject.visit)
    db.session.flush()
    record(
        "document.minutes",
        actor=actor,
        object_type="document",
        object_id=document.id,
        after={
            "symbol": document.symbol,
            "created": created,
            "venue": document.venue,
            "opened_at": document.opened_at.isoformat() if document.opened_at else None,
            "closed_at": document.closed_at.isoformat() if document.closed_at else None,
            "unit_representative": document.unit_representative,
        },
    )
    return document


def issue_conclusion(
    subject: Subject,
    *,
    actor: User,
    place: str | None = None,
    store_files: bool = True,
    now: datetime | None = None,
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
    issued_at = now or utcnow()
    document = _new_document(
        subject,
        DocumentKind.CONCLUSION,
        place=place or default_place(),
        actor=actor,
        year=local_day(issued_at).year,
    )
    minutes = docs.get(DocumentKind.MINUTES)
    content = build_content(
        subject,
        DocumentKind.CONCLUSION,
        symbol=document.symbol,
        place=document.place,
        day=local_day(issued_at),
        signer_name=document.signer_name,
        minutes_symbol=minutes.symbol if minutes is not None else None,
    )
    document.content = content
    document.status = DocumentStatus.ISSUED
    document.issued_at = issued_at
    document.issued_by_id = actor.id
    if store_files:
        keep_files(document, content)
    if minutes is not None and minutes.content is None:
        # The minutes are final with the conclusion: frozen, and signed with it.
        minutes.content = content_of(minutes, subject)
        minutes.status = DocumentStatus.ISSUED
        minutes.issued_at, minutes.issued_by_id = issued_at, actor.id
        if store_files:
            keep_files(minutes, minutes.content)
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
            "signed_at": document.signed_at.isoformat() if document.signed_at else None,
            "certificate": document.signature_subject,
        },
    )
    publish(ConclusionIssued(document.id))
    return document


def verify_upload(*, stream: IO[bytes] | None, filename: str | None) -> list[SignatureReport]:
    """The signatures of an uploaded PDF, checked; the file is read and nothing is kept."""
    if stream is None:
        raise InvalidInput(_l("Choose a file to upload."))
    checked = files.check_upload(stream, filename)
    if checked.content_type != "application/pdf":
        raise InvalidInput(_l("Send a PDF file: only PDF documents carry a digital signature here."))
    return verify(checked.data)
