"""The `world` fixture: one object of every kind, seen by every persona (the route matrix
and the bad-input walk both use it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app

from inspections.auth.models import Role
from inspections.teams.models import TeamKind
from inspections.units.models import Unit


def _links_world(db, make, users, field) -> dict[str, object]:
    """A link of each purpose for the unit of "contact", and a request for more time."""
    import io

    from inspections.documents.models import Document
    from inspections.links.models import LinkPurpose
    from inspections.links.services import Actor, issue
    from inspections.links.tokens import link_token
    from inspections.portal.services import upload_self_assessment
    from inspections.remediation.models import CorrectiveAction, ExtensionRequest
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
        visit, stream=io.BytesIO(PDF), filename="tu-danh-gia.pdf", actor=Actor(user=users["contact"])
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
    from inspections.outbox.models import NotificationStatus
    from inspections.outbox.services import enqueue
    from inspections.outbox.tokens import preferences_token, unsubscribe_token

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
    from inspections.visits.models import Slot
    from inspections.workdays.models import CalendarDay, DayKind

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
