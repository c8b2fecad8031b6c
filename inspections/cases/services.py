"""Cases (vụ việc): intake, assignment to a team, attachments, and the case's status as
its findings are recorded and its conclusion issued (documents calls `mark_concluded`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import IO, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager

from inspections import files, policy
from inspections.audit.services import record, snapshot
from inspections.auth.models import User
from inspections.cases.models import Case, CaseAttachment, CaseSource, CaseStatus
from inspections.errors import Conflict, InvalidInput
from inspections.extensions import db
from inspections.findings import services as findings
from inspections.findings.models import Finding
from inspections.listing import PAGE_SIZE, Order, Page, keyset_page
from inspections.plans.models import Plan
from inspections.teams.models import Team
from inspections.units.models import Unit
from inspections.units.services import search_key


def intake(
    plan: Plan,
    *,
    unit: Unit,
    source: str,
    title: str,
    summary: str,
    received_on: date,
    actor: User,
    reference: str | None = None,
) -> Case:
    try:
        source_value = CaseSource(source)
    except ValueError:
        raise InvalidInput(_l("Choose where the case came from.")) from None
    if not title.strip() or not summary.strip():
        raise InvalidInput(_l("A case needs a title and a summary."))
    if reference is None:
        count = db.session.scalar(sa.select(sa.func.count()).where(Case.plan_id == plan.id)) or 0
        reference = f"VV-{plan.year}-{count + 1:02d}"
    case = Case(
        plan_id=plan.id,
        reference=reference,
        unit_id=unit.id,
        source=source_value,
        title=title.strip(),
        summary=summary.strip(),
        received_on=received_on,
    )
    try:
        with db.session.begin_nested():
            db.session.add(case)
    except sa.exc.IntegrityError:
        raise Conflict(_l("A case with this reference already exists in the plan.")) from None
    record(
        "case.intake",
        actor=actor,
        object_type="case",
        object_id=case.id,
        after=snapshot(case, "reference", "unit_id", "source", "title", "received_on"),
    )
    return case


def assign(case: Case, *, team: Team, actor: User) -> Case:
    if team.plan_id != case.plan_id:
        raise InvalidInput(_l("Choose a team of the case's plan."))
    if case.status not in (CaseStatus.INTAKE, CaseStatus.ASSIGNED):
        raise Conflict(_l("The case is already under inspection: its team can no longer change."))
    before = snapshot(case, "team_id", "status")
    case.team_id = team.id
    case.status = CaseStatus.ASSIGNED
    db.session.flush()
    record(
        "case.assign",
        actor=actor,
        object_type="case",
        object_id=case.id,
        before=before,
        after=snapshot(case, "team_id", "status"),
    )
    return case


def add_attachment(case: Case, *, stream: IO[bytes], filename: str | None, actor: User) -> CaseAttachment:
    if case.status in (CaseStatus.CONCLUDED, CaseStatus.CLOSED):
        raise Conflict(_l("The case is concluded: no more files can be added."))
    checked = files.check_upload(stream, filename)
    files.store(checked.data, checked.sha256)
    item = CaseAttachment(
        case_id=case.id,
        filename=checked.filename,
        content_type=checked.content_type,
        size_bytes=len(checked.data),
        sha256=checked.sha256,
        uploaded_by_id=actor.id,
    )
    db.session.add(item)
    db.session.flush()
    record(
        "case.attachment",
        actor=actor,
        object_type="case",
        object_id=case.id,
        after=snapshot(item, "filename", "content_type", "size_bytes", "sha256"),
    )
    return item


def save_finding(
    case: Case,
    *,
    finding: Finding | None = None,
    criterion_id: int | None,
    result: str,
    severity: str = "none",
    text: str = "",
    named_individuals: str = "",
    expected_version: int | None,
    actor: User,
) -> Finding:
    """Record a finding of the case; the first one puts an assigned case under inspection."""
    saved = findings.save_case_finding(
        case,
        finding=finding,
        criterion_id=criterion_id,
        result=result,
        severity=severity,
        text=text,
        named_individuals=named_individuals,
        expected_version=expected_version,
        actor=actor,
    )
    if case.status == CaseStatus.ASSIGNED:
        case.status = CaseStatus.INVESTIGATING
    return saved


def mark_concluded(case: Case) -> None:
    """The case's conclusion was issued."""
    case.status = CaseStatus.CONCLUDED


# --- the list: a bounded keyset page with its filters ---------------------------------------


@dataclass(frozen=True)
class CaseFilters:
    """What the cases list is narrowed to; None (or empty) is no filter."""

    plan_id: int | None = None
    status: CaseStatus | None = None
    team_id: int | None = None
    q: str = ""


# The columns the list sorts on (never NULL: a case without a team sorts as ""); the id
# breaks ties.
CASE_SORTS: dict[str, sa.ColumnElement[Any]] = {
    "received": Case.received_on,
    "reference": Case.reference,
    "title": Case.title,
    "unit": Unit.search_name,
    "source": Case.source,
    "team": sa.func.coalesce(Team.name, ""),
    "status": Case.status,
}


def _escape_like(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def list_cases(viewer: User, filters: CaseFilters, *, order: Order, size: int = PAGE_SIZE) -> Page[Case]:
    """One keyset page of the cases the viewer may see (`policy.visible_cases`)."""
    query = (
        policy.visible_cases(viewer)
        .join(Unit, Unit.id == Case.unit_id)
        .outerjoin(Team, Team.id == Case.team_id)
        .options(contains_eager(Case.unit), contains_eager(Case.team))
    )
    if filters.plan_id is not None:
        query = query.where(Case.plan_id == filters.plan_id)
    if filters.status is not None:
        query = query.where(Case.status == filters.status)
    if filters.team_id is not None:
        query = query.where(Case.team_id == filters.team_id)
    if filters.q:
        text = f"%{_escape_like(filters.q)}%"
        query = query.where(
            sa.or_(
                Case.reference.ilike(text, escape="!"),
                Case.title.ilike(text, escape="!"),
                Unit.search_name.like(f"%{_escape_like(search_key(filters.q))}%", escape="!"),
            )
        )
    return keyset_page(query, order=order, sorts=CASE_SORTS, id_column=Case.id, size=size)
