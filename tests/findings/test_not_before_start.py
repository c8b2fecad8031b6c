"""Nothing is recorded on a visit before it starts: no finding, no evidence, no corrective
action (issue 11, item 1). A team that could write on a surprise visit ahead of time would
set off mail to the unit before it knows of the visit. A case keeps its own rule."""

from __future__ import annotations

import io

import sqlalchemy as sa

from inspections import i18n
from inspections.auth.models import Role
from inspections.cases.services import assign, intake
from inspections.findings.models import Evidence, Finding, FindingResult, Severity
from inspections.remediation.models import CorrectiveAction
from inspections.teams.models import TeamKind
from tests import fieldwork
from tests.conftest import csrf_token
from tests.factories import days_from_now

REFUSAL = "Buổi kiểm tra chưa bắt đầu"


def _save_finding(client, visit_id, criterion_id, text):
    data = {
        "csrf_token": csrf_token(client, f"/visits/{visit_id}"),
        "criterion_id": criterion_id,
        "version": "",
        "result": "non_compliant",
        "severity": "low",
        "text": text,
    }
    return client.post(f"/visits/{visit_id}/findings", data=data, follow_redirects=True)


def test_no_finding_on_a_surprise_visit_before_it_starts(make, db, client, login):
    field = fieldwork.build(make, db, visit_at=days_from_now(2), kind=TeamKind.PUBLIC_SERVICE)
    criterion = field.criteria(db)[0]
    login(field.leader.username)

    page = _save_finding(client, field.visit.id, criterion.id, "Chưa niêm yết thủ tục")

    body = page.get_data(as_text=True)
    assert REFUSAL in body  # the refusal, in Vietnamese, on the visit page
    assert "Chưa niêm yết thủ tục" not in body.split("</form>")[-1]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Finding.id))) == 0


def test_the_offline_queue_gets_the_refusal_as_json(make, db, client, login):
    field = fieldwork.build(make, db, visit_at=days_from_now(2))
    login(field.member.username)
    response = client.post(
        f"/visits/{field.visit.id}/findings",
        data={"csrf_token": csrf_token(client, f"/visits/{field.visit.id}"),
              "criterion_id": field.criteria(db)[0].id, "version": "", "result": "compliant"},
        headers={"Accept": "application/json"},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json["ok"] is False and REFUSAL in response.json["message"]


def test_once_the_visit_has_started_the_same_finding_is_saved(make, db, client, login):
    field = fieldwork.build(make, db, visit_at=days_from_now(-1), kind=TeamKind.PUBLIC_SERVICE)
    login(field.leader.username)
    page = _save_finding(client, field.visit.id, field.criteria(db)[0].id, "Chưa niêm yết thủ tục")
    assert REFUSAL not in page.get_data(as_text=True)
    assert "Chưa niêm yết thủ tục" in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Finding.id))) == 1


def _finding_made_ahead(db, field) -> Finding:
    """A finding written before the rule held (the old code let one through)."""
    finding = Finding(
        visit_id=field.visit.id,
        criterion_id=field.criteria(db)[0].id,
        result=FindingResult.NON_COMPLIANT,
        severity=Severity.LOW,
        text="Ghi trước",
        author_id=field.leader.id,
    )
    db.session.add(finding)
    db.session.commit()
    return finding


def test_no_evidence_and_no_corrective_action_before_the_visit_starts(make, db, client, login):
    field = fieldwork.build(make, db, visit_at=days_from_now(2), kind=TeamKind.PUBLIC_SERVICE)
    finding = _finding_made_ahead(db, field)
    login(field.leader.username)

    evidence = client.post(
        f"/findings/{finding.id}/evidence",
        data={"csrf_token": csrf_token(client, f"/visits/{field.visit.id}"),
              "file": (io.BytesIO(fieldwork.jpeg()), "anh.jpg")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )  # fmt: skip
    assert REFUSAL in evidence.get_data(as_text=True)

    action = client.post(
        f"/actions/finding/{finding.id}?next=/visits/{field.visit.id}",
        data={"csrf_token": csrf_token(client, f"/visits/{field.visit.id}"),
              "description": "Niêm yết đủ thủ tục", "working_days": "10"},
        follow_redirects=True,
    )  # fmt: skip
    assert REFUSAL in action.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Evidence.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(CorrectiveAction.id))) == 0


def test_a_case_keeps_its_own_rule(make, db, client, login, in_request):
    """A case has no visit date: its team records findings from its assignment, as before."""
    field = fieldwork.build(make, db, visit_at=days_from_now(2))
    admin = make.user(Role.ADMIN)
    case = intake(
        field.plan, unit=field.unit, source="complaint", title="Phản ánh chậm trả hồ sơ",
        summary="Hồ sơ trễ hạn", received_on=i18n.today(), actor=admin,
    )  # fmt: skip
    assign(case, team=field.team, actor=admin)
    db.session.commit()
    login(field.leader.username)
    response = client.post(
        f"/cases/{case.id}/findings",
        data={"csrf_token": csrf_token(client, f"/cases/{case.id}"), "result": "non_compliant",
              "severity": "low", "text": "Trả hồ sơ trễ 12 ngày", "criterion": "", "version": ""},
        follow_redirects=True,
    )  # fmt: skip
    assert REFUSAL not in response.get_data(as_text=True)
    saved = db.session.scalar(sa.select(Finding.text).where(Finding.case_id == case.id))
    assert saved == "Trả hồ sơ trễ 12 ngày"
