"""The text of minutes and conclusions (Decree 30/2020/NĐ-CP), built from the findings.

The text is plain JSON: it is what PDF and DOCX are rendered from, and what an issued
document keeps, frozen, as it was issued.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from inspections.documents.models import Document, DocumentKind
from inspections.extensions import db
from inspections.findings.checklists import area_of
from inspections.findings.models import Criterion, Finding, FindingResult
from inspections.findings.subject import Subject
from inspections.i18n import local_day
from inspections.remediation.models import CorrectiveAction
from inspections.teams.models import Team

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
RESULT_VI = {
    FindingResult.COMPLIANT: "Đạt yêu cầu",
    FindingResult.NON_COMPLIANT: "Chưa đạt yêu cầu",
    FindingResult.OBSERVATION: "Lưu ý",
    FindingResult.GOOD_PRACTICE: "Cách làm hay",
    FindingResult.NOT_APPLICABLE: "Không áp dụng",
}


def authority() -> str:
    return current_app.config.get("DOCUMENT_AUTHORITY", "UBND THÀNH PHỐ HÀ NỘI")


def vietnamese_date(day: date, place: str) -> str:
    """Decree 30 style: days below 10 and months below 3 get a leading zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def findings_of(subject: Subject) -> list[Finding]:
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


def leader_name(team: Team | None) -> str:
    """Who signs for the team: its head."""
    head = team.head if team else None
    return head.user.full_name if head else ""


def build_content(
    subject: Subject, kind: DocumentKind, *, symbol: str, place: str, day: date, signer_name: str
) -> dict[str, Any]:
    """The document's text, as JSON: what is rendered to PDF and DOCX and kept when issued."""
    team, unit = subject.team, subject.unit
    findings = findings_of(subject)
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
        "symbol": symbol,
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


def content_of(document: Document, subject: Subject) -> dict[str, Any]:
    """The frozen text of an issued document; a draft's text as the findings are now."""
    if document.content is not None:
        return document.content
    return build_content(
        subject,
        document.kind,
        symbol=document.symbol,
        place=document.place,
        day=local_day(document.created_at),
        signer_name=document.signer_name,
    )
