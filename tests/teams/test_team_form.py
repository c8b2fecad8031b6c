"""The new-team form: the decision's date is typed dd/mm/yyyy, as the decision is written."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from inspections.auth.models import Role
from inspections.teams.models import Team
from tests.conftest import csrf_token


def _new_team(client, plan_id: int, decision_date: str):
    url = f"/teams/new/{plan_id}"
    data = {
        "csrf_token": csrf_token(client, url),
        "name": "Đoàn liên ngành số 1",
        "kind": "joint",
        "visits_per_day": "1",
        "decision_number": "1234/QĐ-UBND",
        "decision_date": decision_date,
    }
    return client.post(url, data=data)


def test_the_decision_date_is_typed_day_month_year(make, db, client, login):
    coordinator = make.user(Role.COORDINATOR)
    plan = make.plan(coordinators=[coordinator])
    db.session.commit()
    login(coordinator.username)
    page = client.get(f"/teams/new/{plan.id}").get_data(as_text=True)
    assert 'name="decision_date"' in page and 'placeholder="dd/mm/yyyy"' in page

    assert _new_team(client, plan.id, "15/01/2019").status_code == 302
    assert db.session.scalar(sa.select(Team.decision_date)) == date(2019, 1, 15)


def test_a_decision_date_that_is_no_date_is_refused_in_vietnamese(make, db, client, login):
    coordinator = make.user(Role.COORDINATOR)
    plan = make.plan(coordinators=[coordinator])
    db.session.commit()
    login(coordinator.username)
    response = _new_team(client, plan.id, "31/02/2019")
    assert response.status_code == 200
    assert "Nhập ngày theo dạng dd/mm/yyyy, ví dụ 25/03/2026." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Team)) == 0
