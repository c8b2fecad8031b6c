"""The views of /api/v1. Each loads through `policy` with the caller as viewer, calls one
service inside `unit_of_work`, and answers JSON (errors: problem details)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, jsonify, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from spectree import Response as Resp
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response

from inspections import policy
from inspections.api import access, bp, problems
from inspections.api.problems import ApiProblem
from inspections.api.schemas import (
    ActionOut,
    ActionPage,
    ActionQuery,
    AssignIn,
    CaseOut,
    CasePage,
    CaseQuery,
    DocumentOut,
    DocumentPage,
    DocumentQuery,
    FileQuery,
    FindingIn,
    FindingOut,
    FindingPage,
    FindingQuery,
    InspectionOut,
    InspectionPage,
    InspectionQuery,
    MemberOut,
    PlanOut,
    PlanPage,
    PlanQuery,
    ReportIn,
    TeamOut,
    TeamPage,
    TeamQuery,
    UnitOut,
    UnitPage,
    UnitQuery,
    VisitOut,
    VisitPage,
    VisitQuery,
)
from inspections.api.spec import api, openapi
from inspections.assignments.services import assign
from inspections.auth.models import User
from inspections.cases.models import Case
from inspections.documents.models import Document
from inspections.documents.storage import docx_of, pdf_of
from inspections.errors import Conflict, DomainError, NotFound
from inspections.extensions import csrf, db, limiter
from inspections.findings import services as findings
from inspections.findings.models import Finding
from inspections.findings.subject import Subject
from inspections.i18n import local_moment
from inspections.listing import keyset_page, read_order
from inspections.plans.models import Plan
from inspections.remediation import services as remediation
from inspections.remediation.models import CorrectiveAction
from inspections.teams.models import Membership, Team
from inspections.units.models import Unit
from inspections.visits.models import Inspection, Visit

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PUBLIC = {"api.openapi_json", "api.docs"}

problems.register(bp)
bp.record_once(lambda state: problems.register_app(state.app))
limiter.limit(lambda: current_app.config["API_LIMIT"], key_func=access.limit_key)(bp)


@bp.before_request
def authenticate() -> None:
    if request.endpoint in PUBLIC:
        return
    g.api_caller = access.authenticate()
    if g.api_caller is None:
        raise ApiProblem(401)
    # Flask-Login's user of this request only (the session is not touched): answers come
    # in the caller's language, as the pages do.
    g._login_user = g.api_caller.user
    if request.method == "POST" and request.mimetype != "application/json":
        raise ApiProblem(415, _l("Send the body as application/json."))
    access.note_read()


@contextmanager
def unit_of_work() -> Iterator[None]:
    """`web.service_call` for JSON: commit, or roll back and answer the refusal."""
    try:
        yield
    except NotFound as exc:
        db.session.rollback()
        raise ApiProblem(404, exc.message) from exc
    except Conflict as exc:
        db.session.rollback()
        raise ApiProblem(409, exc.message) from exc
    except DomainError as exc:
        db.session.rollback()
        raise ApiProblem(422, exc.message) from exc
    db.session.commit()


# --- lists --------------------------------------------------------------------------------------


def _page(
    query: sa.Select[Any],
    q: Any,
    sorts: dict[str, Any],
    default: str,
    id_column: Any,
    dump: Callable[..., Any],
    *,
    descending: bool = False,
) -> dict[str, Any]:
    args = {k: v for k, v in (("sort", q.sort), ("order", q.order), ("after", q.after)) if v is not None}
    order = read_order(args, sorts, default, descending=descending)
    page = keyset_page(query, order=order, sorts=sorts, id_column=id_column, size=q.limit)
    following = page.next_url()
    return {
        "items": [dump(row) for row in page.rows],
        "next": request.host_url.rstrip("/") + following if following else None,
        "total": page.total,
        "total_capped": page.total_capped,
    }


def _one(query: sa.Select[Any]) -> Any:
    found = db.session.scalar(query)
    if found is None:
        raise ApiProblem(404)
    return found


def _visit_out(visit: Visit) -> VisitOut:
    return VisitOut(
        id=visit.id, inspection_id=visit.inspection_id, kind=visit.inspection.kind,
        unit_id=visit.inspection.unit_id, starts_at=visit.starts_at, ends_at=visit.ends_at,
        slot=visit.slot, status=visit.status,
    )  # fmt: skip


def _team_out(team: Team) -> TeamOut:
    return TeamOut(
        id=team.id, plan_id=team.plan_id, name=team.name, kind=team.kind,
        decision_number=team.decision_number, decision_date=team.decision_date,
        visits_per_day=team.visits_per_day,
        members=[
            MemberOut(id=m.id, user_id=m.user_id, full_name=m.user.full_name, role=m.role,
                      home_unit_id=m.home_unit_id)
            for m in team.memberships
        ],
    )  # fmt: skip


def _subject_of(finding: Finding) -> tuple[Team | None, Plan]:
    if finding.visit_id is not None:
        visit = db.session.get(Visit, finding.visit_id)
        return visit.inspection.team, visit.inspection.plan  # type: ignore[union-attr]
    case = db.session.get(Case, finding.case_id)
    return case.team, case.plan  # type: ignore[union-attr]


def _finding_out(user: User) -> Callable[[Finding], FindingOut]:
    def dump(finding: Finding) -> FindingOut:
        team, plan = _subject_of(finding)
        named = finding.named_individuals if policy.can_see_named_individuals(user, team, plan) else None
        return FindingOut(
            id=finding.id, visit_id=finding.visit_id, case_id=finding.case_id,
            criterion_id=finding.criterion_id, result=finding.result, severity=finding.severity,
            text=finding.text, named_individuals=named, version=finding.version,
            created_at=finding.created_at, updated_at=finding.updated_at,
        )  # fmt: skip

    return dump


def _document_out(document: Document) -> DocumentOut:
    file = url_for("api.document_file", document_id=document.id, _external=True)
    return DocumentOut(
        id=document.id, kind=document.kind, status=document.status, visit_id=document.visit_id,
        case_id=document.case_id, number=document.number, symbol=document.symbol,
        issued_at=document.issued_at, signed_at=document.signed_at,
        pdf=file + "?format=pdf", docx=file + "?format=docx",
    )  # fmt: skip


# --- plans, units, teams ----------------------------------------------------------------------


@bp.get("/plans")
@api.validate(resp=Resp(HTTP_200=PlanPage), tags=["plans"])
def plans(query: PlanQuery) -> Any:
    """The plans the caller may see, with their targets."""
    user = access.current()
    q = policy.visible_plans(user).options(selectinload(Plan.targets))
    if query.year is not None:
        q = q.where(Plan.year == query.year)
    if query.status is not None:
        q = q.where(Plan.status == query.status)
    sorts = {"year": Plan.year, "title": Plan.title, "id": Plan.id}
    return PlanPage(**_page(q, query, sorts, "year", Plan.id, PlanOut.model_validate, descending=True))


@bp.get("/plans/<int:plan_id>")
@api.validate(resp=Resp(HTTP_200=PlanOut), tags=["plans"])
def plan(plan_id: int) -> Any:
    """One plan and its targets."""
    user = access.current()
    return PlanOut.model_validate(_one(policy.visible_plans(user).where(Plan.id == plan_id)))


def _units_allowed(user: User) -> None:
    if not policy.can_view_units(user):
        raise ApiProblem(403)


@bp.get("/units")
@api.validate(resp=Resp(HTTP_200=UnitPage), tags=["units"])
def units(query: UnitQuery) -> Any:
    """The unit registry (staff)."""
    _units_allowed(access.current())
    q = sa.select(Unit)
    if query.kind is not None:
        q = q.where(Unit.kind == query.kind)
    if query.district is not None:
        q = q.where(Unit.district_id == query.district)
    if query.active is not None:
        q = q.where(Unit.active.is_(query.active))
    sorts = {"name": Unit.search_name, "code": Unit.code, "id": Unit.id}
    return UnitPage(**_page(q, query, sorts, "name", Unit.id, UnitOut.model_validate))


@bp.get("/units/<int:unit_id>")
@api.validate(resp=Resp(HTTP_200=UnitOut), tags=["units"])
def unit(unit_id: int) -> Any:
    """One unit of the registry (staff)."""
    _units_allowed(access.current())
    return UnitOut.model_validate(_one(sa.select(Unit).where(Unit.id == unit_id)))


def _teams_query(user: User) -> sa.Select[Any]:
    return policy.visible_teams(user).options(selectinload(Team.memberships).joinedload(Membership.user))


@bp.get("/teams")
@api.validate(resp=Resp(HTTP_200=TeamPage), tags=["teams"])
def teams(query: TeamQuery) -> Any:
    """Teams of the plans the caller may see, with their members."""
    q = _teams_query(access.current())
    if query.plan is not None:
        q = q.where(Team.plan_id == query.plan)
    if query.kind is not None:
        q = q.where(Team.kind == query.kind)
    return TeamPage(**_page(q, query, {"name": Team.name, "id": Team.id}, "id", Team.id, _team_out))


@bp.get("/teams/<int:team_id>")
@api.validate(resp=Resp(HTTP_200=TeamOut), tags=["teams"])
def team(team_id: int) -> Any:
    """One team and its members."""
    return _team_out(_one(_teams_query(access.current()).where(Team.id == team_id)))


@bp.post("/teams/<int:team_id>/inspections")
@csrf.exempt  # as the whole blueprint: a bearer token, never a cookie
@api.validate(json=AssignIn, resp=Resp(HTTP_201=InspectionOut), tags=["teams"])
def assign_unit(team_id: int, json: AssignIn) -> Any:
    """Assign a unit (by its code) to the team: the plan's coordinators and admins."""
    user = access.require_write()
    found = _one(_teams_query(user).where(Team.id == team_id))
    if not policy.can_manage_team(user, found):
        raise ApiProblem(403)
    target = db.session.scalar(sa.select(Unit).where(Unit.code == json.unit_code.strip()))
    if target is None:
        raise ApiProblem(422, _l("No unit has code %(code)s.", code=json.unit_code))
    with unit_of_work():
        inspection = assign(found, target, actor=user, override_reason=json.override_reason)
    return InspectionOut.model_validate(inspection), 201


# --- inspections and visits -----------------------------------------------------------------


@bp.get("/inspections")
@api.validate(resp=Resp(HTTP_200=InspectionPage), tags=["inspections"])
def inspections(query: InspectionQuery) -> Any:
    """Inspections the caller may know of (surprise ones only once a visit has started,
    outside the team, the plan's coordinators and admins)."""
    q = policy.visible_inspections(access.current())
    for column, value in (
        (Inspection.plan_id, query.plan), (Inspection.team_id, query.team), (Inspection.unit_id, query.unit),
        (Inspection.kind, query.kind), (Inspection.status, query.status),
    ):  # fmt: skip
        if value is not None:
            q = q.where(column == value)
    return InspectionPage(
        **_page(q, query, {"id": Inspection.id}, "id", Inspection.id, InspectionOut.model_validate)
    )


@bp.get("/inspections/<int:inspection_id>")
@api.validate(resp=Resp(HTTP_200=InspectionOut), tags=["inspections"])
def inspection(inspection_id: int) -> Any:
    """One inspection."""
    q = policy.visible_inspections(access.current()).where(Inspection.id == inspection_id)
    return InspectionOut.model_validate(_one(q))


def _visits_query(user: User) -> sa.Select[Any]:
    return policy.visible_visits(user).options(joinedload(Visit.inspection))


@bp.get("/visits")
@api.validate(resp=Resp(HTTP_200=VisitPage), tags=["visits"])
def visits(query: VisitQuery) -> Any:
    """Visits the caller may know of: surprise secrecy is decided per visit."""
    q = _visits_query(access.current())
    if query.plan is not None or query.inspection is not None:
        owners = sa.select(Inspection.id)
        if query.plan is not None:
            owners = owners.where(Inspection.plan_id == query.plan)
        if query.inspection is not None:
            owners = owners.where(Inspection.id == query.inspection)
        q = q.where(Visit.inspection_id.in_(owners))
    if query.status is not None:
        q = q.where(Visit.status == query.status)
    if query.since is not None:
        q = q.where(Visit.starts_at >= local_moment(query.since, time(0)))
    if query.until is not None:
        q = q.where(Visit.starts_at < local_moment(query.until + timedelta(days=1), time(0)))
    sorts = {"starts_at": Visit.starts_at, "id": Visit.id}
    return VisitPage(**_page(q, query, sorts, "starts_at", Visit.id, _visit_out))


@bp.get("/visits/<int:visit_id>")
@api.validate(resp=Resp(HTTP_200=VisitOut), tags=["visits"])
def visit(visit_id: int) -> Any:
    """One visit."""
    return _visit_out(_one(_visits_query(access.current()).where(Visit.id == visit_id)))


def _field_visit(user: User, visit_id: int) -> Visit:
    """A visit whose field page the caller may open (as `web.load_visit`)."""
    found = _one(_visits_query(user).where(Visit.id == visit_id))
    if not policy.can_view_field(user, found.inspection):
        raise ApiProblem(404)
    return found


@bp.post("/visits/<int:visit_id>/findings")
@csrf.exempt  # as the whole blueprint: a bearer token, never a cookie
@api.validate(json=FindingIn, resp=Resp(HTTP_200=FindingOut), tags=["findings"])
def record_finding(visit_id: int, json: FindingIn) -> Any:
    """Record (or update, with the `version` read) the visit's finding on one criterion:
    members of the visit's team, once the visit has started."""
    user = access.require_write()
    found = _field_visit(user, visit_id)
    if not policy.can_record_findings(user, found.inspection.team):
        raise ApiProblem(403)
    with unit_of_work():
        finding = findings.save_visit_finding(
            found, criterion_id=json.criterion_id, result=json.result.value, severity=json.severity.value,
            text=json.text, named_individuals=json.named_individuals, expected_version=json.version,
            actor=user,
        )  # fmt: skip
    return _finding_out(user)(finding)


# --- findings, actions, cases, documents ----------------------------------------------------


@bp.get("/findings")
@api.validate(resp=Resp(HTTP_200=FindingPage), tags=["findings"])
def findings_list(query: FindingQuery) -> Any:
    """Findings on the visits and cases the caller may open (staff and teams)."""
    user = access.current()
    q = policy.visible_findings(user)
    for column, value in ((Finding.visit_id, query.visit), (Finding.case_id, query.case),
                          (Finding.result, query.result)):  # fmt: skip
        if value is not None:
            q = q.where(column == value)
    return FindingPage(**_page(q, query, {"id": Finding.id}, "id", Finding.id, _finding_out(user)))


@bp.get("/findings/<int:finding_id>")
@api.validate(resp=Resp(HTTP_200=FindingOut), tags=["findings"])
def finding(finding_id: int) -> Any:
    """One finding (the people it names only for the team, coordinators and admins)."""
    user = access.current()
    return _finding_out(user)(_one(policy.visible_findings(user).where(Finding.id == finding_id)))


@bp.get("/actions")
@api.validate(resp=Resp(HTTP_200=ActionPage), tags=["actions"])
def actions(query: ActionQuery) -> Any:
    """Corrective actions the caller may see (a unit: its own, once the conclusion is issued)."""
    q = policy.visible_actions(access.current())
    if query.status is not None:
        q = q.where(CorrectiveAction.status == query.status)
    if query.unit is not None:
        q = q.where(CorrectiveAction.unit_id == query.unit)
    sorts = {"due_on": CorrectiveAction.due_on, "id": CorrectiveAction.id}
    return ActionPage(**_page(q, query, sorts, "due_on", CorrectiveAction.id, ActionOut.model_validate))


@bp.get("/actions/<int:action_id>")
@api.validate(resp=Resp(HTTP_200=ActionOut), tags=["actions"])
def action(action_id: int) -> Any:
    """One corrective action."""
    q = policy.visible_actions(access.current()).where(CorrectiveAction.id == action_id)
    return ActionOut.model_validate(_one(q))


@bp.post("/actions/<int:action_id>/report")
@csrf.exempt  # as the whole blueprint: a bearer token, never a cookie
@api.validate(json=ReportIn, resp=Resp(HTTP_200=ActionOut), tags=["actions"])
def report_action(action_id: int, json: ReportIn) -> Any:
    """Report what the unit did about an action: the unit's contacts."""
    user = access.require_write()
    found = _one(policy.visible_actions(user).where(CorrectiveAction.id == action_id))
    if not policy.can_report_action(user, found):
        raise ApiProblem(403)
    with unit_of_work():
        remediation.report(found, text=json.text, actor=user)
    return ActionOut.model_validate(found)


@bp.get("/cases")
@api.validate(resp=Resp(HTTP_200=CasePage), tags=["cases"])
def cases(query: CaseQuery) -> Any:
    """Cases the caller may see (staff; inspectors their teams')."""
    q = policy.visible_cases(access.current())
    if query.plan is not None:
        q = q.where(Case.plan_id == query.plan)
    if query.status is not None:
        q = q.where(Case.status == query.status)
    sorts = {"received_on": Case.received_on, "id": Case.id}
    return CasePage(**_page(q, query, sorts, "received_on", Case.id, CaseOut.model_validate, descending=True))


@bp.get("/cases/<int:case_id>")
@api.validate(resp=Resp(HTTP_200=CaseOut), tags=["cases"])
def case(case_id: int) -> Any:
    """One case."""
    return CaseOut.model_validate(_one(policy.visible_cases(access.current()).where(Case.id == case_id)))


@bp.get("/documents")
@api.validate(resp=Resp(HTTP_200=DocumentPage), tags=["documents"])
def documents(query: DocumentQuery) -> Any:
    """Minutes and conclusions the caller may open (a unit: its issued conclusions)."""
    q = policy.visible_documents(access.current())
    for column, value in ((Document.visit_id, query.visit), (Document.case_id, query.case),
                          (Document.kind, query.kind)):  # fmt: skip
        if value is not None:
            q = q.where(column == value)
    return DocumentPage(**_page(q, query, {"id": Document.id}, "id", Document.id, _document_out))


@bp.get("/documents/<int:document_id>")
@api.validate(resp=Resp(HTTP_200=DocumentOut), tags=["documents"])
def document(document_id: int) -> Any:
    """One document's metadata, with the addresses of its files."""
    q = policy.visible_documents(access.current()).where(Document.id == document_id)
    return _document_out(_one(q))


@bp.get("/documents/<int:document_id>/file")
@api.validate(query=FileQuery, tags=["documents"], operation_id="get_document_file")
def document_file(document_id: int, query: FileQuery) -> Any:
    """The document as PDF (default) or DOCX."""
    found = _one(policy.visible_documents(access.current()).where(Document.id == document_id))
    subject = Subject(
        db.session.get(Visit, found.visit_id) if found.visit_id else None,
        db.session.get(Case, found.case_id) if found.case_id else None,
    )
    name = found.symbol.replace("/", "-") or f"document-{found.id}"
    if query.format == "docx":
        data, mimetype, filename = docx_of(found, subject), DOCX_TYPE, f"{name}.docx"
    else:
        pdf = pdf_of(found, subject)
        if pdf is None:
            raise ApiProblem(406, _l("PDF cannot be made on this server: ask for format=docx."))
        data, mimetype, filename = pdf, "application/pdf", f"{name}.pdf"
    response = current_app.response_class(data, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response


# --- the description, its browsable docs, and paths no route answers -------------------------


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(openapi())


@bp.get("/docs")
def docs() -> str:
    return render_template("api/docs.html")
