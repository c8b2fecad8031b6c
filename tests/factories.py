"""Builders for test data, through the services where there is one."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from inspections.auth.models import Role, User
from inspections.auth.services import create_user
from inspections.plans.models import Plan, PlanStatus, PlanTarget, TargetKind
from inspections.teams.models import Membership, Team, TeamKind, TeamRole
from inspections.units.models import Unit, UnitKind
from inspections.units.services import search_key
from inspections.visits.models import Inspection, InspectionKind, Slot, Visit, VisitStatus

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


class Factory:
    def __init__(self, db: Any) -> None:
        self.db = db

    def unit(self, **overrides: Any) -> Unit:
        n = next(_seq)
        values = {"code": f"unit-{n}", "name": f"Đơn vị {n}", "kind": UnitKind.DISTRICT} | overrides
        unit = Unit(search_name=search_key(values["name"]), **values)
        self.db.session.add(unit)
        self.db.session.flush()
        return unit

    def user(self, role: Role = Role.COORDINATOR, **overrides: Any) -> User:
        n = next(_seq)
        if role == Role.UNIT_CONTACT and "home_unit_id" not in overrides:
            overrides["home_unit_id"] = self.unit().id
        values = {
            "username": f"user{n}",
            "email": f"user{n}@test.example",
            "full_name": f"Người dùng {n}",
            "password": PASSWORD,
            "role": role,
        } | overrides
        return create_user(**values)

    def plan(self, targets: dict[str, int] | None = None, **overrides: Any) -> Plan:
        targets = targets or {"joint": 15, "surprise": 28, "case": 4}
        values = {
            "year": 2019,
            "title": f"Kế hoạch kiểm tra {next(_seq)}",
            "window_start": date(2019, 3, 1),
            "window_end": date(2019, 12, 20),
            "status": PlanStatus.APPROVED,
        } | overrides
        plan = Plan(targets=[PlanTarget(kind=TargetKind(k), count=v) for k, v in targets.items()], **values)
        self.db.session.add(plan)
        self.db.session.flush()
        return plan

    def team(self, plan: Plan, kind: TeamKind = TeamKind.JOINT, members: list[User] = ()) -> Team:
        team = Team(plan=plan, name=f"Đoàn {next(_seq)}", kind=kind)
        for i, user in enumerate(members):
            team.memberships.append(
                Membership(
                    user=user,
                    role=TeamRole.HEAD if i == 0 else TeamRole.MEMBER,
                    home_unit_id=user.home_unit_id or self.unit().id,
                )
            )
        self.db.session.add(team)
        self.db.session.flush()
        return team

    def inspection(
        self, team: Team, unit: Unit, *, visit_at: datetime | None = None, **overrides: Any
    ) -> Inspection:
        kind = InspectionKind.JOINT if team.kind == TeamKind.JOINT else InspectionKind.SURPRISE
        inspection = Inspection(plan=team.plan, team=team, unit=unit, kind=kind, **overrides)
        self.db.session.add(inspection)
        if visit_at is not None:
            self.db.session.add(
                Visit(
                    inspection=inspection,
                    starts_at=visit_at,
                    ends_at=visit_at + timedelta(hours=4),
                    slot=Slot.MORNING,
                    status=VisitStatus.APPROVED,
                )
            )
        self.db.session.flush()
        return inspection


def days_from_now(days: int) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
