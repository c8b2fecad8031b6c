"""A visit fixed by hand gets its schedule notice, as an approved schedule's visits do:
announced visits only, never a surprise one."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from inspections.auth.models import Role
from inspections.i18n import today
from inspections.outbox.models import Notification
from inspections.reminders.kinds import SCHEDULE_NOTICE
from inspections.teams.models import TeamKind
from inspections.units.models import UnitContact
from inspections.visits.models import Visit
from inspections.visits.services import create_visit
from inspections.workdays.calendar import load_calendar
from tests.conftest import csrf_token


def _inspection(db, make, kind: TeamKind):
    unit = make.unit(name="Huyện Sóc Sơn")
    db.session.add_all(
        [
            UnitContact(unit=unit, name="Văn thư", email="vanthu@socson.example"),
            UnitContact(unit=unit, name="Former", email="former@socson.example", active=False),
        ]
    )
    coordinator = make.user(Role.COORDINATOR)
    plan = make.plan(
        coordinators=[coordinator], window_start=today(), window_end=today() + timedelta(days=120)
    )
    team = make.team(plan, kind, members=[make.user(Role.INSPECTOR)])
    inspection = make.inspection(team, unit)
    db.session.commit()
    return inspection, coordinator


def _a_working_day_ahead(db):
    return load_calendar(db.session).add_working_days(today(), 10)


def _notices(db) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.kind == SCHEDULE_NOTICE)))


def test_an_announced_visit_fixed_by_hand_notifies_the_units_active_contacts(db, make):
    inspection, coordinator = _inspection(db, make, TeamKind.JOINT)
    visit = create_visit(inspection, day=_a_working_day_ahead(db), slot="morning", actor=coordinator)
    db.session.commit()

    [row] = _notices(db)
    assert row.recipient_email == "vanthu@socson.example" and row.mandatory
    assert row.idempotency_key.startswith(f"visit:{visit.id}:{SCHEDULE_NOTICE}:contact:")
    assert row.idempotency_key.endswith(visit.starts_at.date().isoformat())
    assert row.deadline_at == visit.starts_at
    assert row.context["acknowledge_url"] and row.context["self_assessment_url"]


def test_an_announced_visit_fixed_on_the_page_notifies_the_unit(db, make, client, login):
    inspection, coordinator = _inspection(db, make, TeamKind.JOINT)
    login(coordinator.username)
    response = client.post(
        f"/visits/new/{inspection.id}",
        data={
            "csrf_token": csrf_token(client, "/visits/"),
            "day": _a_working_day_ahead(db).isoformat(),
            "slot": "afternoon",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    visit = db.session.scalar(sa.select(Visit).where(Visit.inspection_id == inspection.id))
    [row] = _notices(db)
    assert row.object_id == visit.id and row.recipient_email == "vanthu@socson.example"


def test_a_surprise_visit_fixed_by_hand_gets_no_notice(db, make, client, login):
    inspection, coordinator = _inspection(db, make, TeamKind.PUBLIC_SERVICE)
    create_visit(inspection, day=_a_working_day_ahead(db), slot="morning", actor=coordinator)
    db.session.commit()
    other, other_coordinator = _inspection(db, make, TeamKind.PUBLIC_SERVICE)
    login(other_coordinator.username)
    client.post(
        f"/visits/new/{other.id}",
        data={
            "csrf_token": csrf_token(client, "/visits/"),
            "day": _a_working_day_ahead(db).isoformat(),
            "slot": "morning",
        },
    )
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Visit.id))) == 2
    assert _notices(db) == []
    contacts = db.session.scalars(sa.select(UnitContact.id)).all()
    mailed = db.session.scalars(sa.select(Notification.recipient_contact_id)).all()
    assert not set(contacts) & set(mailed)  # nothing at all reaches the unit
