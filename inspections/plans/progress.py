"""Progress of plans against their targets, counted in the database (aggregates only).

Shown on the plan page and in its export, and on the staff home page (`reports`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from inspections.cases.models import Case, CaseStatus
from inspections.extensions import db
from inspections.plans.models import Plan, TargetKind
from inspections.teams.models import Team, TeamKind
from inspections.visits.models import Inspection, InspectionStatus

# Cumulative stages: an inspection that is concluded was also assigned, scheduled, visited.
_STAGES = {
    InspectionStatus.ASSIGNED: 1,
    InspectionStatus.SCHEDULED: 2,
    InspectionStatus.VISITED: 3,
    InspectionStatus.CONCLUDED: 4,
}
_CASE_STAGES = {
    CaseStatus.ASSIGNED: 1,
    CaseStatus.INVESTIGATING: 3,
    CaseStatus.CONCLUDED: 4,
    CaseStatus.CLOSED: 4,
}


@dataclass(frozen=True)
class KindProgress:
    kind: TargetKind
    target: int
    assigned: int = 0
    scheduled: int = 0
    visited: int = 0
    concluded: int = 0


def _cumulative(kind: TargetKind, target: int, by_stage: Counter[int]) -> KindProgress:
    def reached(stage: int) -> int:
        return sum(n for s, n in by_stage.items() if s >= stage)

    return KindProgress(kind, target, reached(1), reached(2), reached(3), reached(4))


def plan_progress(plans: list[Plan]) -> dict[int, list[KindProgress]]:
    """Targets vs assigned, scheduled, visited and concluded, per plan and kind.

    Aggregates only: the counts reveal no unit and no date, so they may be shown to anyone
    who may see the plan.
    """
    ids = [p.id for p in plans]
    stages: dict[tuple[int, TargetKind], Counter[int]] = {}
    rows = db.session.execute(
        sa.select(Inspection.plan_id, Inspection.kind, Inspection.status, sa.func.count())
        .where(Inspection.plan_id.in_(ids))
        .group_by(Inspection.plan_id, Inspection.kind, Inspection.status)
    )
    for plan_id, kind, status, n in rows:
        if status in _STAGES:
            stages.setdefault((plan_id, TargetKind(kind.value)), Counter())[_STAGES[status]] += n
    case_rows = db.session.execute(
        sa.select(Case.plan_id, Case.status, sa.func.count())
        .where(Case.plan_id.in_(ids))
        .group_by(Case.plan_id, Case.status)
    )
    for plan_id, status, n in case_rows:
        if status in _CASE_STAGES:
            stages.setdefault((plan_id, TargetKind.CASE), Counter())[_CASE_STAGES[status]] += n
    return {
        plan.id: [
            _cumulative(kind, plan.target(kind), stages.get((plan.id, kind), Counter()))
            for kind in TargetKind
        ]
        for plan in plans
    }


@dataclass(frozen=True)
class TeamProgress:
    team_id: int
    name: str
    kind: TargetKind
    assigned: int = 0
    scheduled: int = 0
    visited: int = 0
    concluded: int = 0


def team_progress(plan: Plan, team_ids: list[int] | None = None) -> list[TeamProgress]:
    """Assigned, scheduled, visited and concluded per team of the plan (aggregates only);
    only of the teams `team_ids` when given (a page of them), in that order."""
    query = sa.select(Team.id, Team.name, Team.kind).where(Team.plan_id == plan.id).order_by(Team.id)
    counted = (
        sa.select(Inspection.team_id, Inspection.status, sa.func.count())
        .where(Inspection.plan_id == plan.id)
        .group_by(Inspection.team_id, Inspection.status)
    )
    if team_ids is not None:
        query = query.where(Team.id.in_(team_ids))
        counted = counted.where(Inspection.team_id.in_(team_ids))
    teams = db.session.execute(query).all()
    if team_ids is not None:
        position = {team_id: n for n, team_id in enumerate(team_ids)}
        teams.sort(key=lambda row: position[row[0]])
    stages: dict[int, Counter[int]] = {}
    rows = db.session.execute(counted)
    for team_id, status, n in rows:
        if status in _STAGES:
            stages.setdefault(team_id, Counter())[_STAGES[status]] += n
    result = []
    for team_id, name, kind in teams:
        by_stage = stages.get(team_id, Counter())

        def reached(stage: int, by_stage: Counter[int] = by_stage) -> int:
            return sum(n for s, n in by_stage.items() if s >= stage)

        target_kind = TargetKind.JOINT if kind == TeamKind.JOINT else TargetKind.SURPRISE
        counts = (reached(1), reached(2), reached(3), reached(4))
        result.append(TeamProgress(team_id, name, target_kind, *counts))
    return result
