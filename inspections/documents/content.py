"""The text of minutes and conclusions (Decree 30/2020/NĐ-CP), built from the findings.

The text is plain JSON: it is what PDF and DOCX are rendered from, and what an issued
document keeps, frozen, as it was issued. Its parts follow the Decree's Appendix I:

- the header (issuing authority and body, number; national title and motto, place and date),
- the kind of document and its summary (`title`, `subtitle`),
- the body: `intro` paragraphs, then `sections` numbered I / 1 / a (level 1: "I. KẾT QUẢ
  KIỂM TRA"; level 2: "1. <area>"; their paragraphs are the points "a) ...", "b) ..."),
  then `closing` paragraphs, the last of which ends with "./.",
- the signature blocks (`signers`: authority and title lines, name) and the recipients.

`LAYOUT` versions the structure; a document issued under an older one is read through
`normalized`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from inspections.documents.models import Document, DocumentKind
from inspections.extensions import db
from inspections.findings.checklists import area_of
from inspections.findings.models import Criterion, Finding, FindingResult
from inspections.findings.subject import Subject
from inspections.i18n import LOCAL_TZ, local_day
from inspections.remediation.models import CorrectiveAction
from inspections.teams.models import Team, TeamRole
from inspections.units.models import Unit

LAYOUT = 2
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
RESULT_VI = {
    FindingResult.COMPLIANT: "Đạt yêu cầu",
    FindingResult.NON_COMPLIANT: "Chưa đạt yêu cầu",
    FindingResult.OBSERVATION: "Lưu ý",
    FindingResult.GOOD_PRACTICE: "Cách làm hay",
    FindingResult.NOT_APPLICABLE: "Không áp dụng",
}
ROLE_VI = {
    TeamRole.HEAD: "Trưởng đoàn",
    TeamRole.DEPUTY: "Phó Trưởng đoàn",
    TeamRole.MEMBER: "Thành viên",
    TeamRole.SECRETARY: "Thư ký",
}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
# Points are lettered in the Vietnamese alphabet order (a, b, ..., d, đ, e, g, ...).
POINTS = (
    "a",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "g",
    "h",
    "i",
    "k",
    "l",
    "m",
    "n",
    "o",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "v",
    "x",
    "y",
)
DOTS = "............................"
TEAM_SIGNATURE = ["TM. ĐOÀN KIỂM TRA", "TRƯỞNG ĐOÀN"]


def authority() -> str:
    return current_app.config.get("DOCUMENT_AUTHORITY", "UBND THÀNH PHỐ HÀ NỘI")


def vietnamese_date(day: date, place: str) -> str:
    """Decree 30 style: days below 10 and months below 3 get a leading zero."""
    return f"{place}, {long_date(day)}"


def long_date(day: date) -> str:
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def clock(at: time | None) -> str:
    return f"{at:%H} giờ {at:%M} phút" if at else "..... giờ ..... phút"


def point(index: int) -> str:
    """The letter of the index-th point (from 0): a, b, ..., y, then a1, b1, ..."""
    letter, round_ = POINTS[index % len(POINTS)], index // len(POINTS)
    return f"{letter}{round_ or ''})"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?…" else f"{text}."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


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


def _finding_text(finding: Finding) -> str:
    """ "<criterion> (tiêu chí I.1): đạt yêu cầu. <note>" (the people named stay out)."""
    result = RESULT_VI[finding.result]
    head = (
        f"{finding.criterion.text_vi} (tiêu chí {finding.criterion.code}): {_lower_first(result)}."
        if finding.criterion
        else f"{result}."
    )
    note = _sentence(finding.text)
    return f"{head} {note}" if note else head


def _areas(findings: list[Finding]) -> tuple[list[tuple[str, list[Finding]]], str | None]:
    """The findings grouped by checklist area, in the checklist's order, and its name."""
    template_ids = {f.criterion.template_id for f in findings if f.criterion}
    criteria = list(db.session.scalars(sa.select(Criterion).where(Criterion.template_id.in_(template_ids))))
    areas = area_of(criteria)
    by_position: dict[int, tuple[str, list[Finding]]] = {}
    free = []
    for finding in findings:
        if finding.criterion is None:
            free.append(finding)
            continue
        area = areas[finding.criterion.id]
        by_position.setdefault(area.position, (area.text_vi, []))[1].append(finding)
    grouped = [by_position[k] for k in sorted(by_position)]
    if free:
        grouped.append(("Nội dung khác", free))
    checklist = next((f.criterion.template.name_vi for f in findings if f.criterion), None)
    return grouped, checklist


def _numbered(lines: list[str]) -> list[str]:
    return [f"{i}. {line}" for i, line in enumerate(lines, 1)] or ["Không có."]


def _section(number: int, heading: str, paragraphs: list[str] | None = None) -> dict[str, Any]:
    return {"level": 1, "heading": f"{ROMAN[number - 1]}. {heading}", "paragraphs": paragraphs or []}


def _results(grouped: list[tuple[str, list[Finding]]]) -> list[dict[str, Any]]:
    """Level-2 parts "1. <area>", each with its points "a) <finding>"."""
    return [
        {
            "level": 2,
            "heading": f"{i}. {area}",
            "paragraphs": [f"{point(j)} {_finding_text(f)}" for j, f in enumerate(area_findings)],
        }
        for i, (area, area_findings) in enumerate(grouped, 1)
    ]


def leader_name(team: Team | None) -> str:
    """Who signs for the team: its head."""
    head = team.head if team else None
    return head.user.full_name if head else ""


@dataclass(frozen=True)
class MinutesRecord:
    """What the minutes record of the visit besides the findings."""

    venue: str
    opened_at: time | None
    closed_at: time | None
    representative: str
    representative_title: str
    participants: tuple[str, ...]


# The minutes form offers the default venue to edit; it takes at most this many characters.
VENUE_MAX = 255


def default_venue(unit: Unit) -> str:
    """Where the minutes say the visit took place unless the leader wrote it: "trụ sở Sở
    Nội vụ, 18B Lê Thánh Tông, Hoàn Kiếm, Hà Nội"; without the address when the unit has
    none, or when the venue with it would be longer than the form takes."""
    venue = f"trụ sở {unit.name}"
    if unit.address and len(f"{venue}, {unit.address}") <= VENUE_MAX:
        return f"{venue}, {unit.address}"
    return venue


def minutes_record(document: Document | None, subject: Subject) -> MinutesRecord:
    """The leader's record, or the visit's own place and hours where none was given."""
    opened = closed = None
    if subject.visit is not None:
        opened = subject.visit.starts_at.astimezone(LOCAL_TZ).time().replace(second=0, microsecond=0)
        closed = subject.visit.ends_at.astimezone(LOCAL_TZ).time().replace(second=0, microsecond=0)
    participants = tuple(
        line.strip()
        for line in ((document.unit_participants if document else None) or "").splitlines()
        if line.strip()
    )
    return MinutesRecord(
        venue=(document.venue if document else None) or default_venue(subject.unit),
        opened_at=(document.opened_at if document else None) or opened,
        closed_at=(document.closed_at if document else None) or closed,
        representative=(document.unit_representative if document else None) or "",
        representative_title=(document.unit_representative_title if document else None) or "",
        participants=participants,
    )


def document_day(document: Document, subject: Subject) -> date:
    """The minutes are dated by the visit; a case's minutes by the day they were written."""
    if document.kind == DocumentKind.MINUTES and subject.visit is not None:
        return local_day(subject.visit.starts_at)
    return local_day(document.issued_at or document.created_at)


def _basis(subject: Subject, team: Team | None) -> list[str]:
    plan = subject.plan
    lines = []
    reference = plan.title
    if plan.number:
        issued = f" ngày {short_date(plan.issued_on)}" if plan.issued_on else ""
        reference = f"{plan.title} (số {plan.number}{issued})"
    lines.append(f"Căn cứ {reference};")
    if team and team.decision_number:
        issued = f" ngày {short_date(team.decision_date)}" if team.decision_date else ""
        by = f" của {team.decision_signer}" if team.decision_signer else ""
        lines.append(
            f"Căn cứ Quyết định số {team.decision_number}{issued}{by} về việc thành lập {team.name};"
        )
    return lines


def build_content(
    subject: Subject,
    kind: DocumentKind,
    *,
    symbol: str,
    place: str,
    day: date,
    signer_name: str,
    record: MinutesRecord | None = None,
    minutes_symbol: str | None = None,
) -> dict[str, Any]:
    """The document's text, as JSON: what is rendered to PDF and DOCX and kept when issued."""
    team, unit = subject.team, subject.unit
    team_name = team.name if team else "Đoàn kiểm tra"
    findings = findings_of(subject)
    actions = _actions(findings)
    grouped, checklist = _areas(findings)
    about = (
        f"vụ việc {subject.case.reference}: {subject.case.title}"  # type: ignore[union-attr]
        if subject.case
        else "công tác cải cách hành chính"
    )
    action_lines = [
        f"{_sentence(a.description)} Thời hạn hoàn thành: {short_date(a.due_on)}." for a in actions
    ]
    if kind == DocumentKind.MINUTES:
        record = record or minutes_record(None, subject)
        title, subtitle = "BIÊN BẢN KIỂM TRA", f"{about[:1].upper()}{about[1:]} tại {unit.name}"
        intro = [
            *_basis(subject, team),
            f"Hôm nay, vào hồi {clock(record.opened_at)}, {long_date(day)}, tại {record.venue}, "
            f"{team_name} tiến hành kiểm tra {about} tại {unit.name}, thành phần gồm:",
        ]
        members = team.memberships if team else []
        team_lines = [
            f"{point(i)} {m.user.full_name} - {ROLE_VI[m.role]} ({m.home_unit.name})"
            for i, m in enumerate(members)
        ]
        unit_people = [
            f"{record.representative}, {record.representative_title}".rstrip(", ")
            if record.representative
            else f"Ông (bà): {DOTS}, chức vụ: {DOTS}",
            *record.participants,
        ]
        unit_lines = [f"{point(i)} {person}" for i, person in enumerate(unit_people)]
        checked = [f"{i}. {area}" for i, (area, _f) in enumerate(grouped, 1)]
        sections = [
            _section(1, "THÀNH PHẦN"),
            {"level": 2, "heading": "1. Đại diện Đoàn kiểm tra", "paragraphs": _enumeration(team_lines)},
            {
                "level": 2,
                "heading": f"2. Đại diện {unit.name} (đơn vị được kiểm tra)",
                "paragraphs": _enumeration(unit_lines),
            },
            _section(
                2,
                "NỘI DUNG KIỂM TRA",
                [
                    f"Đoàn kiểm tra đã kiểm tra {about} của {unit.name}"
                    + (f" theo {checklist}" if checklist else "")
                    + ", qua hồ sơ, tài liệu và thực tế tại đơn vị, gồm các nội dung:",
                    *_enumeration(checked),
                ],
            ),
            _section(3, "KẾT QUẢ KIỂM TRA"),
            *_results(grouped),
            _section(4, "YÊU CẦU KHẮC PHỤC", _numbered(action_lines)),
        ]
        closing = [
            f"Buổi kiểm tra kết thúc vào hồi {clock(record.closed_at)} cùng ngày. Biên bản đã được đọc lại "
            "cho những người tham dự cùng nghe, nhất trí với nội dung và ký tên dưới đây.",
            f"Biên bản được lập thành 02 bản có giá trị như nhau, Đoàn kiểm tra giữ 01 bản, "
            f"{unit.name} giữ 01 bản./.",
        ]
        unit_signer = ["ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA"]
        signers = [
            # The unit signs the printed copy by hand; with no name given, it writes it in.
            {
                "lines": unit_signer,
                "name": record.representative,
                "hand": not record.representative,
                "digital": False,
            },
            {"lines": TEAM_SIGNATURE, "name": signer_name, "hand": False, "digital": True},
        ]
        recipients = [f"{unit.name} (01 bản);", "Lưu: Đoàn kiểm tra (01 bản)."]
        meta_title = f"Biên bản kiểm tra số {symbol}: {subtitle}"
    else:
        title, subtitle = "THÔNG BÁO", f"Kết luận kiểm tra {about} tại {unit.name}"
        when = (
            f"N{long_date(local_day(subject.visit.starts_at))[1:]}, "  # "Ngày 14 tháng 10 năm 2019, "
            if subject.visit
            else ""
        )
        minutes_ref = f" (Biên bản kiểm tra số {minutes_symbol})" if minutes_symbol else ""
        intro = [
            *_basis(subject, team),
            f"{when}{team_name} đã kiểm tra {about} tại {unit.name}{minutes_ref}. "
            f"Căn cứ kết quả kiểm tra, {team_name} thông báo kết luận kiểm tra như sau:",
        ]
        good = [_finding_text(f) for f in findings if f.result == FindingResult.GOOD_PRACTICE]
        bad = [_finding_text(f) for f in findings if f.result == FindingResult.NON_COMPLIANT]
        sections = [
            _section(1, "KẾT QUẢ KIỂM TRA"),
            *_results(grouped),
            _section(2, "ƯU ĐIỂM", _numbered(good)),
            _section(3, "TỒN TẠI, HẠN CHẾ", _numbered(bad)),
            _section(4, "KIẾN NGHỊ, YÊU CẦU KHẮC PHỤC", _numbered(action_lines)),
        ]
        closing = [
            f"Đề nghị {unit.name} tổ chức thực hiện các yêu cầu tại Mục IV và báo cáo kết quả khắc phục "
            f"về {team_name} trong thời hạn nêu trên./."
            if actions
            else f"Đề nghị {unit.name} tiếp tục phát huy những kết quả đã đạt được./."
        ]
        signers = [{"lines": TEAM_SIGNATURE, "name": signer_name, "hand": False, "digital": True}]
        recipients = [f"{unit.name};", "Sở Nội vụ;", "Lưu: VT, Đoàn kiểm tra."]
        meta_title = f"Thông báo số {symbol}: {subtitle}"
    return {
        "layout": LAYOUT,
        "kind": kind.value,
        "authority": authority(),
        "issuer": team_name.upper(),
        "motto": list(MOTTO),
        "symbol": symbol,
        "number": f"Số: {symbol}",
        "place_date": vietnamese_date(day, place),
        "date": day.isoformat(),
        "title": title,
        "subtitle": subtitle,
        "intro": intro,
        "sections": sections,
        "closing": closing,
        "recipients": recipients,
        "signers": signers,
        "actions": [{"description": a.description, "due_on": a.due_on.isoformat()} for a in actions],
        "meta": {"title": meta_title, "author": team_name, "subject": subtitle, "language": "vi"},
    }


def _enumeration(lines: list[str]) -> list[str]:
    """Points of a list: each ends with ";", the last with "."."""

    def bare(line: str) -> str:
        line = line.strip()
        return line[:-1] if line.endswith((";", ".")) and not line.endswith("..") else line

    return [f"{bare(line)}{'.' if i == len(lines) - 1 else ';'}" for i, line in enumerate(lines)]


def normalized(content: dict[str, Any]) -> dict[str, Any]:
    """A document issued under the first layout, read in the present one."""
    if content.get("layout") == LAYOUT:
        return content
    c = dict(content)
    c["sections"] = [
        {"level": 1, "heading": s["heading"], "paragraphs": [f"- {p}" for p in s["paragraphs"]]}
        for s in content.get("sections", [])
    ]
    c["signers"] = [
        {"lines": title.split("\n"), "name": name, "hand": False, "digital": False}
        for title, name in content.get("signers", [])
    ]
    c.setdefault("closing", [])
    c.setdefault(
        "meta",
        {
            "title": f"{c['title']} {c['symbol']}",
            "author": c["issuer"],
            "subject": c["subtitle"],
            "language": "vi",
        },
    )
    return c


def content_of(document: Document, subject: Subject) -> dict[str, Any]:
    """The frozen text of an issued document; a draft's text as the findings are now."""
    if document.content is not None:
        return normalized(document.content)
    minutes_symbol = None
    if document.kind == DocumentKind.CONCLUSION:
        minutes = db.session.scalar(
            sa.select(Document.symbol).where(subject.where(), Document.kind == DocumentKind.MINUTES)
        )
        minutes_symbol = minutes
    return build_content(
        subject,
        document.kind,
        symbol=document.symbol,
        place=document.place,
        day=document_day(document, subject),
        signer_name=document.signer_name,
        record=minutes_record(document, subject) if document.kind == DocumentKind.MINUTES else None,
        minutes_symbol=minutes_symbol,
    )
