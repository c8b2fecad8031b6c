"""Plans: create, edit, approve (targets locked), reopen with a reason, close, copy."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.auth.models import Role
from inspections.errors import Conflict, InvalidInput
from inspections.plans.models import PlanStatus, TargetKind
from inspections.plans.services import (
    approve_plan,
    close_plan,
    copy_plan,
    create_plan,
    reopen_plan,
    update_plan,
)
from inspections.visits.services import create_visit


@pytest.fixture(autouse=True)
def _request(app, db):
    # Domain errors translate their message, which needs a request (the user's language).
    with app.test_request_context():
        yield


TARGETS = {TargetKind.JOINT: 15, TargetKind.SURPRISE: 28, TargetKind.CASE: 4}


def _plan(make, actor, **overrides):
    values = {
        "actor": actor,
        "year": 2019,
        "title": "Kế hoạch kiểm tra CCHC năm 2019",
        "window_start": date(2019, 3, 1),
        "window_end": date(2019, 12, 20),
        "targets": TARGETS,
        "number": "40/KH-UBND",
        "issued_on": date(2019, 2, 20),
        "content_areas": "Một cửa, một cửa liên thông",
    } | overrides
    return create_plan(**values)


def _edit(plan, actor, **overrides):
    values = {
        "actor": actor,
        "title": plan.title,
        "window_start": plan.window_start,
        "window_end": plan.window_end,
        "targets": {t.kind: t.count for t in plan.targets},
        "number": plan.number,
    } | overrides
    update_plan(plan, **values)


def _actions(db, plan_id):
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action).where(
                AuditEvent.object_type == "plan", AuditEvent.object_id == plan_id
            )
        )
    )


def test_a_new_plan_is_a_draft_with_its_targets_and_author_as_coordinator(db, make):
    lan = make.user(Role.COORDINATOR)
    plan = _plan(make, lan)
    assert plan.status == PlanStatus.DRAFT
    assert (
        plan.target(TargetKind.JOINT),
        plan.target(TargetKind.SURPRISE),
        plan.target(TargetKind.CASE),
    ) == (15, 28, 4)
    assert plan.coordinators == [lan]
    assert _actions(db, plan.id) == ["plan.create"]


def test_approved_targets_are_locked_until_reopened_with_a_reason(db, make):
    lan = make.user(Role.COORDINATOR)
    plan = _plan(make, lan)
    _edit(plan, lan, targets=TARGETS | {TargetKind.JOINT: 16})
    approve_plan(plan, actor=lan)

    with pytest.raises(Conflict):
        _edit(plan, lan, targets=TARGETS)
    _edit(plan, lan, title="Kế hoạch 2019 (sửa tên)")  # other fields stay editable
    assert plan.target(TargetKind.JOINT) == 16

    with pytest.raises(InvalidInput):
        reopen_plan(plan, actor=lan, reason="   ")
    reopen_plan(plan, actor=lan, reason="UBND giao thêm chỉ tiêu")
    _edit(plan, lan, targets=TARGETS)
    assert plan.target(TargetKind.JOINT) == 15
    reopened = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "plan.reopen"))
    assert reopened.after["reason"] == "UBND giao thêm chỉ tiêu"
    assert _actions(db, plan.id) == [
        "plan.create",
        "plan.update",
        "plan.approve",
        "plan.update",
        "plan.reopen",
        "plan.update",
    ]


def test_a_closed_plan_cannot_change(db, make):
    lan = make.user(Role.COORDINATOR)
    plan = _plan(make, lan)
    with pytest.raises(Conflict):
        close_plan(plan, actor=lan)  # a draft is not closed
    approve_plan(plan, actor=lan)
    close_plan(plan, actor=lan)
    assert plan.status == PlanStatus.CLOSED
    with pytest.raises(Conflict):
        _edit(plan, lan, title="x")
    with pytest.raises(Conflict):
        reopen_plan(plan, actor=lan, reason="no")


def test_bad_windows_and_duplicate_numbers_are_refused(db, make):
    lan = make.user(Role.COORDINATOR)
    with pytest.raises(InvalidInput):
        _plan(make, lan, window_end=date(2019, 1, 1))
    with pytest.raises(InvalidInput):
        _plan(make, lan, targets=TARGETS | {TargetKind.CASE: -1})
    _plan(make, lan)
    with pytest.raises(Conflict):
        _plan(make, lan, title="Another")


def test_next_year_starts_as_a_copy_of_last_year(db, make):
    lan = make.user(Role.COORDINATOR)
    source = _plan(make, lan)
    approve_plan(source, actor=lan)
    copy = copy_plan(source, actor=lan)
    assert copy.year == 2020 and copy.status == PlanStatus.DRAFT
    assert copy.title == "Kế hoạch kiểm tra CCHC năm 2020"
    assert (copy.window_start, copy.window_end) == (date(2020, 3, 1), date(2020, 12, 20))
    assert copy.target(TargetKind.SURPRISE) == 28 and copy.content_areas == source.content_areas
    assert copy.copied_from_id == source.id and copy.number is None


def test_an_approved_plan_is_in_progress_from_its_first_fixed_visit(db, make):
    coordinator = make.user(Role.COORDINATOR)
    plan = make.plan()  # approved
    inspection = make.inspection(make.team(plan), make.unit())
    create_visit(
        inspection, day=date(2019, 10, 14), slot="morning", actor=coordinator, today=date(2019, 10, 1)
    )
    assert plan.status == PlanStatus.IN_PROGRESS
    create_visit(
        inspection, day=date(2019, 10, 15), slot="afternoon", actor=coordinator, today=date(2019, 10, 1)
    )
    starts = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "plan.start")).all()
    assert [(e.object_id, e.after["status"]) for e in starts] == [(plan.id, "in_progress")]
    close_plan(plan, actor=coordinator)
    assert plan.status == PlanStatus.CLOSED
