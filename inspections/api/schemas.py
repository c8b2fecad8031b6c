"""The API's resources and inputs as pydantic models: JSON Schema 2020-12, which is the
schema dialect of OpenAPI 3.1, so the description needs no translation layer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from inspections.cases.models import CaseSource, CaseStatus
from inspections.documents.models import DocumentKind, DocumentStatus
from inspections.findings.models import FindingResult, Severity
from inspections.forms import MAX_ID
from inspections.plans.models import PlanStatus, TargetKind
from inspections.remediation.models import ActionStatus
from inspections.teams.models import TeamKind, TeamRole
from inspections.units.models import DivisionType, UnitKind
from inspections.visits.models import InspectionKind, InspectionStatus, Slot, VisitStatus

Id = int  # documented as an integer in 1..MAX_ID where it is an input


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- problem details ------------------------------------------------------------------------


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details (application/problem+json)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None


# --- resources --------------------------------------------------------------------------------


class Target(Out):
    kind: TargetKind
    count: int


class PlanOut(Out):
    id: int
    year: int
    title: str
    number: str | None
    issued_on: date | None
    window_start: date
    window_end: date
    status: PlanStatus
    notice_working_days: int
    targets: list[Target]


class UnitOut(Out):
    id: int
    code: str
    name: str
    name_en: str | None
    address: str | None
    kind: UnitKind
    division_type: DivisionType | None
    parent_id: int | None
    district_id: int | None
    active: bool


class MemberOut(BaseModel):
    id: int
    user_id: int
    full_name: str
    role: TeamRole
    home_unit_id: int


class TeamOut(BaseModel):
    id: int
    plan_id: int
    name: str
    kind: TeamKind
    decision_number: str | None
    decision_date: date | None
    visits_per_day: int
    members: list[MemberOut]


class InspectionOut(Out):
    id: int
    plan_id: int
    team_id: int
    unit_id: int
    kind: InspectionKind
    status: InspectionStatus
    drawn: bool


class VisitOut(BaseModel):
    id: int
    inspection_id: int
    kind: InspectionKind
    unit_id: int
    starts_at: datetime
    ends_at: datetime
    slot: Slot
    status: VisitStatus


class FindingOut(BaseModel):
    id: int
    visit_id: int | None
    case_id: int | None
    criterion_id: int | None
    result: FindingResult
    severity: Severity
    text: str
    # Only for the team, the plan's coordinators and admins (absent otherwise).
    named_individuals: str | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class ActionOut(Out):
    id: int
    finding_id: int
    unit_id: int
    description: str
    due_on: date
    status: ActionStatus
    report_text: str | None
    reported_at: datetime | None
    return_reason: str | None


class CaseOut(Out):
    id: int
    plan_id: int
    reference: str
    unit_id: int
    team_id: int | None
    source: CaseSource
    title: str
    summary: str
    received_on: date
    status: CaseStatus


class DocumentOut(BaseModel):
    id: int
    kind: DocumentKind
    status: DocumentStatus
    visit_id: int | None
    case_id: int | None
    number: int
    symbol: str
    issued_at: datetime | None
    signed_at: datetime | None
    pdf: str
    docx: str


class _Page(BaseModel):
    next: str | None = Field(description="The next page's address, with the same filters; null on the last.")
    total: int | None = Field(description="How many match (at most 10,000 are counted).")
    total_capped: bool


class PlanPage(_Page):
    items: list[PlanOut]


class UnitPage(_Page):
    items: list[UnitOut]


class TeamPage(_Page):
    items: list[TeamOut]


class InspectionPage(_Page):
    items: list[InspectionOut]


class VisitPage(_Page):
    items: list[VisitOut]


class FindingPage(_Page):
    items: list[FindingOut]


class ActionPage(_Page):
    items: list[ActionOut]


class CasePage(_Page):
    items: list[CaseOut]


class DocumentPage(_Page):
    items: list[DocumentOut]


# --- queries ----------------------------------------------------------------------------------

OptId = int | None
_ID = {"ge": 1, "le": MAX_ID}
Order = Literal["asc", "desc"]


class _ListQuery(BaseModel):
    after: str | None = Field(None, max_length=600, description="The cursor of a `next` link.")
    order: Order | None = None
    limit: int = Field(50, ge=1, le=50)


class PlanQuery(_ListQuery):
    sort: Literal["year", "title", "id"] | None = None
    year: int | None = Field(None, ge=1900, le=2200)
    status: PlanStatus | None = None


class UnitQuery(_ListQuery):
    sort: Literal["name", "code", "id"] | None = None
    kind: UnitKind | None = None
    district: OptId = Field(None, **_ID)
    active: bool | None = None


class TeamQuery(_ListQuery):
    sort: Literal["name", "id"] | None = None
    plan: OptId = Field(None, **_ID)
    kind: TeamKind | None = None


class InspectionQuery(_ListQuery):
    sort: Literal["id"] | None = None
    plan: OptId = Field(None, **_ID)
    team: OptId = Field(None, **_ID)
    unit: OptId = Field(None, **_ID)
    kind: InspectionKind | None = None
    status: InspectionStatus | None = None


class VisitQuery(_ListQuery):
    sort: Literal["starts_at", "id"] | None = None
    plan: OptId = Field(None, **_ID)
    inspection: OptId = Field(None, **_ID)
    status: VisitStatus | None = None
    since: date | None = Field(None, ge=date(1900, 1, 1), le=date(2200, 12, 31))
    until: date | None = Field(None, ge=date(1900, 1, 1), le=date(2200, 12, 31))


class FindingQuery(_ListQuery):
    sort: Literal["id"] | None = None
    visit: OptId = Field(None, **_ID)
    case: OptId = Field(None, **_ID)
    result: FindingResult | None = None


class ActionQuery(_ListQuery):
    sort: Literal["due_on", "id"] | None = None
    status: ActionStatus | None = None
    unit: OptId = Field(None, **_ID)


class CaseQuery(_ListQuery):
    sort: Literal["received_on", "id"] | None = None
    plan: OptId = Field(None, **_ID)
    status: CaseStatus | None = None


class DocumentQuery(_ListQuery):
    sort: Literal["id"] | None = None
    visit: OptId = Field(None, **_ID)
    case: OptId = Field(None, **_ID)
    kind: DocumentKind | None = None


class FileQuery(BaseModel):
    format: Literal["pdf", "docx"] = "pdf"


# --- writes -----------------------------------------------------------------------------------


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_code: str = Field(min_length=1, max_length=40, pattern=r"^[^\x00-\x1f\x7f]+$")
    override_reason: str | None = Field(None, max_length=2000)


class FindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    criterion_id: int = Field(ge=1, le=MAX_ID)
    result: FindingResult
    severity: Severity = Severity.NONE
    text: str = Field("", max_length=20000)
    named_individuals: str = Field("", max_length=4000)
    version: int | None = Field(
        None, ge=1, le=MAX_ID, description="The version read; absent for a new finding."
    )


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=20000)
