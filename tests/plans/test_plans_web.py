"""The coordinator's pages: plan, team, assignment with override, draw, progress, export."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from inspections.assignments.models import SurpriseDraw
from inspections.audit.models import AuditEvent
from inspections.auth.models import Role
from inspections.plans.models import Plan, PlanStatus, TargetKind
from inspections.teams.models import Team, TeamKind
from inspections.units.models import UnitKind
from inspections.visits.models import Inspection
from tests.conftest import csrf_token


@pytest.fixture
def coordinator(db, make, client, login):
    home = make.unit(code="so-noivu", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT)
    user = make.user(Role.COORDINATOR, username="lan", home_unit_id=home.id)
    db.session.commit()
    login("lan")
    return user


def _post(client, path, data, page=None):
    return client.post(path, data={"csrf_token": csrf_token(client, page)} | data, follow_redirects=True)


def test_create_approve_reopen_and_copy_a_plan_in_the_browser_forms(db, client, coordinator):
    page = _post(
        client,
        "/plans/new",
        {
            "year": "2019",
            "title": "Kế hoạch kiểm tra CCHC năm 2019",
            "window_start": "2019-03-01",
            "window_end": "2019-12-20",
            "joint": "15",
            "surprise": "28",
            "case": "4",
            "notice_working_days": "5",
        },
        "/plans/new",
    )
    assert page.status_code == 200
    plan = db.session.scalar(sa.select(Plan))
    assert plan.status == PlanStatus.DRAFT and plan.target(TargetKind.SURPRISE) == 28
    assert _post(client, f"/plans/{plan.id}/approve", {}).status_code == 200
    body = _post(client, f"/plans/{plan.id}/reopen", {"reason": ""}).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).status == PlanStatus.APPROVED
    assert 'class="flash error"' in body
    _post(client, f"/plans/{plan.id}/reopen", {"reason": "Thêm chỉ tiêu"})
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).status == PlanStatus.DRAFT
    _post(client, f"/plans/{plan.id}/copy", {"year": "2020"})
    assert (
        db.session.scalar(sa.select(Plan.title).where(Plan.year == 2020)) == "Kế hoạch kiểm tra CCHC năm 2020"
    )


def test_bad_plan_input_is_a_form_error_not_a_500(db, client, coordinator):
    page = _post(client, "/plans/new", {"year": "abc", "title": "", "window_start": "x"}, "/plans/new")
    assert page.status_code == 200 and 'class="error"' in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Plan)) == 0


def test_team_assignment_with_conflict_then_override_and_progress(db, make, client, coordinator):
    plan = make.plan(coordinators=[coordinator])
    tuphap = make.unit(code="so-tuphap", name="Sở Tư pháp", kind=UnitKind.DEPARTMENT)
    target = make.unit(code="q-hadong", name="Quận Hà Đông")
    make.user(Role.INSPECTOR, username="huy", home_unit_id=tuphap.id)
    db.session.commit()
    _post(
        client,
        f"/teams/new/{plan.id}",
        {
            "name": "Đoàn liên ngành",
            "kind": "joint",
            "visits_per_day": "1",
            "decision_number": "1234/QĐ-UBND",
        },
        f"/teams/new/{plan.id}",
    )
    team = db.session.scalar(sa.select(Team))
    _post(client, f"/teams/{team.id}/members", {"username": "huy", "role": "head"})
    page = _post(client, f"/assignments/team/{team.id}", {"unit_code": "so-tuphap"}).get_data(as_text=True)
    assert re.search("(Conflict of interest|Xung đột lợi ích)", page)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 0
    _post(
        client,
        f"/assignments/team/{team.id}",
        {"unit_code": "so-tuphap", "override_reason": "Không tham gia buổi làm việc"},
    )
    _post(client, f"/assignments/team/{team.id}", {"unit_code": "q-hadong"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 2

    detail = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    # The tables charts.js draws (tests/reports/test_charts.py has their figures).
    assert 'data-chart="bar" data-chart-id="progress-chart"' in detail and "2/15" in detail
    assert f'data-team="{team.id}"' in detail and "charts.js" in detail
    home = client.get("/").get_data(as_text=True)
    assert f'data-chart-id="progress-chart-{plan.id}"' in home and "2/15" in home

    book = load_workbook(io.BytesIO(client.get(f"/plans/{plan.id}/export.xlsx").data))
    assert {r[0] for r in book.worksheets[2].iter_rows(min_row=2, values_only=True)} == {
        "so-tuphap",
        "q-hadong",
    }
    assert target.id


def test_draw_page_shows_weights_then_draws_and_verifies(db, make, client, coordinator):
    plan = make.plan(coordinators=[coordinator])
    team = make.team(
        plan, TeamKind.PUBLIC_SERVICE, members=[make.user(Role.INSPECTOR, home_unit_id=make.unit().id)]
    )
    for i in range(10):
        make.unit(code=f"x{i}", kind=UnitKind.COMMUNE)
    db.session.commit()
    page = client.get(f"/assignments/draw/{plan.id}").get_data(as_text=True)
    assert "+3.0" in page  # the weights are on the page
    data = {
        "team_id": str(team.id),
        "kinds": ["commune"],
        "district_id": "0",
        "not_inspected_months": "0",
        "count": "4",
    }
    preview = _post(
        client, f"/assignments/draw/{plan.id}", data | {"action": "preview"}, f"/assignments/draw/{plan.id}"
    )
    assert 'id="pool"' in preview.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurpriseDraw)) == 0
    done = _post(
        client, f"/assignments/draw/{plan.id}", data | {"action": "draw"}, f"/assignments/draw/{plan.id}"
    )
    assert 'id="verified"' in done.get_data(
        as_text=True
    ) and 'class="flash error" id="verified"' not in done.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 4
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "draw.commit")) == 1


def test_another_coordinator_cannot_run_someone_elses_plan(db, make, client, login):
    owner = make.user(Role.COORDINATOR)
    make.user(Role.COORDINATOR, username="other")
    plan = make.plan(coordinators=[owner])
    db.session.commit()
    login("other")
    assert client.get(f"/plans/{plan.id}").status_code == 200
    assert client.get(f"/assignments/draw/{plan.id}").status_code == 403
    assert (
        client.post(f"/plans/{plan.id}/approve", data={"csrf_token": csrf_token(client)}).status_code == 403
    )


def test_the_old_addresses_of_moved_pages_answer_308_with_the_new_ones(db, make, client, coordinator):
    plan = make.plan(coordinators=[coordinator])
    db.session.commit()
    for old, new in [
        (f"/plans/{plan.id}/teams/new", f"/teams/new/{plan.id}"),
        (f"/plans/{plan.id}/draw", f"/assignments/draw/{plan.id}"),
        ("/draws/7", "/assignments/draws/7"),
    ]:
        response = client.get(old)
        assert response.status_code == 308 and response.headers["Location"].endswith(new), old
    assert client.get(f"/plans/{plan.id}/teams/new", follow_redirects=True).status_code == 200
