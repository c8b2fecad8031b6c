"""Corrective actions: due in working days, reported by the unit, accepted or returned."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from inspections.documents.services import Subject, issue_conclusion
from inspections.errors import Conflict, InvalidInput
from inspections.findings.services import save_visit_finding
from inspections.remediation.models import ActionStatus, CorrectiveAction
from inspections.remediation.services import add_action, overdue_actions
from tests import fieldwork
from tests.conftest import csrf_token


@pytest.fixture
def field(make, db, app):
    field = fieldwork.build(make, db)
    with app.test_request_context():
        field.finding = save_visit_finding(
            field.visit,
            criterion_id=field.criteria(db)[0].id,
            result="non_compliant",
            severity="high",
            expected_version=None,
            actor=field.leader,
        )
    db.session.commit()
    return field


@pytest.mark.usefixtures("in_request")
def test_the_due_date_counts_working_days_over_tet(field, db):
    # 2020: Tết holidays 23-29 January; 10 working days from Monday 20 January.
    action = add_action(
        field.finding,
        description="Niêm yết lại thủ tục",
        working_days=10,
        unit_id=field.unit.id,
        actor=field.leader,
        today=date(2020, 1, 20),
    )
    assert action.due_on == date(2020, 2, 10)


@pytest.mark.usefixtures("in_request")
def test_actions_only_on_non_compliant_findings_and_not_after_the_conclusion(field, db):
    ok = save_visit_finding(
        field.visit,
        criterion_id=field.criteria(db)[1].id,
        result="compliant",
        expected_version=None,
        actor=field.leader,
    )
    with pytest.raises(InvalidInput):
        add_action(ok, description="x", working_days=5, unit_id=field.unit.id, actor=field.leader)
    issue_conclusion(Subject(field.visit, None), actor=field.leader)
    with pytest.raises(Conflict):
        add_action(field.finding, description="x", working_days=5, unit_id=field.unit.id, actor=field.leader)


def _post(client, url, **data):
    return client.post(url, data={"csrf_token": csrf_token(client), **data})


def test_the_unit_reports_and_the_leader_returns_then_accepts(field, db, app, client, login):
    with app.test_request_context():
        action = add_action(
            field.finding,
            description="Đeo thẻ công chức",
            working_days=5,
            unit_id=field.unit.id,
            actor=field.leader,
        )
        issue_conclusion(Subject(field.visit, None), actor=field.leader)
    db.session.commit()
    action_id = action.id

    login(field.contact.username)
    page = client.get("/actions/").get_data(as_text=True)
    assert "Đeo thẻ công chức" in page
    assert (
        _post(client, f"/actions/{action_id}/report", text="Đã nhắc nhở toàn bộ công chức").status_code == 302
    )
    assert _post(client, f"/actions/{action_id}/accept").status_code == 404  # the unit cannot accept

    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(field.leader.username)
    assert _post(client, f"/actions/{action_id}/return", reason="").status_code == 302
    db.session.expire_all()
    assert db.session.get(CorrectiveAction, action_id).status == ActionStatus.REPORTED  # a reason is required
    _post(client, f"/actions/{action_id}/return", reason="Chưa có ảnh chụp minh chứng")
    db.session.expire_all()
    returned = db.session.get(CorrectiveAction, action_id)
    assert (returned.status, returned.return_reason) == (ActionStatus.RETURNED, "Chưa có ảnh chụp minh chứng")

    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(field.contact.username)
    _post(client, f"/actions/{action_id}/report", text="Bổ sung ảnh chụp")
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(field.leader.username)
    _post(client, f"/actions/{action_id}/accept")
    db.session.expire_all()
    done = db.session.get(CorrectiveAction, action_id)
    assert (done.status, done.verified_by_id) == (ActionStatus.ACCEPTED, field.leader.id)


def test_the_unit_sees_no_action_before_the_conclusion_is_issued(field, db, app, client, login):
    with app.test_request_context():
        add_action(
            field.finding,
            description="Hành động chưa công bố",
            working_days=5,
            unit_id=field.unit.id,
            actor=field.leader,
        )
    db.session.commit()
    login(field.contact.username)
    assert "Hành động chưa công bố" not in client.get("/actions/").get_data(as_text=True)


@pytest.mark.usefixtures("in_request")
def test_overdue_actions_feed_the_reminders(field, db):
    action = add_action(
        field.finding,
        description="x",
        working_days=1,
        unit_id=field.unit.id,
        actor=field.leader,
        today=date(2019, 10, 14),
    )
    later = date(2019, 10, 20)
    assert list(db.session.scalars(overdue_actions(later))) == [action]
    action.status = ActionStatus.ACCEPTED
    assert list(db.session.scalars(overdue_actions(later))) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CorrectiveAction)) == 1


@pytest.mark.usefixtures("in_request")
def test_only_the_team_s_leader_is_offered_accept_and_return(field, db, app, client, login):
    with app.test_request_context():
        action = add_action(
            field.finding,
            description="Niêm yết thủ tục",
            working_days=5,
            unit_id=field.unit.id,
            actor=field.leader,
        )
        issue_conclusion(Subject(field.visit, None), actor=field.leader)
    db.session.commit()
    action_id = action.id
    login(field.contact.username)
    _post(client, f"/actions/{action_id}/report", text="Đã niêm yết")
    client.post("/logout", data={"csrf_token": csrf_token(client)})

    login(field.member.username)  # on the team, not its head or deputy
    page = client.get("/actions/").get_data(as_text=True)
    assert "Niêm yết thủ tục" in page
    assert f"/actions/{action_id}/accept" not in page
    assert _post(client, f"/actions/{action_id}/accept").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client)})

    login(field.leader.username)
    assert f"/actions/{action_id}/accept" in client.get("/actions/").get_data(as_text=True)
