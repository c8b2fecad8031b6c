"""Assigning units to teams, with conflict-of-interest screening (`teams.conflicts`).

An assignment that conflicts with a member's home unit is refused unless the coordinator
records a reason, which goes with the inspection and into the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager

from inspections import policy
from inspections.audit.services import record
from inspections.auth.models import User
from inspections.errors import Conflict, InvalidInput
from inspections.extensions import db
from inspections.plans.models import Plan, PlanStatus
from inspections.teams.conflicts import ConflictOfInterest, conflicts_for
from inspections.teams.models import Team, TeamKind
from inspections.units.models import Unit
from inspections.visits.models import Inspection, InspectionKind, InspectionStatus


class ConflictOfInterestError(Conflict):
    def __init__(self, message: object, conflicts: list[ConflictOfInterest]) -> None:
        super().__init__(message)
        self.conflicts = conflicts


def inspection_kind(team: Team) -> InspectionKind:
    return InspectionKind.JOINT if team.kind == TeamKind.JOINT else InspectionKind.SURPRISE


def _describe(conflicts: list[ConflictOfInterest]) -> str:
    return "; ".join(f"{c.member} ({c.home_unit})" for c in conflicts)


def assign(
    team: Team,
    unit: Unit,
    *,
    actor: User,
    override_reason: str | None = None,
    drawn: bool = False,
    draw_id: int | None = None,
) -> Inspection:
    """Assign one unit to the team under its plan (flushes, audits)."""
    plan = team.plan
    if plan.status == PlanStatus.CLOSED:
        raise Conflict(_l("The plan is closed: no more units can be assigned."))
    if not unit.active:
        raise InvalidInput(_l("%(unit)s is no longer active.", unit=unit.name))
    kind = inspection_kind(team)
    taken = db.session.scalar(
        sa.select(Inspection).where(
            Inspection.plan_id == plan.id, Inspection.unit_id == unit.id, Inspection.kind == kind
        )
    )
    if taken is not None:
        raise Conflict(_l("%(unit)s is already assigned in this plan for this kind.", unit=unit.name))
    conflicts = conflicts_for(team, unit)
    reason = (override_reason or "").strip() or None
    if conflicts and reason is None:
        raise ConflictOfInterestError(
            _l(
                "Conflict of interest: %(unit)s is the home unit of, or above or below the home unit "
                "of, %(members)s. Record a reason to assign it anyway.",
                unit=unit.name,
                members=_describe(conflicts),
            ),
            conflicts,
        )
    inspection = Inspection(
        plan_id=plan.id,
        team_id=team.id,
        unit_id=unit.id,
        kind=kind,
        drawn=drawn,
        conflict_override_reason=reason if conflicts else None,
    )
    db.session.add(inspection)
    db.session.flush()
    after: dict[str, object] = {
        "plan": plan.id,
        "team": team.id,
        "unit": unit.code,
        "kind": kind.value,
        "drawn": drawn,
    }
    if draw_id is not None:
        after["draw"] = draw_id
    if conflicts:
        after["conflict_override"] = {"reason": reason, "members": [c.membership_id for c in conflicts]}
    record("inspection.assign", actor=actor, object_type="inspection", object_id=inspection.id, after=after)
    return inspection


@dataclass
class BulkResult:
    assigned: list[Inspection] = field(default_factory=list)
    refused: list[tuple[Unit, str]] = field(default_factory=list)


def assign_many(
    team: Team, units: list[Unit], *, actor: User, override_reason: str | None = None
) -> BulkResult:
    """Assign each unit that can be; the others come back with the reason they were refused."""
    result = BulkResult()
    for unit in units:
        try:
            with db.session.begin_nested():
                result.assigned.append(assign(team, unit, actor=actor, override_reason=override_reason))
        except (Conflict, InvalidInput) as exc:
            result.refused.append((unit, str(exc.message)))
    return result


def unassign(inspection: Inspection, *, actor: User) -> None:
    """Remove an assignment that has not been scheduled yet."""
    if inspection.status != InspectionStatus.ASSIGNED or inspection.visits:
        raise Conflict(_l("Only an assignment without visits can be removed."))
    before = {"plan": inspection.plan_id, "team": inspection.team_id, "unit": inspection.unit_id}
    record(
        "inspection.unassign",
        actor=actor,
        object_type="inspection",
        object_id=inspection.id,
        before=before,
    )
    db.session.delete(inspection)
    db.session.flush()


# --- choosing the team for a bulk assignment -------------------------------------------------

# The teams a bulk assignment offers (a coordinator has a handful; an admin every open plan's).
TEAM_CHOICES = 200
# Within a year, the plan at work before the approved one, before a draft.
_STATUS_RANK = sa.case(
    (Plan.status == PlanStatus.IN_PROGRESS, 0), (Plan.status == PlanStatus.APPROVED, 1), else_=2
)


def teams_for_assignment(actor: User) -> list[Team]:
    """The teams `actor` may assign units to (`policy.assignable_teams`), the one to offer
    first at the head: the newest plan's (by year; in progress before approved before
    draft), never the oldest."""
    query = (
        policy.assignable_teams(actor)
        .options(contains_eager(Team.plan))
        .order_by(Plan.year.desc(), _STATUS_RANK, Plan.id.desc(), Team.id)
        .limit(TEAM_CHOICES)
    )
    return list(db.session.scalars(query))
