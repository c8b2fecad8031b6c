"""Every route × every role: the answer each persona gets.

The matrix must name every route of the application: a new route fails this test until
someone decides who may use it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app

from inspections.auth.models import Role
from inspections.teams.models import TeamKind
from inspections.units.models import Unit
from tests.conftest import csrf_token

PERSONAS = ["anonymous", "admin", "coordinator", "observer", "leader", "outsider", "contact"]

# endpoint -> (method, path template, {persona: expected status})
ALL = dict.fromkeys(PERSONAS)
# Coordinator workflow: who may see / run a plan, and the unit registry.
_SEE_PLAN = {
    "anonymous": 302,
    "admin": 200,
    "coordinator": 200,
    "observer": 200,
    "leader": 200,
    "outsider": 404,
    "contact": 404,
}
_RUN_PLAN = {"anonymous": 302, "observer": 403, "leader": 403, "outsider": 404, "contact": 404}
_UNITS_VIEW = {p: 403 for p in PERSONAS} | {
    "anonymous": 302,
    "admin": 200,
    "coordinator": 200,
    "observer": 200,
}
_UNITS_MANAGE = {p: 403 for p in PERSONAS} | {"anonymous": 302}

MATRIX: dict[str, tuple[str, str, dict[str, int]]] = {
    # --- coordinator workflow: plans, units, teams, assignment, draw ---
    # On a plan of its own that "coordinator" runs and whose joint team "leader" sits on.
    "plans.new": (
        "GET",
        "/plans/new",
        {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 200, "coordinator": 200},
    ),
    "plans.edit": ("GET", "/plans/{cw_plan_id}/edit", _RUN_PLAN | {"admin": 200, "coordinator": 200}),
    "plans.approve": ("POST", "/plans/{cw_plan_id}/approve", _RUN_PLAN | {"admin": 302, "coordinator": 302}),
    "plans.reopen": ("POST", "/plans/{cw_plan_id}/reopen", _RUN_PLAN | {"admin": 302, "coordinator": 302}),
    "plans.close": ("POST", "/plans/{cw_plan_id}/close", _RUN_PLAN | {"admin": 302, "coordinator": 302}),
    "plans.copy": (
        "POST",
        "/plans/{cw_plan_id}/copy",
        {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 302, "coordinator": 302},
    ),
    "plans.export": ("GET", "/plans/{cw_plan_id}/export.xlsx", _SEE_PLAN),
    "units.index": ("GET", "/units/", _UNITS_VIEW),
    "units.detail": ("GET", "/units/{unit_id}", _UNITS_VIEW),
    "units.export": ("GET", "/units/export.csv", _UNITS_VIEW),
    "units.new": ("GET", "/units/new", _UNITS_MANAGE | {"admin": 200, "coordinator": 200}),
    "units.edit": ("GET", "/units/{unit_id}/edit", _UNITS_MANAGE | {"admin": 200, "coordinator": 200}),
    "units.import_file": ("GET", "/units/import", _UNITS_MANAGE | {"admin": 200, "coordinator": 200}),
    "units.import_commit": (
        "POST",
        "/units/import/commit",
        _UNITS_MANAGE | {"admin": 302, "coordinator": 302},
    ),
    "assignments.assign_bulk": ("POST", "/units/assign", _UNITS_MANAGE | {"admin": 302, "coordinator": 302}),
    "teams.new": ("GET", "/plans/{cw_plan_id}/teams/new", _RUN_PLAN | {"admin": 200, "coordinator": 200}),
    "teams.detail": ("GET", "/teams/{team_id}", _SEE_PLAN),
    "teams.add": ("POST", "/teams/{team_id}/members", _RUN_PLAN | {"admin": 302, "coordinator": 302}),
    "teams.remove": (
        "POST",
        "/teams/{team_id}/members/{membership_id}/remove",
        _RUN_PLAN | {"admin": 302, "coordinator": 302},
    ),
    "assignments.assign_one": (
        "POST",
        "/teams/{team_id}/assign",
        _RUN_PLAN | {"admin": 302, "coordinator": 302},
    ),
    "assignments.draw": ("GET", "/plans/{cw_plan_id}/draw", _RUN_PLAN | {"admin": 200, "coordinator": 200}),
    "assignments.draw_detail": (
        "GET",
        "/draws/{draw_id}",
        {p: 404 for p in PERSONAS} | {"anonymous": 302, "admin": 200, "coordinator": 200},
    ),
    "auth.login": ("GET", "/login", {p: 302 for p in PERSONAS} | {"anonymous": 200}),
    "auth.logout": ("POST", "/logout", {p: 302 for p in PERSONAS}),
    "auth.change_language": ("POST", "/language", {p: 302 for p in PERSONAS}),
    "reports.home": ("GET", "/", {p: 200 for p in PERSONAS} | {"anonymous": 302}),
    "plans.index": (
        "GET",
        "/plans/",
        {p: 200 for p in PERSONAS} | {"anonymous": 302, "contact": 403},
    ),
    "plans.detail": (
        "GET",
        "/plans/{plan_id}",
        {
            "anonymous": 302,
            "admin": 200,
            "coordinator": 200,
            "observer": 200,
            "leader": 200,
            "outsider": 404,
            "contact": 404,
        },
    ),
    "audit.index": ("GET", "/audit/", {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 200}),
    "system.status": ("GET", "/admin/system", {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 200}),
    "system.healthz": ("GET", "/healthz", {p: 200 for p in PERSONAS}),
    # --- notifications: the admin outbox, and the signed links in mail (no login) ---
    "notifications.outbox": (
        "GET",
        "/admin/outbox",
        {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 200},
    ),
    "notifications.resend_one": (
        "POST",
        "/admin/outbox/{failed_notification_id}/resend",
        {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 302},
    ),
    "notifications.resume": (
        "POST",
        "/admin/outbox/resume",
        {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 302},
    ),
    # A plan's reminder offsets: its coordinators and admins.
    "notifications.plan_reminders": (
        "GET",
        "/plans/{cw_plan_id}/reminders",
        _RUN_PLAN | {"admin": 200, "coordinator": 200},
    ),
    "notifications.unsubscribe": ("GET", "/unsubscribe/{unsubscribe_token}", {p: 200 for p in PERSONAS}),
    "notifications.preferences": (
        "GET",
        "/email-preferences/{preferences_token}",
        {p: 200 for p in PERSONAS},
    ),
    # --- scheduling ---
    "scheduling.schedule": (
        "GET",
        "/plans/{plan_id}/schedule",
        {p: 404 for p in PERSONAS} | {"anonymous": 302, "admin": 200},
    ),
    "scheduling.progress": (
        "GET",
        "/plans/{plan_id}/schedule/progress",
        {p: 404 for p in PERSONAS} | {"anonymous": 302, "admin": 200},
    ),
    "scheduling.propose": (
        "POST",
        "/plans/{plan_id}/schedule/propose",
        {p: 404 for p in PERSONAS} | {"anonymous": 302, "admin": 302},
    ),
    "scheduling.settings": (
        "POST",
        "/plans/{plan_id}/schedule/settings",
        {p: 404 for p in PERSONAS} | {"anonymous": 302, "admin": 302},
    ),
    "scheduling.add_blackout": (
        "POST",
        "/plans/{plan_id}/schedule/blackouts",
        {p: 404 for p in PERSONAS} | {"anonymous": 302, "admin": 302},
    ),
    "scheduling.move": (
        "POST",
        "/schedule/items/{item_id}/move",
        {p: 404 for p in PERSONAS} | {"anonymous": 302, "admin": 302},
    ),
    "scheduling.approve": (
        "POST",
        "/schedule/proposals/{proposal_id}/approve",
        {p: 404 for p in PERSONAS} | {"anonymous": 302, "admin": 302},
    ),
    "scheduling.my_calendar": ("GET", "/calendar", {p: 200 for p in PERSONAS} | {"anonymous": 302}),
    "scheduling.new_feed": ("POST", "/calendar/feed", {p: 302 for p in PERSONAS}),
    "scheduling.revoke_feed": ("POST", "/calendar/feed/revoke", {p: 302 for p in PERSONAS}),
    "scheduling.feed": ("GET", "/calendar/feed/{feed_token}.ics", {p: 200 for p in PERSONAS}),
    "scheduling.work_calendar": (
        "GET",
        "/admin/calendar",
        {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 200},
    ),
    "scheduling.delete_calendar_day": (
        "POST",
        "/admin/calendar/2030-01-02/delete",
        {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 302},
    ),
}


# --- field work: visits, findings, documents, corrective actions, cases ---
# On a plan "coordinator" runs: a visit of the team "leader" heads, at the unit of "contact",
# and a case of that unit, concluded, with an action the unit must report on.
_FIELD_TEAM_ONLY = {
    "anonymous": 302,
    "admin": 403,
    "coordinator": 403,
    "observer": 403,
    "leader": 302,
    "outsider": 404,
    "contact": 404,
}
_FIELD_SEE = {p: 200 for p in PERSONAS} | {"anonymous": 302, "outsider": 404, "contact": 404}
_STAFF_AND_INSPECTORS = {p: 200 for p in PERSONAS} | {"anonymous": 302, "contact": 403}
_ADMIN_POST = {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 302}
MATRIX |= {
    "visits.index": ("GET", "/visits/", _STAFF_AND_INSPECTORS),
    "visits.create": (
        "POST",
        "/visits/new/{field_inspection_id}",
        _FIELD_TEAM_ONLY | {"admin": 302, "coordinator": 302, "contact": 403},
    ),
    "visits.detail": ("GET", "/visits/{visit_id}", _FIELD_SEE),
    "findings.save_visit_finding": ("POST", "/visits/{visit_id}/findings", _FIELD_TEAM_ONLY),
    "findings.upload_evidence": ("POST", "/findings/{finding_id}/evidence", _FIELD_TEAM_ONLY),
    "findings.evidence": ("GET", "/evidence/{evidence_id}", _FIELD_SEE),
    "findings.checklist_index": ("GET", "/checklists/", _STAFF_AND_INSPECTORS),
    "findings.checklist_detail": ("GET", "/checklists/{template_id}", _STAFF_AND_INSPECTORS),
    "findings.checklist_new_version": ("POST", "/checklists/{template_id}/new-version", _ADMIN_POST),
    "findings.checklist_publish": ("POST", "/checklists/{template_id}/publish", _ADMIN_POST),
    "findings.criterion_new": (
        "GET",
        "/checklists/{template_id}/criteria/new",
        _ADMIN_POST | {"admin": 200},
    ),
    "findings.criterion_edit": ("GET", "/checklists/criteria/{criterion_id}", _ADMIN_POST | {"admin": 200}),
    "documents.minutes": ("POST", "/documents/visit/{visit_id}/minutes", _FIELD_TEAM_ONLY),
    "documents.conclusion": ("POST", "/documents/visit/{visit_id}/conclusion", _FIELD_TEAM_ONLY),
    "documents.show": ("GET", "/documents/{document_id}", _FIELD_SEE | {"contact": 200}),
    "documents.pdf": ("GET", "/documents/{document_id}.pdf", _FIELD_SEE | {"contact": 200}),
    "documents.docx": ("GET", "/documents/{document_id}.docx", _FIELD_SEE | {"contact": 200}),
    "remediation.index": ("GET", "/actions/", {p: 200 for p in PERSONAS} | {"anonymous": 302}),
    "remediation.create": ("POST", "/actions/finding/{finding_id}", _FIELD_TEAM_ONLY),
    "remediation.report": (
        "POST",
        "/actions/{action_id}/report",
        _FIELD_TEAM_ONLY | {"leader": 403, "contact": 302},
    ),
    "remediation.accept": ("POST", "/actions/{action_id}/accept", _FIELD_TEAM_ONLY),
    "remediation.return_report": ("POST", "/actions/{action_id}/return", _FIELD_TEAM_ONLY),
    "cases.index": ("GET", "/cases/", _STAFF_AND_INSPECTORS),
    "cases.new": ("GET", "/cases/new", _ADMIN_POST | {"admin": 200, "coordinator": 200}),
    "cases.detail": ("GET", "/cases/{case_id}", _FIELD_SEE),
    "cases.assign": (
        "POST",
        "/cases/{case_id}/assign",
        _FIELD_TEAM_ONLY | {"admin": 302, "coordinator": 302, "leader": 403},
    ),
    "cases.attach": (
        "POST",
        "/cases/{case_id}/attachments",
        _FIELD_TEAM_ONLY | {"admin": 302, "coordinator": 302},
    ),
    "cases.attachment": ("GET", "/cases/attachments/{attachment_id}", _FIELD_SEE),
    "cases.save_finding": ("POST", "/cases/{case_id}/findings", _FIELD_TEAM_ONLY),
}


# --- links: signed links (no login), the unit dashboard, extension decisions, admin list ---
_UNIT_ONLY = {p: 403 for p in PERSONAS} | {"anonymous": 302}
_LINK_PAGE = {p: 200 for p in PERSONAS}
_CONTACT_POST = _UNIT_ONLY | {"contact": 302}
_DECIDE = _UNIT_ONLY | {"admin": 302, "coordinator": 302}
MATRIX |= {
    "links.acknowledge": ("GET", "/l/acknowledge/{ack_token}", _LINK_PAGE),
    "links.self_assessment": ("GET", "/l/self-assessment/{self_assessment_token}", _LINK_PAGE),
    "links.conclusion": ("GET", "/l/conclusion/{conclusion_token}", _LINK_PAGE),
    "links.remediation": ("GET", "/l/action/{remediation_token}", _LINK_PAGE),
    "links.extension": ("POST", "/l/action/{remediation_token}/extension", {p: 302 for p in PERSONAS}),
    "links.fresh": ("POST", "/l/fresh", _LINK_PAGE),
    "links.dashboard": ("GET", "/unit/", _UNIT_ONLY | {"contact": 200}),
    "links.unit_acknowledge": ("POST", "/unit/visits/{links_visit_id}/acknowledge", _CONTACT_POST),
    "links.unit_upload": ("POST", "/unit/visits/{links_visit_id}/self-assessment", _CONTACT_POST),
    "links.unit_action": ("GET", "/unit/actions/{action_id}", _UNIT_ONLY | {"contact": 200}),
    "links.unit_extension": ("POST", "/unit/actions/{action_id}/extension", _CONTACT_POST),
    "links.extensions": ("GET", "/extensions/", _UNIT_ONLY | {"admin": 200, "coordinator": 200}),
    "links.decide": ("POST", "/extensions/{extension_id}/decide", _DECIDE),
    "links.unit_links": ("GET", "/admin/units/{unit_id}/links", _UNIT_ONLY | {"admin": 200}),
    "links.revoke": ("POST", "/admin/links/{link_id}/revoke", _UNIT_ONLY | {"admin": 302}),
    "links.upload_file": ("GET", "/unit-uploads/{unit_upload_id}", _FIELD_SEE | {"contact": 200}),
}


def _links_world(db, make, users, field) -> dict[str, object]:
    """A link of each purpose for the unit of "contact", and a request for more time."""
    import io

    from inspections.documents.models import Document
    from inspections.links.models import ExtensionRequest, LinkPurpose
    from inspections.links.services import Actor, issue, upload_self_assessment
    from inspections.links.tokens import link_token
    from inspections.remediation.models import CorrectiveAction
    from tests.factories import days_from_now
    from tests.fieldwork import PDF

    unit = db.session.get(Unit, users["contact"].home_unit_id)
    team = make.team(make.plan(), TeamKind.JOINT, members=[users["leader"]])
    visit = make.inspection(team, unit, visit_at=days_from_now(10)).visits[0]
    action = db.session.get(CorrectiveAction, field["action_id"])
    document = db.session.get(Document, field["document_id"])
    email = users["contact"].email
    links = {
        purpose: issue(purpose, obj, email=email, contact_id=None)
        for purpose, obj in (
            (LinkPurpose.ACKNOWLEDGE, visit),
            (LinkPurpose.SELF_ASSESSMENT, visit),
            (LinkPurpose.CONCLUSION, document),
            (LinkPurpose.REMEDIATION, action),
        )
    }
    request = ExtensionRequest(
        action_id=action.id, unit_id=unit.id, old_due_on=action.due_on,
        requested_on=action.due_on + timedelta(days=10), reason="Xin thêm thời gian",
    )  # fmt: skip
    db.session.add(request)
    upload = upload_self_assessment(
        visit, stream=io.BytesIO(PDF), filename="tu-danh-gia.pdf", by=Actor(user=users["contact"])
    )
    db.session.flush()
    return {
        "unit_upload_id": upload.id,
        "ack_token": link_token(links[LinkPurpose.ACKNOWLEDGE]),
        "self_assessment_token": link_token(links[LinkPurpose.SELF_ASSESSMENT]),
        "conclusion_token": link_token(links[LinkPurpose.CONCLUSION]),
        "remediation_token": link_token(links[LinkPurpose.REMEDIATION]),
        "links_visit_id": visit.id,
        "extension_id": request.id,
        "link_id": links[LinkPurpose.REMEDIATION].id,
    }


def _field_world(db, make, users) -> dict[str, object]:
    import io

    from flask import current_app

    from inspections.cases.services import add_attachment, assign
    from inspections.documents.services import Subject, generate_minutes, issue_conclusion
    from inspections.findings.checklists import load_default_template
    from inspections.findings.services import add_evidence, save_case_finding, save_visit_finding
    from inspections.remediation.services import add_action
    from tests.factories import days_from_now
    from tests.fieldwork import PDF, jpeg

    leader, unit_id = users["leader"], users["contact"].home_unit_id
    plan = make.plan(coordinators=[users["coordinator"]])
    team = make.team(plan, TeamKind.JOINT, members=[leader])
    inspection = make.inspection(team, db.session.get(Unit, unit_id), visit_at=days_from_now(-1))
    template, _ = load_default_template()
    with current_app.test_request_context():
        criterion = next(c for c in template.criteria if c.parent_id)
        visit = inspection.visits[0]
        finding = save_visit_finding(
            visit, criterion_id=criterion.id, result="non_compliant", severity="low",
            expected_version=None, actor=leader,
        )  # fmt: skip
        evidence = add_evidence(finding, stream=io.BytesIO(jpeg()), filename="anh.jpg", actor=leader)
        generate_minutes(Subject(visit, None), actor=leader)
        case = intake_case(plan, unit_id, users["coordinator"])
        assign(case, team=team, actor=users["coordinator"])
        attachment = add_attachment(
            case, stream=io.BytesIO(PDF), filename="don.pdf", actor=users["coordinator"]
        )
        case_finding = save_case_finding(
            case, criterion_id=None, result="non_compliant", severity="low", text="Có sai phạm",
            expected_version=None, actor=leader,
        )  # fmt: skip
        action = add_action(
            case_finding, description="Khắc phục", working_days=5, unit_id=unit_id, actor=leader
        )
        # Files are made on demand here: rendering a PDF for every cell would slow the matrix.
        conclusion = issue_conclusion(Subject(None, case), actor=leader, store_files=False)
    return {
        "field_inspection_id": inspection.id,
        "visit_id": visit.id,
        "finding_id": finding.id,
        "evidence_id": evidence.id,
        "template_id": template.id,
        "criterion_id": criterion.id,
        "document_id": conclusion.id,
        "action_id": action.id,
        "case_id": case.id,
        "attachment_id": attachment.id,
    }


def intake_case(plan, unit_id, coordinator):
    from datetime import date

    from inspections.cases.services import intake
    from inspections.extensions import db

    return intake(
        plan, unit=db.session.get(Unit, unit_id), source="complaint", title="Hồ sơ trễ hạn",
        summary="Phản ánh", received_on=date(2019, 5, 6), actor=coordinator,
    )  # fmt: skip


@pytest.fixture
def world(db, make):
    users = {
        "admin": make.user(Role.ADMIN),
        "coordinator": make.user(Role.COORDINATOR),
        "observer": make.user(Role.OBSERVER),
        "leader": make.user(Role.INSPECTOR, home_unit_id=make.unit().id),
        "outsider": make.user(Role.INSPECTOR, home_unit_id=make.unit().id),
        "contact": make.user(Role.UNIT_CONTACT),
    }
    plan = make.plan()
    make.team(plan, TeamKind.JOINT, members=[users["leader"]])
    scheduling = _scheduling_world(db, make, users["admin"])
    coordinator = _coordinator_world(db, make, users)
    field = _field_world(db, make, users)
    notifications = _notifications_world()
    with current_app.test_request_context():
        links = _links_world(db, make, users, field)
    db.session.commit()
    return (
        {"users": {k: u.username for k, u in users.items()}, "plan_id": plan.id}
        | scheduling
        | coordinator
        | notifications
        | field
        | links
    )


def _notifications_world() -> dict[str, object]:
    """A failed outbox row, and the signed links an optional reminder carries."""
    from inspections.notifications.links import preferences_token, unsubscribe_token
    from inspections.notifications.models import NotificationStatus
    from inspections.notifications.services import enqueue

    row = enqueue(key="matrix:failed", kind="visit_reminder", email="x@test.example")
    row.status = NotificationStatus.FAILED
    return {
        "failed_notification_id": row.id,
        "unsubscribe_token": unsubscribe_token("x@test.example", "visit_reminder"),
        "preferences_token": preferences_token("x@test.example"),
    }


def _coordinator_world(db, make, users) -> dict[str, object]:
    """A plan run by "coordinator", a joint team with "leader", a unit, a surprise draw."""
    from inspections.assignments.draw import PoolFilters, perform_draw

    plan = make.plan(coordinators=[users["coordinator"]])
    team = make.team(plan, TeamKind.JOINT, members=[users["leader"]])
    surprise = make.team(plan, TeamKind.PUBLIC_SERVICE)
    unit = make.unit()
    draw = perform_draw(surprise, actor=users["coordinator"], count=1, filters=PoolFilters())
    return {
        "cw_plan_id": plan.id,
        "team_id": team.id,
        "membership_id": team.memberships[0].id,
        "unit_id": unit.id,
        "draw_id": draw.id,
    }


def _scheduling_world(db, make, admin) -> dict[str, object]:
    """A proposal waiting for review on a plan of its own, a feed, a calendar exception."""
    from datetime import date

    from inspections.scheduling.feeds import new_feed
    from inspections.scheduling.models import ProposalItem, ProposalStatus, ScheduleProposal
    from inspections.visits.models import CalendarDay, DayKind, Slot

    plan = make.plan(window_start=date(2030, 3, 1), window_end=date(2030, 6, 30))
    inspection = make.inspection(make.team(plan, TeamKind.JOINT), make.unit())
    proposal = ScheduleProposal(
        plan_id=plan.id, status=ProposalStatus.READY, seed=1, notice_on=date(2030, 2, 1)
    )
    proposal.items.append(ProposalItem(inspection_id=inspection.id, day=date(2030, 3, 11), slot=Slot.MORNING))
    db.session.add(proposal)
    db.session.add(CalendarDay(day=date(2030, 1, 2), kind=DayKind.DAY_OFF, note="test"))
    db.session.flush()
    return {"item_id": proposal.items[0].id, "proposal_id": proposal.id, "feed_token": new_feed(admin)}


def test_the_matrix_names_every_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints == set(MATRIX)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_answers_persona(endpoint, persona, world, client, login):
    method, path, expected = MATRIX[endpoint]
    if persona != "anonymous":
        assert login(world["users"][persona]).status_code == 302
    url = path.format(**world)
    if method == "POST":
        response = client.post(url, data={"csrf_token": csrf_token(client)})
    else:
        response = client.get(url)
    assert response.status_code == expected[persona], f"{persona} {method} {url}"
