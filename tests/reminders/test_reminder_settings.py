"""Reminder offsets per plan: a plan's settings change its reminders, and only its own."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.auth.models import Role
from inspections.findings.models import Finding, FindingResult
from inspections.outbox.models import Notification
from inspections.plans.models import Plan, PlanStatus
from inspections.remediation.models import CorrectiveAction
from inspections.reminders.models import PlanReminderSettings
from inspections.reminders.rules import schedule_due
from inspections.reminders.services import current_settings, set_reminder_settings
from inspections.reminders.settings import ROW_SETTINGS, SETTINGS, ReminderSettings
from inspections.teams.models import TeamKind
from inspections.units.models import UnitContact
from inspections.visits.models import InspectionStatus, VisitStatus
from tests.conftest import csrf_token
from tests.reminders.conclusions import issue_conclusion


def at(day: int, hour_utc: int = 2) -> datetime:
    return datetime(2019, 10, day, hour_utc, tzinfo=UTC)


def _plan_world(db, make, tag: str) -> dict[str, object]:
    unit = make.unit(name=f"Phường {tag}")
    db.session.add(UnitContact(unit=unit, name=f"Liên hệ {tag}", email=f"contact-{tag}@unit.example"))
    leader = make.user(Role.INSPECTOR, email=f"leader-{tag}@team.example")
    coordinator = make.user(Role.COORDINATOR, email=f"coord-{tag}@sonv.example")
    plan = make.plan(coordinators=[coordinator])
    team = make.team(plan, TeamKind.JOINT, members=[leader])
    db.session.flush()
    return {"unit": unit, "leader": leader, "coordinator": coordinator, "plan": plan, "team": team}


@pytest.fixture
def two_plans(db, make):
    return _plan_world(db, make, "a"), _plan_world(db, make, "b")


def _settings(plan: Plan, **changes: int) -> ReminderSettings:
    from dataclasses import replace

    return replace(current_settings(plan), **changes)


def _rows_for(db, email: str) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(Notification.idempotency_key).where(Notification.recipient_email == email)
        )
    )


def test_a_plan_without_settings_uses_the_defaults(db, two_plans):
    a, _ = two_plans
    settings = current_settings(a["plan"])
    assert (settings.team_reminder_first, settings.team_reminder_second, settings.unit_reminder) == (3, 1, 1)
    assert (settings.findings_after, settings.conclusion_after, settings.escalate_after) == (2, 15, 10)
    assert settings.action_due_soon_days == 7 and settings.digest_weekday == 0
    assert settings.notice_working_days == a["plan"].notice_working_days


def test_an_earlier_team_reminder_on_one_plan_leaves_the_other_alone(db, make, two_plans):
    a, b = two_plans
    set_reminder_settings(a["plan"], _settings(a["plan"], team_reminder_first=4), actor=a["coordinator"])
    # Both visits on Thursday 10 October 2019, 08:00 in Hanoi.
    visit_a = make.inspection(a["team"], a["unit"], visit_at=at(10, 1)).visits[0]
    make.inspection(b["team"], b["unit"], visit_at=at(10, 1))
    db.session.commit()

    schedule_due(at(4))  # Friday: four working days ahead
    assert _rows_for(db, "leader-a@team.example") == {
        f"visit:{visit_a.id}:T-4:user:{a['leader'].id}:2019-10-10"
    }
    assert _rows_for(db, "leader-b@team.example") == set()

    schedule_due(at(7))  # Monday: plan b's T-3; plan a's first reminder is already out
    assert len(_rows_for(db, "leader-a@team.example")) == 1
    assert {k.split(":")[2] for k in _rows_for(db, "leader-b@team.example")} == {"T-3"}


def test_a_later_unit_reminder_and_findings_deadline_on_one_plan_only(db, make, two_plans):
    a, b = two_plans
    set_reminder_settings(
        a["plan"], _settings(a["plan"], unit_reminder=2, findings_after=3), actor=a["coordinator"]
    )
    make.inspection(a["team"], a["unit"], visit_at=at(10, 1))
    make.inspection(b["team"], b["unit"], visit_at=at(10, 1))
    for plan_world in (a, b):  # visited on Tuesday 1 October, no findings recorded
        done = make.inspection(plan_world["team"], make.unit(), visit_at=at(1, 1)).visits[0]
        done.status = VisitStatus.DONE
    db.session.commit()

    schedule_due(at(8))  # Tuesday 8: two working days before the 10th; 5 after the 1st
    assert _rows_for(db, "contact-a@unit.example")
    assert _rows_for(db, "contact-b@unit.example") == set()

    db.session.execute(sa.delete(Notification))
    schedule_due(at(3, 10))  # two working days after the visit of the 1st
    assert not any("findings_overdue" in k for k in _rows_for(db, "leader-a@team.example"))
    assert any("findings_overdue" in k for k in _rows_for(db, "leader-b@team.example"))
    schedule_due(at(4, 10))  # three
    assert any("findings_overdue" in k for k in _rows_for(db, "leader-a@team.example"))


def test_conclusion_escalation_follows_the_plan(db, make, two_plans):
    a, b = two_plans
    set_reminder_settings(
        a["plan"],
        _settings(a["plan"], conclusion_after=5, conclusion_to_coordinator_after=6),
        actor=a["coordinator"],
    )
    for plan_world in (a, b):
        inspection = make.inspection(plan_world["team"], plan_world["unit"], visit_at=at(1, 1))
        inspection.status = InspectionStatus.VISITED
        inspection.visits[0].status = VisitStatus.DONE
        db.session.add(
            Finding(
                visit_id=inspection.visits[0].id,
                result=FindingResult.COMPLIANT,
                author_id=plan_world["leader"].id,
            )
        )
    db.session.commit()
    schedule_due(at(9, 10))  # six working days after 1 October
    assert any("conclusion_overdue" in k for k in _rows_for(db, "coord-a@sonv.example"))
    assert _rows_for(db, "coord-b@sonv.example") == set()
    assert _rows_for(db, "leader-b@team.example") == set()


def test_corrective_action_due_soon_and_escalation_follow_the_plan(db, make, two_plans):
    a, b = two_plans
    set_reminder_settings(
        a["plan"], _settings(a["plan"], action_due_soon_days=3, escalate_after=2), actor=a["coordinator"]
    )
    actions = {}
    for tag, plan_world in (("a", a), ("b", b)):
        visit = make.inspection(plan_world["team"], plan_world["unit"], visit_at=at(1, 1)).visits[0]
        visit.status = VisitStatus.DONE
        visit.inspection.status = InspectionStatus.CONCLUDED
        finding = Finding(
            visit_id=visit.id, result=FindingResult.NON_COMPLIANT, author_id=plan_world["leader"].id
        )
        actions[tag] = CorrectiveAction(
            finding=finding, unit=plan_world["unit"], description="Niêm yết TTHC", due_on=date(2019, 10, 15)
        )
        db.session.add(actions[tag])
        issue_conclusion(db, visit, by=plan_world["leader"].id)
    db.session.commit()

    schedule_due(at(8))  # seven days before the 15th
    assert _rows_for(db, "contact-a@unit.example") == set()
    assert {k.split(":")[2] for k in _rows_for(db, "contact-b@unit.example")} == {"due7"}
    schedule_due(at(12))  # three days before
    assert {k.split(":")[2] for k in _rows_for(db, "contact-a@unit.example")} == {"due3"}

    schedule_due(at(17, 10))  # two working days overdue
    assert any("escalated" in k for k in _rows_for(db, "coord-a@sonv.example"))
    assert _rows_for(db, "coord-b@sonv.example") == set()


def test_the_weekly_digest_day_is_per_plan(db, make, two_plans):
    a, b = two_plans
    for plan_world in (a, b):
        plan_world["plan"].status = PlanStatus.APPROVED
    set_reminder_settings(a["plan"], _settings(a["plan"], digest_weekday=2), actor=a["coordinator"])
    db.session.commit()
    schedule_due(at(7))  # Monday
    assert _rows_for(db, "coord-a@sonv.example") == set()
    assert len(_rows_for(db, "coord-b@sonv.example")) == 1
    schedule_due(at(9))  # Wednesday
    assert len(_rows_for(db, "coord-a@sonv.example")) == 1
    assert len(_rows_for(db, "coord-b@sonv.example")) == 1


# --- the page ------------------------------------------------------------------------------------


def _form(**changes: str) -> dict[str, str]:
    values = {
        "notice_working_days": "5",
        "team_reminder_first": "3",
        "team_reminder_second": "1",
        "unit_reminder": "1",
        "findings_after": "2",
        "conclusion_after": "15",
        "conclusion_to_coordinator_after": "20",
        "action_due_soon_days": "7",
        "escalate_after": "10",
        "digest_weekday": "0",
    }
    return values | changes


@pytest.fixture
def page_world(db, make, two_plans):
    a, b = two_plans
    observer = make.user(Role.OBSERVER)
    db.session.commit()
    return {"a": a, "b": b, "observer": observer, "path": f"/plans/{a['plan'].id}/reminders"}


def test_the_coordinator_changes_a_setting_and_it_is_audited(db, client, login, page_world):
    a, path = page_world["a"], page_world["path"]
    login(a["coordinator"].username)
    assert "Cài đặt nhắc việc" in client.get(f"/plans/{a['plan'].id}").get_data(as_text=True)
    page = client.get(path)
    assert page.status_code == 200
    response = client.post(
        path,
        data={"csrf_token": csrf_token(client, path)}
        | _form(team_reminder_first="4", notice_working_days="6"),
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Đã lưu cài đặt nhắc việc của kế hoạch." in response.get_data(as_text=True)
    db.session.expire_all()
    row = db.session.get(PlanReminderSettings, a["plan"].id)
    assert row.team_reminder_first == 4
    assert db.session.get(Plan, a["plan"].id).notice_working_days == 6
    assert db.session.get(PlanReminderSettings, page_world["b"]["plan"].id) is None
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "plan.reminder_settings")
    ).one()
    assert event.object_id == a["plan"].id
    assert event.before == {"notice_working_days": 5, "team_reminder_first": 3}
    assert event.after == {"notice_working_days": 6, "team_reminder_first": 4}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"team_reminder_first": "abc"}, "Hãy nhập một số nguyên."),
        ({"team_reminder_first": "99"}, "Từ 0 đến 30."),
        ({"findings_after": "0"}, "Từ 1 đến 60."),
        ({"escalate_after": ""}, "Nhập một số."),
        ({"digest_weekday": "9"}, "Hãy chọn một ngày trong tuần để gửi bản tổng hợp."),
        ({"digest_weekday": "thứ hai"}, "Hãy chọn một ngày trong tuần để gửi bản tổng hợp."),
        (
            {"conclusion_after": "15", "conclusion_to_coordinator_after": "10"},
            "Điều phối viên được báo về kết luận trễ cùng lúc hoặc sau trưởng đoàn, không trước.",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(db, client, login, page_world, changes, message):
    a, path = page_world["a"], page_world["path"]
    login(a["coordinator"].username)
    response = client.post(
        path, data={"csrf_token": csrf_token(client, path)} | _form(**changes), follow_redirects=True
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PlanReminderSettings, a["plan"].id) is None
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "plan.reminder_settings")
        )
        == 0
    )


def test_a_closed_plan_keeps_its_settings(db, client, login, page_world):
    a, path = page_world["a"], page_world["path"]
    a["plan"].status = PlanStatus.CLOSED
    db.session.commit()
    login(a["coordinator"].username)
    response = client.post(
        path, data={"csrf_token": csrf_token(client, path)} | _form(), follow_redirects=True
    )
    assert response.status_code == 200
    assert "Không thể sửa kế hoạch đã kết thúc." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PlanReminderSettings, a["plan"].id) is None


def test_without_a_csrf_token_nothing_changes(db, client, login, page_world):
    a, path = page_world["a"], page_world["path"]
    login(a["coordinator"].username)
    response = client.post(path, data=_form(team_reminder_first="4"))
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(PlanReminderSettings, a["plan"].id) is None


def test_only_the_plans_coordinators_and_admins(db, client, login, page_world):
    a, b = page_world["a"], page_world["b"]
    login(b["coordinator"].username)
    assert client.get(page_world["path"]).status_code == 403
    assert "Cài đặt nhắc việc" not in client.get(f"/plans/{a['plan'].id}").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(page_world["observer"].username)
    assert client.get(page_world["path"]).status_code == 403
    response = client.post(
        page_world["path"], data={"csrf_token": csrf_token(client)} | _form(team_reminder_first="4")
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(PlanReminderSettings, a["plan"].id) is None


def test_the_tables_checks_hold_the_bounds_the_settings_declare():
    constraints = PlanReminderSettings.__table__.constraints
    checks = {str(c.sqltext) for c in constraints if isinstance(c, sa.CheckConstraint)}
    for setting in SETTINGS:
        if setting.name not in ROW_SETTINGS:
            continue  # the plan's own column
        bounds = setting.metadata["bounds"]
        # The coordinator is told on or after the team leader: the lower bound is a column.
        low = "conclusion_after" if setting.name == "conclusion_to_coordinator_after" else bounds.low
        assert f"{setting.name} BETWEEN {low} AND {bounds.high}" in checks
