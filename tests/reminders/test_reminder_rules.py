"""Time-based rules, run at fixed moments of October 2019 (Hanoi time, UTC+7)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from inspections.auth.models import Role
from inspections.findings.models import Finding, FindingResult
from inspections.outbox.models import Notification
from inspections.remediation.models import CorrectiveAction
from inspections.reminders.rules import schedule_due
from inspections.teams.models import TeamKind
from inspections.units.models import UnitContact
from inspections.visits.models import InspectionStatus, VisitStatus
from tests.reminders.conclusions import issue_conclusion


def at(day: int, hour_utc: int = 2) -> datetime:
    return datetime(2019, 10, day, hour_utc, tzinfo=UTC)


def keys(db) -> set[str]:
    """Every key but the weekly digests' (Monday runs write one)."""
    return {
        k for k in db.session.scalars(sa.select(Notification.idempotency_key)) if not k.startswith("digest")
    }


@pytest.fixture
def world(db, make):
    parent = make.unit(name="UBND Thành phố")
    unit = make.unit(name="Quận Đống Đa", parent_id=parent.id)
    db.session.add_all(
        [
            UnitContact(unit=unit, name="Lê Hoa", email="hoa@dongda.example"),
            UnitContact(unit=parent, name="Head above", email="head@city.example"),
        ]
    )
    leader = make.user(Role.INSPECTOR, email="leader@team.example")
    member = make.user(Role.INSPECTOR, email="member@team.example")
    coordinator = make.user(Role.COORDINATOR, email="coord@sonv.example")
    plan = make.plan()
    plan.coordinators.append(coordinator)
    joint = make.team(plan, TeamKind.JOINT, members=[leader, member])
    surprise = make.team(plan, TeamKind.PUBLIC_SERVICE, members=[leader, member])
    db.session.flush()
    return {"unit": unit, "leader": leader, "member": member, "coordinator": coordinator,
            "joint": joint, "surprise": surprise, "plan": plan}  # fmt: skip


def test_visit_reminders_three_and_one_working_day_ahead(db, make, world):
    # Thursday 10 October 2019, 08:00 in Hanoi.
    visit = make.inspection(world["joint"], world["unit"], visit_at=at(10, 1)).visits[0]
    db.session.commit()

    schedule_due(at(4))  # Friday: four working days ahead, nothing yet
    assert keys(db) == set()

    schedule_due(at(7))  # Monday: T-3 to the team only
    schedule_due(at(7, 3))  # a minute (or an hour) later: nothing new
    t3 = {f"visit:{visit.id}:T-3:user:{u.id}:2019-10-10" for u in (world["leader"], world["member"])}
    assert keys(db) == t3

    schedule_due(at(9))  # Wednesday: T-1 to the team and to the unit's contact
    contact = world["unit"].contacts[0]
    t1 = {f"visit:{visit.id}:T-1:user:{u.id}:2019-10-10" for u in (world["leader"], world["member"])}
    assert keys(db) == t3 | t1 | {f"visit:{visit.id}:T-1:contact:{contact.id}:2019-10-10"}


def test_a_surprise_visit_is_reminded_to_the_team_only(db, make, world):
    make.inspection(world["surprise"], world["unit"], visit_at=at(10, 1))
    db.session.commit()
    schedule_due(at(9))
    rows = db.session.scalars(sa.select(Notification)).all()
    assert {r.recipient_email for r in rows} == {"leader@team.example", "member@team.example"}


def test_findings_not_recorded_two_working_days_after_the_visit(db, make, world):
    inspection = make.inspection(world["joint"], world["unit"], visit_at=at(1, 1))
    visit = inspection.visits[0]
    visit.status = VisitStatus.DONE
    db.session.commit()

    schedule_due(at(2, 10))
    assert not any("findings_overdue" in k for k in keys(db))
    schedule_due(at(3, 10))
    assert {k for k in keys(db) if "findings_overdue" in k} == {
        f"visit:{visit.id}:findings_overdue:user:{world['leader'].id}:2019-10-01"
    }


def test_no_findings_reminder_once_findings_are_recorded(db, make, world):
    visit = make.inspection(world["joint"], world["unit"], visit_at=at(1, 1)).visits[0]
    visit.status = VisitStatus.DONE
    db.session.add(Finding(visit_id=visit.id, result=FindingResult.COMPLIANT, author_id=world["leader"].id))
    db.session.commit()
    schedule_due(at(4, 10))
    assert not any("findings_overdue" in k for k in keys(db))


def test_conclusion_overdue_goes_to_the_leader_then_the_coordinator(db, make, world):
    inspection = make.inspection(world["joint"], world["unit"], visit_at=at(1, 1))
    inspection.status = InspectionStatus.VISITED
    visit = inspection.visits[0]
    visit.status = VisitStatus.DONE
    db.session.add(Finding(visit_id=visit.id, result=FindingResult.COMPLIANT, author_id=world["leader"].id))
    db.session.commit()

    schedule_due(at(21, 10))  # 14 working days after 1 October
    assert keys(db) == set()
    schedule_due(at(22, 10))  # 15
    assert keys(db) == {f"visit:{visit.id}:conclusion_overdue:user:{world['leader'].id}:2019-10-01"}
    schedule_due(at(29, 10))  # 20
    assert f"visit:{visit.id}:conclusion_overdue:coordinator:{world['coordinator'].id}:2019-10-01" in keys(db)


def _action(db, make, world, due_on: date, *, issued: bool = True) -> CorrectiveAction:
    visit = make.inspection(world["joint"], world["unit"], visit_at=at(1, 1)).visits[0]
    visit.status = VisitStatus.DONE
    finding = Finding(visit_id=visit.id, result=FindingResult.NON_COMPLIANT, author_id=world["leader"].id)
    action = CorrectiveAction(finding=finding, unit=world["unit"], description="Niêm yết TTHC", due_on=due_on)
    db.session.add(action)
    if issued:
        visit.inspection.status = InspectionStatus.CONCLUDED
        issue_conclusion(db, visit, by=world["leader"].id)
    db.session.commit()
    return action


def test_corrective_action_due_soon_due_today_overdue_and_escalated(db, make, world):
    action = _action(db, make, world, date(2019, 10, 15))
    contact = world["unit"].contacts[0]
    base = f"action:{action.id}"

    schedule_due(at(7))  # 8 days ahead: nothing
    assert keys(db) == set()
    schedule_due(at(8))
    assert keys(db) == {f"{base}:due7:contact:{contact.id}:2019-10-15"}
    schedule_due(at(15))
    assert f"{base}:due0:contact:{contact.id}:2019-10-15" in keys(db)
    schedule_due(at(16))
    assert f"{base}:overdue:contact:{contact.id}:2019-10-15" in keys(db)
    assert not any("escalated" in k for k in keys(db))

    schedule_due(at(29, 10))  # 10 working days after 15 October
    head = world["unit"].parent.contacts[0]
    assert {k for k in keys(db) if "escalated" in k} == {
        f"{base}:escalated:coordinator:{world['coordinator'].id}:2019-10-15",
        f"{base}:escalated:contact:{head.id}:2019-10-15",
    }
    mandatory = db.session.scalars(
        sa.select(Notification.mandatory).where(Notification.kind == "action_overdue")
    )
    assert all(mandatory)


def test_weekly_digest_on_monday_once_per_coordinator(db, make, world):
    make.inspection(world["joint"], world["unit"], visit_at=at(10, 1))
    db.session.commit()
    schedule_due(at(6))  # Sunday
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0
    schedule_due(at(7))
    schedule_due(at(7) + timedelta(hours=5))
    digests = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "coordinator_digest")
    ).all()
    assert len(digests) == 1
    assert digests[0].recipient_email == "coord@sonv.example"
    assert digests[0].context["upcoming_visits"] == 1
    assert not digests[0].mandatory
