"""The seeded, risk-weighted surprise draw.

Before the draw the SHA-256 of a fresh seed is written to the audit log; after it, the
seed itself. The pool with its weights is recorded too, so anyone can run the sampler
again on the same pool and seed and must get the same units.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from inspections import i18n
from inspections.assignments.models import SurpriseDraw
from inspections.assignments.services import assign
from inspections.audit.models import AuditEvent
from inspections.audit.services import record
from inspections.auth.models import User
from inspections.cases.models import Case, CaseStatus
from inspections.db import utcnow
from inspections.errors import Conflict, InvalidInput
from inspections.extensions import db
from inspections.findings.models import Finding, FindingResult
from inspections.plans.models import Plan
from inspections.remediation.models import ActionStatus, CorrectiveAction
from inspections.teams.conflicts import conflict_zone
from inspections.teams.models import Team, TeamKind
from inspections.units.models import Unit, UnitKind
from inspections.visits.models import Inspection, InspectionKind, Visit

# The weights shown on the draw page. A unit's weight is BASE plus these per factor.
BASE_WEIGHT = 1.0
WEIGHTS = {
    "non_compliant_findings": 2.0,  # per non-compliant finding on an earlier visit
    "overdue_actions": 3.0,  # per corrective action past its due date and not accepted
    "years_since_inspection": 1.0,  # per year since the last visit (never visited: 3 years)
    "open_cases": 2.0,  # per case about the unit that is not concluded
}
NEVER_VISITED_YEARS = 3.0


@dataclass(frozen=True)
class PoolFilters:
    kinds: tuple[UnitKind, ...] = (UnitKind.DISTRICT, UnitKind.COMMUNE, UnitKind.PUBLIC_SERVICE)
    district_id: int | None = None
    not_inspected_months: int = 0  # 0: no such filter

    def as_json(self) -> dict[str, Any]:
        return {
            "kinds": [k.value for k in self.kinds],
            "district_id": self.district_id,
            "not_inspected_months": self.not_inspected_months,
        }


@dataclass(frozen=True)
class Candidate:
    unit: Unit
    factors: dict[str, float]

    @property
    def weight(self) -> float:
        return round(BASE_WEIGHT + sum(WEIGHTS[k] * v for k, v in self.factors.items()), 4)


def _counts(query: sa.Select[Any]) -> dict[int, int]:
    return {unit_id: n for unit_id, n in db.session.execute(query)}


def candidate_pool(team: Team, filters: PoolFilters, *, today: date | None = None) -> list[Candidate]:
    """Active units of the chosen kinds that this team may inspect by surprise, with risk factors.

    Left out: units already surprise targets in the plan, and units in conflict of
    interest with a member (the draw never needs an override).
    """
    today = today or i18n.today()
    query = sa.select(Unit).where(Unit.active.is_(True), Unit.kind.in_(filters.kinds))
    if filters.district_id is not None:
        query = query.where(sa.or_(Unit.district_id == filters.district_id, Unit.id == filters.district_id))
    already = sa.select(Inspection.unit_id).where(
        Inspection.plan_id == team.plan_id, Inspection.kind == InspectionKind.SURPRISE
    )
    query = query.where(Unit.id.not_in(already))
    last_visit = dict(
        db.session.execute(
            sa.select(Inspection.unit_id, sa.func.max(Visit.starts_at))
            .join(Visit, Visit.inspection_id == Inspection.id)
            .where(Visit.starts_at <= utcnow())
            .group_by(Inspection.unit_id)
        ).all()
    )
    findings = _counts(
        sa.select(Inspection.unit_id, sa.func.count(Finding.id))
        .join(Visit, Visit.inspection_id == Inspection.id)
        .join(Finding, Finding.visit_id == Visit.id)
        .where(Finding.result == FindingResult.NON_COMPLIANT)
        .group_by(Inspection.unit_id)
    )
    overdue = _counts(
        sa.select(CorrectiveAction.unit_id, sa.func.count(CorrectiveAction.id))
        .where(CorrectiveAction.due_on < today, CorrectiveAction.status != ActionStatus.ACCEPTED)
        .group_by(CorrectiveAction.unit_id)
    )
    cases = _counts(
        sa.select(Case.unit_id, sa.func.count(Case.id))
        .where(Case.status.not_in([CaseStatus.CONCLUDED, CaseStatus.CLOSED]))
        .group_by(Case.unit_id)
    )
    zone = conflict_zone(team)
    cutoff = today - timedelta(days=round(30.44 * filters.not_inspected_months))
    pool = []
    for unit in db.session.scalars(query.order_by(Unit.id)):
        if unit.id in zone:
            continue
        visited = last_visit.get(unit.id)
        visited_on = i18n.local_day(visited) if visited is not None else None
        if filters.not_inspected_months and visited_on is not None and visited_on > cutoff:
            continue
        years = NEVER_VISITED_YEARS if visited_on is None else min((today - visited_on).days / 365.25, 3.0)
        factors = {
            "non_compliant_findings": float(findings.get(unit.id, 0)),
            "overdue_actions": float(overdue.get(unit.id, 0)),
            "years_since_inspection": round(years, 2),
            "open_cases": float(cases.get(unit.id, 0)),
        }
        pool.append(Candidate(unit, factors))
    return pool


def sample(seed: str, pool: list[list[Any]], count: int) -> list[int]:
    """Weighted sampling without replacement (Efraimidis–Spirakis), fully determined by
    the seed and the pool ([unit_id, weight] pairs in unit id order)."""
    rng = random.Random(seed)  # noqa: S311 - reproducibility is the point; the seed is secret until drawn
    keyed = [(rng.random() ** (1.0 / float(weight)), int(unit_id)) for unit_id, weight in pool]
    keyed.sort(key=lambda pair: (-pair[0], pair[1]))
    return [unit_id for _, unit_id in keyed[:count]]


def seed_hash(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def perform_draw(
    team: Team, *, actor: User, count: int, filters: PoolFilters, seed: str | None = None
) -> SurpriseDraw:
    """Draw `count` surprise targets for a public-service team and assign them."""
    if team.kind != TeamKind.PUBLIC_SERVICE:
        raise InvalidInput(_l("Surprise targets are drawn for a public-service team."))
    if count < 1:
        raise InvalidInput(_l("Draw at least one unit."))
    candidates = candidate_pool(team, filters)
    if len(candidates) < count:
        raise Conflict(
            _l("The pool has only %(n)d units; widen the filters or draw fewer.", n=len(candidates))
        )
    seed = seed or secrets.token_hex(32)
    pool = [[c.unit.id, c.weight] for c in candidates]
    plan: Plan = team.plan
    committed = record(
        "draw.commit",
        actor=actor,
        object_type="plan",
        object_id=plan.id,
        after={"team": team.id, "count": count, "filters": filters.as_json(), "seed_sha256": seed_hash(seed)},
    )
    drawn = sample(seed, pool, count)
    draw = SurpriseDraw(
        plan_id=plan.id,
        team_id=team.id,
        actor_id=actor.id,
        count=count,
        seed_sha256=seed_hash(seed),
        seed=seed,
        filters=filters.as_json(),
        pool=pool,
        drawn_unit_ids=drawn,
        commit_event_id=committed.id,
    )
    db.session.add(draw)
    db.session.flush()
    units = {c.unit.id: c.unit for c in candidates}
    for unit_id in drawn:
        assign(team, units[unit_id], actor=actor, drawn=True, draw_id=draw.id)
    revealed = record(
        "draw.reveal",
        actor=actor,
        object_type="plan",
        object_id=plan.id,
        after={"draw": draw.id, "seed": seed, "pool": pool, "units": drawn},
    )
    draw.reveal_event_id = revealed.id
    db.session.flush()
    return draw


@dataclass(frozen=True)
class Verification:
    draw: SurpriseDraw
    rerun: list[int]
    hash_matches: bool  # the seed hashes to what was recorded before the draw
    units_match: bool

    @property
    def ok(self) -> bool:
        return self.hash_matches and self.units_match


def verify_draw(draw: SurpriseDraw) -> Verification:
    """Re-run the sampler from the recorded pool and seed; check the pre-draw hash."""
    committed = db.session.get(AuditEvent, draw.commit_event_id) if draw.commit_event_id else None
    recorded_hash = (committed.after or {}).get("seed_sha256") if committed else None
    rerun = sample(draw.seed, draw.pool, draw.count)
    return Verification(
        draw,
        rerun,
        hash_matches=recorded_hash == seed_hash(draw.seed) == draw.seed_sha256,
        units_match=rerun == [int(u) for u in draw.drawn_unit_ids],
    )
