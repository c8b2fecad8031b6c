"""The admin keeps the announced exceptions of the working-day calendar; schedules obey them."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.auth.models import Role
from inspections.workdays.calendar import load_calendar
from inspections.workdays.models import CalendarDay
from tests.conftest import csrf_token


def test_admin_adds_a_day_off_and_a_swapped_saturday_then_deletes_one(db, make, client, login):
    admin = make.user(Role.ADMIN)
    db.session.commit()
    login(admin.username)
    token = csrf_token(client, "/admin/calendar")
    for day, kind in (("2030-04-29", "day_off"), ("2030-05-04", "working_day")):
        response = client.post(
            "/admin/calendar", data={"csrf_token": token, "day": day, "kind": kind, "note": "Thông báo 2030"}
        )
        assert response.status_code == 302
    calendar = load_calendar(db.session)
    assert not calendar.is_working_day(date(2030, 4, 29))  # a Monday made a day off
    assert calendar.is_working_day(date(2030, 5, 4))  # a Saturday worked
    assert "29/04/2030" in client.get("/admin/calendar").get_data(as_text=True)
    client.post("/admin/calendar/2030-04-29/delete", data={"csrf_token": token})
    db.session.expire_all()
    assert load_calendar(db.session).is_working_day(date(2030, 4, 29))
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["calendar_day.set", "calendar_day.set", "calendar_day.delete"]


def test_a_bad_date_is_a_form_error_not_a_500(db, make, client, login):
    admin = make.user(Role.ADMIN)
    db.session.commit()
    login(admin.username)
    token = csrf_token(client, "/admin/calendar")
    response = client.post("/admin/calendar", data={"csrf_token": token, "day": "31/02", "kind": "day_off"})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarDay)) == 0
    assert client.post("/admin/calendar/not-a-day/delete", data={"csrf_token": token}).status_code == 404
