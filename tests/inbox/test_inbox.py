"""Each kind of inbox item appears for the person it waits on, and leaves once done."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from inspections.auth.models import Role
from inspections.findings.models import Finding, FindingResult, Severity
from inspections.inbox.services import ItemKind, inbox_of
from inspections.outbox.models import NotificationStatus
from inspections.outbox.services import enqueue
from inspections.portal.models import Acknowledgement
from inspections.remediation.models import ActionStatus, CorrectiveAction, ExtensionRequest, ExtensionStatus
from inspections.reminders.kinds import SCHEDULE_NOTICE
from inspections.visits.models import InspectionStatus, VisitStatus
from tests.conftest import csrf_token
from tests.factories import days_from_now
from tests.fieldwork import build


def _kinds(user) -> dict[ItemKind, list[str]]:
    return {kind: [item.text for item in items] for kind, items in inbox_of(user).items.items()}


@pytest.fixture
def field(db, make, in_request):
    """A visit a month ago: well past every reminder threshold (2, 15 and 20 working days)."""
    return build(make, db, visit_at=days_from_now(-30))


def _finding(db, field) -> Finding:
    finding = Finding(
        visit_id=field.visit.id,
        criterion_id=field.criteria(db)[0].id,
        result=FindingResult.NON_COMPLIANT,
        severity=Severity.LOW,
        author_id=field.leader.id,
    )
    db.session.add(finding)
    db.session.flush()
    return finding


def _action(db, field, status=ActionStatus.OPEN) -> CorrectiveAction:
    action = CorrectiveAction(
        finding_id=_finding(db, field).id,
        unit_id=field.unit.id,
        description="Niêm yết thủ tục",
        due_on=days_from_now(10).date(),
        status=status,
    )
    db.session.add(action)
    db.session.flush()
    return action


def test_findings_not_recorded_wait_on_the_team_leader_until_recorded(db, field):
    assert _kinds(field.leader)[ItemKind.FINDINGS] == ["Quận Hà Đông"]
    assert ItemKind.FINDINGS not in _kinds(field.member)  # a member is not the one to answer
    _finding(db, field)
    assert ItemKind.FINDINGS not in _kinds(field.leader)


def test_an_overdue_conclusion_waits_on_the_leader_and_the_coordinator_until_issued(db, field):
    _finding(db, field)
    assert _kinds(field.leader)[ItemKind.CONCLUSION] == ["Quận Hà Đông"]
    assert _kinds(field.coordinator)[ItemKind.CONCLUSION] == ["Quận Hà Đông"]
    field.inspection.status = InspectionStatus.CONCLUDED
    db.session.flush()
    assert ItemKind.CONCLUSION not in _kinds(field.leader)
    assert ItemKind.CONCLUSION not in _kinds(field.coordinator)


def test_a_fresh_visit_waits_on_no_one(db, make, in_request):
    fresh = build(make, db, visit_at=days_from_now(-1) + timedelta(hours=-6))
    assert ItemKind.CONCLUSION not in _kinds(fresh.leader)
    assert ItemKind.CONCLUSION not in _kinds(fresh.coordinator)


def test_a_reported_remediation_waits_on_the_leader_until_verified(db, field):
    action = _action(db, field, ActionStatus.REPORTED)
    assert _kinds(field.leader)[ItemKind.VERIFY] == ["Quận Hà Đông — Niêm yết thủ tục"]
    assert ItemKind.VERIFY not in _kinds(field.outsider)
    action.status = ActionStatus.ACCEPTED
    db.session.flush()
    assert ItemKind.VERIFY not in _kinds(field.leader)


def test_a_request_for_more_time_waits_on_the_plan_s_coordinator_until_decided(db, make, field):
    action = _action(db, field)
    request = ExtensionRequest(
        action_id=action.id,
        unit_id=field.unit.id,
        old_due_on=action.due_on,
        requested_on=action.due_on + timedelta(days=10),
        reason="Cần thêm thời gian",
    )
    db.session.add(request)
    db.session.flush()
    assert _kinds(field.coordinator)[ItemKind.EXTENSION] == ["Quận Hà Đông — Niêm yết thủ tục"]
    assert ItemKind.EXTENSION not in _kinds(make.user(Role.COORDINATOR))  # another plan's
    request.status = ExtensionStatus.REFUSED
    db.session.flush()
    assert ItemKind.EXTENSION not in _kinds(field.coordinator)


def test_a_notice_not_acknowledged_waits_on_the_coordinator_until_acknowledged(db, make, in_request):
    field = build(make, db, visit_at=days_from_now(12))
    field.visit.status = VisitStatus.APPROVED
    row = enqueue(
        key="notice-1", kind=SCHEDULE_NOTICE, email="vanthu@hadong.example", object_type="visit",
        object_id=field.visit.id,
    )  # fmt: skip
    db.session.flush()
    assert ItemKind.UNACKNOWLEDGED not in _kinds(field.coordinator)  # not sent yet
    row.status = NotificationStatus.SENT
    db.session.flush()
    assert _kinds(field.coordinator)[ItemKind.UNACKNOWLEDGED] == ["Quận Hà Đông"]
    db.session.add(Acknowledgement(visit_id=field.visit.id, unit_id=field.unit.id))
    db.session.flush()
    assert ItemKind.UNACKNOWLEDGED not in _kinds(field.coordinator)


def test_the_navigation_counts_the_items_and_forgets_the_count_after_a_change(db, field, client, login):
    db.session.commit()
    login(field.leader.username)
    home = client.get("/").get_data(as_text=True)
    # The navigation's badge (base.html: Bootstrap's badge beside the "Inbox" link).
    count = re.compile(r'href="/inbox/"[^>]*>[^<]+<span class="badge[^"]*"[^>]*>(\d+)</span>')
    assert count.search(home)[1] == "2"  # findings, conclusion
    page = client.get("/inbox/").get_data(as_text=True)
    assert "Quận Hà Đông" in page and f'href="/visits/{field.visit.id}"' in page
    _finding(db, field)
    db.session.commit()
    assert count.search(client.get("/").get_data(as_text=True))[1] == "2"  # kept for a minute
    client.post("/language", data={"csrf_token": csrf_token(client), "language": "vi", "next": "/"})
    assert count.search(client.get("/").get_data(as_text=True))[1] == "1"  # a change: asked again


def test_only_staff_and_teams_have_an_inbox(db, field, client, login):
    login(field.contact.username)
    assert client.get("/inbox/").status_code == 403
