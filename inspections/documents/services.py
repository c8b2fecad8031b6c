"""Minutes and conclusion notices: numbered from a register, built from the findings.

A document's number comes from the register of its issuing body (the inspection team)
for the year. Minutes may be regenerated until the conclusion is issued; an issued
conclusion is frozen (its text is kept as it was issued, its files stored by hash), locks
the findings, and goes to the unit's contacts through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from inspections.audit.services import record
from inspections.auth.models import User
from inspections.cases.models import Case, CaseStatus
from inspections.db import utcnow
from inspections.documents import render
from inspections.documents.models import Document, DocumentKind, DocumentRegister, DocumentStatus
from inspections.errors import Conflict, InvalidInput
from inspections.extensions import db
from inspections.files import store
from inspections.findings.checklists import area_of
from inspections.findings.models import Criterion, Finding, FindingResult
from inspections.notifications.services import enqueue
from inspections.plans.models import Plan
from inspections.remediation.models import CorrectiveAction
from inspections.remediation.services import today_in_vietnam
from inspections.teams.models import Team
from inspections.units.models import Unit, UnitContact
from inspections.visits.models import InspectionStatus, Visit, VisitStatus

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
SYMBOLS = {DocumentKind.MINUTES: "BB", DocumentKind.CONCLUSION: "TB"}
RESULT_VI = {
    FindingResult.COMPLIANT: "Đạt yêu cầu",
    FindingResult.NON_COMPLIANT: "Chưa đạt yêu cầu",
    FindingResult.OBSERVATION: "Lưu ý",
    FindingResult.GOOD_PRACTICE: "Cách làm hay",
    FindingResult.NOT_APPLICABLE: "Không áp dụng",
}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


@dataclass(frozen=True)
class Subject:
    """What a document is about: a visit of an inspection, or a case."""

    visit: Visit | None
    case: Case | None

    @property
    def team(self) -> Team | None:
        return self.visit.inspection.team if self.visit else self.case.team  # type: ignore[union-attr]

    @property
    def unit(self) -> Unit:
        return self.visit.inspection.unit if self.visit else self.case.unit  # type: ignore[union-attr]

    @property
    def plan(self) -> Plan:
        return self.visit.inspection.plan if self.visit else self.case.plan  # type: ignore[union-attr]

    def where(self) -> sa.ColumnElement[bool]:
        if self.visit is not None:
            return Document.visit_id == self.visit.id
        return Document.case_id == self.case.id  # type: ignore[union-attr]

    def finding_filter(self) -> sa.ColumnElement[bool]:
        if self.visit is not None:
            return Finding.visit_id == self.visit.id
        return Finding.case_id == self.case.id  # type: ignore[union-attr]


def authority() -> str:
    return current_app.config.get("DOCUMENT_AUTHORITY", "UBND THÀNH PHỐ HÀ NỘI")


def default_place() -> str:
    return current_app.config.get("DOCUMENT_PLACE", "Hà Nội")


def issuer_code(team: Team) -> str:
    return f"team-{team.id}"


def next_number(issuer: str, year: int) -> tuple[DocumentRegister, int]:
    """Take the next number of the register; the row lock serialises concurrent issues."""
    query = sa.select(DocumentRegister).where(
        DocumentRegister.issuer_code == issuer, DocumentRegister.year == year
    )
    register = db.session.scalar(query.with_for_update())
    if register is None:
        try:
            with db.session.begin_nested():
                db.session.add(DocumentRegister(issuer_code=issuer, year=year, last_number=0))
        except sa.exc.IntegrityError:
            pass
        register = db.session.scalar(query.with_for_update())
    if register is None:  # pragma: no cover - the insert above or a concurrent one made it
        raise RuntimeError("document register row missing")
    register.last_number += 1
    db.session.flush()
    return register, register.last_number


def documents_of(subject: Subject) -> dict[DocumentKind, Document]:
    return {d.kind: d for d in db.session.scalars(sa.select(Document).where(subject.where()))}


def vietnamese_date(day: date, place: str) -> str:
    """Decree 30 style: days below 10 and months below 3 get a leading zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _findings(subject: Subject) -> list[Finding]:
    return list(
        db.session.scalars(
            sa.select(Finding)
            .where(subject.finding_filter())
            .options(selectinload(Finding.criterion))
            .order_by(Finding.id)
        )
    )


def _actions(findings: list[Finding]) -> list[CorrectiveAction]:
    ids = [f.id for f in findings]
    return list(
        db.session.scalars(
            sa.select(CorrectiveAction)
            .where(CorrectiveAction.finding_id.in_(ids))
            .order_by(CorrectiveAction.id)
        )
    )


def _finding_line(finding: Finding) -> str:
    head = f"{finding.criterion.code} {finding.criterion.text_vi}: " if finding.criterion else ""
    text = f" {finding.text.strip()}" if finding.text.strip() else ""
    return f"{head}{RESULT_VI[finding.result]}.{text}"


def _by_area(findings: list[Finding]) -> list[dict[str, Any]]:
    template_ids = {f.criterion.template_id for f in findings if f.criterion}
    criteria = list(db.session.scalars(sa.select(Criterion).where(Criterion.template_id.in_(template_ids))))
    areas = area_of(criteria)
    sections: dict[int, dict[str, Any]] = {}
    free = []
    for finding in findings:
        if finding.criterion is None:
            free.append(_finding_line(finding))
            continue
        area = areas[finding.criterion.id]
        sections.setdefault(area.position, {"heading": f"{area.code}. {area.text_vi}", "paragraphs": []})
        sections[area.position]["paragraphs"].append(_finding_line(finding))
    result = [sections[k] for k in sorted(sections)]
    if free:
        result.append({"heading": "Nội dung khác", "paragraphs": free})
    return result


def _leader(team: Team | None) -> str:
    if team is None:
        return ""
    return team.head.user.full_name if team.head else ""


def build_content(
    subject: Subject, kind: DocumentKind, *, symbol: str, place: str, day: date, signer_name: str
) -> dict[str, Any]:
    """The document's text, as JSON: what is rendered to PDF and DOCX and kept when issued."""
    team, unit = subject.team, subject.unit
    findings = _findings(subject)
    actions = _actions(findings)
    about = (
        f"vụ việc {subject.case.reference}: {subject.case.title}"  # type: ignore[union-attr]
        if subject.case
        else "công tác cải cách hành chính"
    )
    decision = f" theo Quyết định số {team.decision_number}" if team and team.decision_number else ""
    intro = [
        f"Thực hiện {subject.plan.title}{decision}, {team.name if team else 'Đoàn kiểm tra'} "
        f"đã kiểm tra {about} tại {unit.name}."
    ]
    sections = _by_area(findings)
    if kind == DocumentKind.MINUTES:
        title, subtitle = "BIÊN BẢN KIỂM TRA", f"{about[:1].upper()}{about[1:]} tại {unit.name}"
        members = [f"{m.user.full_name} ({m.role.value})" for m in team.memberships] if team else []
        intro.append("Thành phần Đoàn kiểm tra: " + "; ".join(members) + ".")
        intro.append(f"Đại diện đơn vị được kiểm tra: {unit.name}.")
        sections = [{"heading": "KẾT QUẢ KIỂM TRA", "paragraphs": []}, *sections]
        signers = [("ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA", ""), ("TRƯỞNG ĐOÀN KIỂM TRA", signer_name)]
        recipients = [f"{unit.name};", "Lưu: Đoàn kiểm tra."]
    else:
        title, subtitle = "THÔNG BÁO", f"Kết luận kiểm tra {about} tại {unit.name}"
        good = [_finding_line(f) for f in findings if f.result == FindingResult.GOOD_PRACTICE]
        bad = [_finding_line(f) for f in findings if f.result == FindingResult.NON_COMPLIANT]
        sections = [{"heading": "I. KẾT QUẢ KIỂM TRA", "paragraphs": []}, *sections]
        sections.append({"heading": "II. ƯU ĐIỂM", "paragraphs": good or ["Không có."]})
        sections.append({"heading": "III. TỒN TẠI, HẠN CHẾ", "paragraphs": bad or ["Không có."]})
        sections.append(
            {
                "heading": "IV. KIẾN NGHỊ, YÊU CẦU KHẮC PHỤC",
                "paragraphs": [
                    f"{i}. {a.description} Thời hạn hoàn thành: {a.due_on:%d/%m/%Y}."
                    for i, a in enumerate(actions, 1)
                ]
                or ["Không có."],
            }
        )
        signers = [("TM. ĐOÀN KIỂM TRA\nTRƯỞNG ĐOÀN", signer_name)]
        recipients = [f"{unit.name};", "Sở Nội vụ;", "Lưu: VT, Đoàn kiểm tra."]
    return {
        "kind": kind.value,
        "authority": authority(),
        "issuer": (team.name if team else "Đoàn kiểm tra").upper(),
        "motto": list(MOTTO),
        "number": f"Số: {symbol}",
        "place_date": vietnamese_date(day, place),
        "title": title,
        "subtitle": subtitle,
        "intro": intro,
        "sections": sections,
        "recipients": recipients,
        "signers": [list(s) for s in signers],
        "actions": [{"description": a.description, "due_on": a.due_on.isoformat()} for a in actions],
    }


def _new_document(subject: Subject, kind: DocumentKind, *, place: str, actor: User) -> Document:
    if subject.team is None:
        raise InvalidInput(_l("Assign a team before writing documents."))
    day = today_in_vietnam()
    register, number = next_number(issuer_code(subject.team), day.year)
    document = Document(
        kind=kind,
        visit_id=subject.visit.id if subject.visit else None,
        case_id=subject.case.id if subject.case else None,
        register_id=register.id,
        number=number,
        symbol=f"{number:02d}/{SYMBOLS[kind]}-ĐKT",
        place=place,
        signer_name=_leader(subject.team),
        created_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    return document


def _locked(subject: Subject) -> bool:
    doc = documents_of(subject).get(DocumentKind.CONCLUSION)
    return doc is not None and doc.issued


def generate_minutes(subject: Subject, *, actor: User) -> Document:
    """Number the minutes (once) and mark the visit done; their text follows the findings
    until the conclusion is issued."""
    if _locked(subject):
        raise Conflict(_l("The conclusion has been issued: the minutes can no longer change."))
    if not _findings(subject):
        raise InvalidInput(_l("Record at least one finding before writing the minutes."))
    document = documents_of(subject).get(DocumentKind.MINUTES)
    created = document is None
    if document is None:
        document = _new_document(subject, DocumentKind.MINUTES, place=default_place(), actor=actor)
    if subject.visit is not None:
        if subject.visit.status in (VisitStatus.APPROVED, VisitStatus.IN_PROGRESS):
            subject.visit.status = VisitStatus.DONE
        if subject.visit.inspection.status in (InspectionStatus.ASSIGNED, InspectionStatus.SCHEDULED):
            subject.visit.inspection.status = InspectionStatus.VISITED
    db.session.flush()
    record(
        "document.minutes",
        actor=actor,
        object_type="document",
        object_id=document.id,
        after={"symbol": document.symbol, "created": created},
    )
    return document


def content_of(document: Document, subject: Subject) -> dict[str, Any]:
    if document.content is not None:
        return document.content
    day = today_in_vietnam(document.created_at)
    return build_content(
        subject,
        document.kind,
        symbol=document.symbol,
        place=document.place,
        day=day,
        signer_name=document.signer_name,
    )


def issue_conclusion(
    subject: Subject, *, actor: User, place: str | None = None, store_files: bool = True
) -> Document:
    """Issue the conclusion: numbered, frozen, findings locked, sent to the unit's contacts.

    The text is frozen in `content`; with `store_files` the PDF and DOCX made now are kept
    too (without, they are made from the frozen text when asked for).
    """
    docs = documents_of(subject)
    if DocumentKind.CONCLUSION in docs:
        raise Conflict(_l("The conclusion has already been issued."))
    if not _findings(subject):
        raise InvalidInput(_l("Record at least one finding before issuing the conclusion."))
    document = _new_document(subject, DocumentKind.CONCLUSION, place=place or default_place(), actor=actor)
    issued_at = utcnow()
    content = build_content(
        subject,
        DocumentKind.CONCLUSION,
        symbol=document.symbol,
        place=document.place,
        day=today_in_vietnam(issued_at),
        signer_name=document.signer_name,
    )
    document.content = content
    document.status = DocumentStatus.ISSUED
    document.issued_at = issued_at
    document.issued_by_id = actor.id
    if store_files:
        docx, docx_hash = render.docx_bytes(content)
        store(docx, docx_hash, folder="documents")
        document.docx_sha256 = docx_hash
        if render.pdf_available():
            pdf, pdf_hash = render.pdf_bytes(content)
            store(pdf, pdf_hash, folder="documents")
            document.pdf_sha256 = pdf_hash
    minutes = docs.get(DocumentKind.MINUTES)
    if minutes is not None and minutes.content is None:
        minutes.content = content_of(minutes, subject)
        minutes.status = DocumentStatus.ISSUED
    if subject.visit is not None:
        subject.visit.inspection.status = InspectionStatus.CONCLUDED
    else:
        subject.case.status = CaseStatus.CONCLUDED  # type: ignore[union-attr]
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
    _send(document, subject, content)
    return document


def _send(document: Document, subject: Subject, content: dict[str, Any]) -> None:
    unit = subject.unit
    contacts = db.session.scalars(
        sa.select(UnitContact).where(UnitContact.unit_id == unit.id, UnitContact.active.is_(True))
    ).all()
    for contact in contacts:
        enqueue(
            key=f"document:{document.id}:conclusion_issued:contact:{contact.id}",
            kind="conclusion_issued",
            email=contact.email,
            name=contact.name,
            language=contact.language,
            mandatory=True,
            contact_id=contact.id,
            object_type="document",
            object_id=document.id,
            context={
                "document_id": document.id,
                "symbol": document.symbol,
                "subtitle": content["subtitle"],
                "unit_name": unit.name,
                "issuer": content["issuer"],
                "place_date": content["place_date"],
                "actions": [
                    {
                        "description": a["description"],
                        "due": date.fromisoformat(a["due_on"]).strftime("%d/%m/%Y"),
                    }
                    for a in content["actions"]
                ],
                "action_path": f"/documents/{document.id}",
            },
        )
