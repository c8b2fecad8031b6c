"""A plan's window is bounded (its year, a year either side), so that its schedule pages and
its copy can never run off the calendar; a window saved before that rule still shows."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import gettext

from inspections.auth.models import Role
from inspections.errors import InvalidInput
from inspections.plans.models import Plan
from inspections.plans.services import copy_plan, create_plan
from tests.conftest import csrf_token

WINDOW_BOUND = "The window may reach at most one year before or after %(year)d."


@pytest.fixture
def admin(db, make, client, login):
    user = make.user(Role.ADMIN, username="an")
    db.session.commit()
    login("an")
    return user


def _plan_form(**changes: str) -> dict[str, str]:
    return {
        "year": "2019",
        "title": "Kế hoạch kiểm tra CCHC năm 2019",
        "window_start": "2019-03-01",
        "window_end": "2019-12-20",
        "joint": "1",
        "surprise": "1",
        "case": "0",
        "notice_working_days": "5",
    } | changes


def _plans(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Plan))


@pytest.mark.parametrize(
    "start,end",
    [("0001-01-01", "9999-12-31"), ("2019-01-01", "9999-12-31"), ("0001-01-01", "2019-12-31")],
)
def test_a_window_far_beyond_the_plans_year_is_refused_with_a_message(app, db, client, admin, start, end):
    data = {"csrf_token": csrf_token(client, "/plans/new")} | _plan_form(window_start=start, window_end=end)
    page = client.post("/plans/new", data=data)
    assert page.status_code == 200
    with app.test_request_context():
        message = gettext(WINDOW_BOUND, year=2019)
    assert message in page.get_data(as_text=True)
    assert _plans(db) == 0


def test_a_window_a_year_either_side_is_accepted_and_its_pages_and_copy_work(db, client, admin):
    data = {"csrf_token": csrf_token(client, "/plans/new")}
    data |= _plan_form(window_start="2018-12-01", window_end="2020-01-31")
    assert client.post("/plans/new", data=data).status_code == 302
    plan = db.session.scalar(sa.select(Plan))
    assert client.get(f"/plans/{plan.id}/schedule").status_code == 200
    copied = client.post(f"/plans/{plan.id}/copy", data={"csrf_token": data["csrf_token"], "year": "2100"})
    assert copied.status_code == 302
    db.session.expire_all()
    copy = db.session.scalar(sa.select(Plan).where(Plan.year == 2100))
    assert (copy.window_start, copy.window_end) == (date(2099, 12, 1), date(2101, 1, 31))


def test_the_service_refuses_the_endless_window(db, make, in_request):
    with pytest.raises(InvalidInput):
        create_plan(
            actor=make.user(Role.COORDINATOR),
            year=2019,
            title="Vô tận",
            window_start=date.min,
            window_end=date.max,
            targets={},
        )


def test_a_window_saved_before_the_rule_still_shows_and_its_copy_is_refused(app, db, make, client, admin):
    plan = make.plan(window_start=date.min, window_end=date.max, coordinators=[admin])
    db.session.commit()
    assert client.get(f"/plans/{plan.id}/schedule").status_code == 200
    assert client.get(f"/plans/{plan.id}").status_code == 200
    token = csrf_token(client, f"/plans/{plan.id}")
    page = client.post(
        f"/plans/{plan.id}/copy", data={"csrf_token": token, "year": "2020"}, follow_redirects=True
    )
    assert page.status_code == 200 and 'class="flash error"' in page.get_data(as_text=True)
    assert _plans(db) == 1
    with app.test_request_context(), pytest.raises(InvalidInput):
        copy_plan(plan, actor=admin, year=2020)
