"""Months and weeks a calendar cannot show (year 9999, year 1, month 13, a 20-digit year):
the page answers with a message and the default month, never an error."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import gettext

from inspections.auth.models import Role
from inspections.forms import FIRST_YEAR, LAST_YEAR
from inspections.teams.models import TeamKind

OUT_OF_RANGE = "The calendar shows the years %(first)d to %(last)d: that date cannot be shown."
ODD = ["9999-12", "0001-01", "2019-13", "2019-00", "99999999999999999999-01", "x"]


def _message(app) -> str:
    with app.test_request_context():
        return gettext(OUT_OF_RANGE, first=FIRST_YEAR, last=LAST_YEAR)


@pytest.mark.parametrize("month", ODD)
def test_a_unit_contacts_calendar_takes_any_month(app, db, make, client, login, month):
    contact = make.user(Role.UNIT_CONTACT)
    db.session.commit()
    login(contact.username)
    page = client.get(f"/calendar?month={month}")
    assert page.status_code == 200 and _message(app) in page.get_data(as_text=True)


def test_the_calendars_edges_still_show(app, db, make, client, login):
    contact = make.user(Role.UNIT_CONTACT)
    db.session.commit()
    login(contact.username)
    for month in (f"{FIRST_YEAR}-01", f"{LAST_YEAR}-12", "2019-05"):
        page = client.get(f"/calendar?month={month}")
        assert page.status_code == 200 and _message(app) not in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [f"month={m}" for m in ODD]
    + ["view=week&week=9999-12-31", "view=week&week=0001-01-01", "team=" + "9" * 20],
)
def test_a_plan_schedule_takes_any_month_or_week(app, db, make, client, login, query):
    admin = make.user(Role.ADMIN)
    plan = make.plan(window_start=date(2019, 3, 1), window_end=date(2019, 12, 20))
    make.inspection(make.team(plan, TeamKind.JOINT), make.unit())
    db.session.commit()
    login(admin.username)
    page = client.get(f"/plans/{plan.id}/schedule?{query}")
    assert page.status_code == 200
    if "team=" not in query:
        assert _message(app) in page.get_data(as_text=True)
