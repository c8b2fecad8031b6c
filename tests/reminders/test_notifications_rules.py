"""Event rules: the schedule notice written when a visit is approved."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from inspections.auth.models import Role
from inspections.outbox.models import Notification, NotificationStatus
from inspections.reminders.notices import cancel_superseded, schedule_notices
from inspections.teams.models import TeamKind
from inspections.units.models import Language, UnitContact
from inspections.visits.models import VisitStatus
from tests.factories import days_from_now


def _unit_with_contacts(make, db):
    unit = make.unit(name="Huyện Gia Lâm")
    db.session.add_all(
        [
            UnitContact(unit=unit, name="Trần Văn An", email="an@gialam.example"),
            UnitContact(unit=unit, name="Jane Doe", email="jane@gialam.example", language=Language.EN),
            UnitContact(unit=unit, name="Former", email="former@gialam.example", active=False),
        ]
    )
    db.session.flush()
    return unit


def test_an_announced_visit_notifies_each_active_contact_once(db, make):
    unit = _unit_with_contacts(make, db)
    team = make.team(make.plan(), TeamKind.JOINT, members=[make.user(Role.INSPECTOR)])
    visit = make.inspection(team, unit, visit_at=days_from_now(15)).visits[0]

    rows = schedule_notices(visit)
    again = schedule_notices(visit)
    db.session.commit()

    assert sorted(r.recipient_email for r in rows) == ["an@gialam.example", "jane@gialam.example"]
    assert again == []
    day = visit.starts_at.date().isoformat()
    for row in rows:
        assert row.kind == "schedule_notice" and row.mandatory
        assert str(visit.id) in row.idempotency_key and row.idempotency_key.endswith(day)
        assert row.deadline_at == visit.starts_at
        assert row.context["visit_date"] == day
    assert {r.language for r in rows} == {Language.VI, Language.EN}


def test_a_surprise_visit_gets_no_notice(db, make):
    unit = _unit_with_contacts(make, db)
    team = make.team(make.plan(), TeamKind.PUBLIC_SERVICE, members=[make.user(Role.INSPECTOR)])
    visit = make.inspection(team, unit, visit_at=days_from_now(15)).visits[0]

    assert schedule_notices(visit) == []
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0


def test_a_moved_visit_approved_again_supersedes_the_old_notice(db, make):
    unit = _unit_with_contacts(make, db)
    team = make.team(make.plan(), TeamKind.JOINT, members=[make.user(Role.INSPECTOR)])
    visit = make.inspection(team, unit, visit_at=days_from_now(15)).visits[0]
    old = schedule_notices(visit)
    db.session.commit()

    visit.starts_at = days_from_now(22)
    visit.ends_at = visit.starts_at + timedelta(hours=4)  # not `.replace(hour=23)`: wrong after 23:00
    new = schedule_notices(visit)
    db.session.commit()

    assert len(new) == 2
    for row in old:
        db.session.refresh(row)
        assert row.status == NotificationStatus.CANCELLED
    assert all(r.status == NotificationStatus.PENDING for r in new)


def test_a_cancelled_visit_cancels_its_unsent_notices(db, make):
    unit = _unit_with_contacts(make, db)
    team = make.team(make.plan(), TeamKind.JOINT, members=[make.user(Role.INSPECTOR)])
    visit = make.inspection(team, unit, visit_at=days_from_now(15)).visits[0]
    rows = schedule_notices(visit)
    visit.status = VisitStatus.CANCELLED
    assert cancel_superseded(visit) == 2
    db.session.commit()
    for row in rows:
        db.session.refresh(row)
        assert row.status == NotificationStatus.CANCELLED
