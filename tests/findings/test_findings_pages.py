"""The visit page: saving findings from the form, who sees named people, query counts."""

from __future__ import annotations

import io
from contextlib import contextmanager
from datetime import date

import pytest
import sqlalchemy as sa

from inspections.auth.models import Role
from inspections.cases.services import assign, intake
from inspections.extensions import db as _db
from inspections.findings.models import Finding
from inspections.findings.services import add_evidence, save_case_finding, save_visit_finding
from inspections.remediation.services import add_action
from inspections.teams.models import TeamKind
from tests import fieldwork
from tests.conftest import csrf_token
from tests.factories import days_from_now


@pytest.fixture
def field(make, db):
    return fieldwork.build(make, db)


def _save(client, field, criterion_id, *, version="", json=True, **values):
    token = csrf_token(client, f"/visits/{field.visit.id}")
    data = {
        "csrf_token": token,
        "criterion_id": criterion_id,
        "version": version,
        "result": "compliant",
    } | values
    headers = {"Accept": "application/json"} if json else {}
    return client.post(f"/visits/{field.visit.id}/findings", data=data, headers=headers)


def test_a_member_saves_a_finding_and_sees_it_on_the_page(field, client, login, db):
    criterion = field.criteria(db)[0]
    login(field.member.username)
    response = _save(client, field, criterion.id, text="Niêm yết đủ 120 thủ tục", json=False)
    assert response.status_code == 302
    page = client.get(f"/visits/{field.visit.id}").get_data(as_text=True)
    assert "Niêm yết đủ 120 thủ tục" in page
    assert db.session.scalar(sa.select(Finding.text)) == "Niêm yết đủ 120 thủ tục"


def test_a_stale_save_gets_a_clear_message_and_the_saved_text(field, client, login, db):
    criterion = field.criteria(db)[0]
    login(field.member.username)
    first = _save(client, field, criterion.id, text="bản 1")
    assert first.json["version"] == 1
    assert _save(client, field, criterion.id, version="1", text="bản 2").json["version"] == 2
    stale = _save(client, field, criterion.id, version="1", text="bản cũ")
    assert stale.status_code == 409
    assert "đã sửa kết quả này trong lúc bạn đang sửa" in stale.json["message"]
    assert stale.json["current"] == {
        "version": 2,
        "result": "compliant",
        "text": "bản 2",
        "by": field.member.full_name,
    }
    assert db.session.scalar(sa.select(Finding.text)) == "bản 2"


def test_named_individuals_are_seen_by_the_team_coordinators_and_admins_only(
    field, client, login, db, make, app
):
    with app.test_request_context():
        save_visit_finding(
            field.visit,
            criterion_id=field.criteria(db)[-1].id,
            result="non_compliant",
            severity="medium",
            text="Công chức không đeo thẻ",
            named_individuals="Ông Nguyễn Văn X, cán bộ tư pháp",
            expected_version=None,
            actor=field.leader,
        )
    observer = make.user(Role.OBSERVER)
    other_coordinator = make.user(Role.COORDINATOR)
    admin = make.user(Role.ADMIN)
    db.session.commit()
    url = f"/visits/{field.visit.id}"
    expected = {
        field.member.username: True,
        field.coordinator.username: True,
        admin.username: True,
        observer.username: False,
        other_coordinator.username: False,
    }
    for username, sees in expected.items():
        client.post("/logout", data={"csrf_token": csrf_token(client)})
        login(username)
        page = client.get(url)
        assert page.status_code == 200, username
        body = page.get_data(as_text=True)
        assert "Công chức không đeo thẻ" in body, username
        assert ("Nguyễn Văn X" in body) is sees, username


@contextmanager
def count_queries():
    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(_db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(_db.engine, "before_cursor_execute", listener)


FIELD_PAGE_QUERY_LIMIT = 25


def _add_findings(field, db, app, start: int, stop: int) -> None:
    """Non-compliant findings, each with a photo and a corrective action."""
    with app.test_request_context():
        for criterion in field.criteria(db)[start:stop]:
            finding = save_visit_finding(
                field.visit,
                criterion_id=criterion.id,
                result="non_compliant",
                severity="low",
                text=f"ghi chú {criterion.code}",
                expected_version=None,
                actor=field.member,
            )
            add_evidence(finding, stream=io.BytesIO(fieldwork.jpeg()), filename="anh.jpg", actor=field.member)
            add_action(
                finding, description="Khắc phục", working_days=10, unit_id=field.unit.id, actor=field.leader
            )
    db.session.commit()


@pytest.mark.parametrize("page", ["visit", "actions"])
def test_field_pages_issue_a_fixed_number_of_queries_whatever_the_number_of_findings(
    field, client, login, db, app, page
):
    login(field.leader.username)
    url = f"/visits/{field.visit.id}" if page == "visit" else "/actions/"
    client.get(url)  # the navigation's inbox count is asked once, then kept (inbox.routes)
    counts = []
    for start, stop in ((0, 1), (1, 15)):
        _add_findings(field, db, app, start, stop)
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    print(f"{url}: {counts[0]} queries with 1 finding, {counts[1]} with 15")
    assert counts[0] == counts[1], counts
    assert counts[1] <= FIELD_PAGE_QUERY_LIMIT, counts


def test_the_case_page_issues_a_fixed_number_of_queries(field, client, login, db, app):
    with app.test_request_context():
        case = intake(
            field.plan, unit=field.unit, source="press", title="Bài báo", summary="Phản ánh",
            received_on=date(2019, 6, 12), actor=field.coordinator,
        )  # fmt: skip
        assign(case, team=field.team, actor=field.coordinator)
    db.session.commit()
    login(field.leader.username)
    client.get(f"/cases/{case.id}")  # the navigation's inbox count is asked once, then kept
    counts = []
    for n in (1, 10):
        with app.test_request_context():
            while db.session.scalar(sa.select(sa.func.count()).where(Finding.case_id == case.id)) < n:
                finding = save_case_finding(
                    case, criterion_id=field.criteria(db)[n].id, result="non_compliant", severity="low",
                    text="x", expected_version=None, actor=field.member,
                )  # fmt: skip
                add_evidence(
                    finding, stream=io.BytesIO(fieldwork.jpeg()), filename="a.jpg", actor=field.member
                )
                add_action(
                    finding, description="y", working_days=5, unit_id=field.unit.id, actor=field.leader
                )
        db.session.commit()
        with count_queries() as statements:
            assert client.get(f"/cases/{case.id}").status_code == 200
        counts.append(len(statements))
    print(f"/cases/{case.id}: {counts[0]} queries with 1 finding, {counts[1]} with 10")
    assert counts[0] == counts[1] <= FIELD_PAGE_QUERY_LIMIT, counts


def test_a_surprise_visit_page_is_hidden_until_it_starts(make, db, client, login):
    field = fieldwork.build(make, db, visit_at=days_from_now(3), kind=TeamKind.PUBLIC_SERVICE)
    other_coordinator = make.user(Role.COORDINATOR)
    observer = make.user(Role.OBSERVER)
    db.session.commit()
    url = f"/visits/{field.visit.id}"
    for username, status in (
        (field.member.username, 200),
        (field.coordinator.username, 200),
        (other_coordinator.username, 404),
        (observer.username, 404),
        (field.contact.username, 404),
    ):
        client.post("/logout", data={"csrf_token": csrf_token(client)})
        login(username)
        assert client.get(url).status_code == status, username
        listed = field.unit.name in client.get("/visits/").get_data(as_text=True)
        assert listed is (status == 200) or username == field.contact.username, username
