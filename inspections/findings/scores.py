"""Scores from the checklist weights: per area and overall, out of 100.

A compliant finding or a good practice earns its criterion's full weight, an observation
half, a non-compliant finding nothing; "not applicable" and unrecorded criteria are left
out. The overall score weighs each scored area by the area's own weight.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from inspections.extensions import db
from inspections.findings.checklists import AreaTree, area_of
from inspections.findings.models import Criterion, Finding, FindingResult, VisitChecklist
from inspections.visits.models import Inspection, Visit

CREDIT = {
    FindingResult.COMPLIANT: Decimal(1),
    FindingResult.GOOD_PRACTICE: Decimal(1),
    FindingResult.OBSERVATION: Decimal("0.5"),
    FindingResult.NON_COMPLIANT: Decimal(0),
}


@dataclass(frozen=True)
class Scores:
    by_area: dict[str, float | None]  # area code -> score
    overall: float | None


def compute(criteria: list[Criterion], findings: Iterable[Finding]) -> Scores:
    areas = area_of(criteria)
    by_id = {c.id: c for c in criteria}
    earned: dict[str, Decimal] = {}
    possible: dict[str, Decimal] = {}
    for finding in findings:
        criterion = by_id.get(finding.criterion_id or -1)
        if criterion is None or finding.result not in CREDIT:
            continue
        code = areas[criterion.id].code
        possible[code] = possible.get(code, Decimal(0)) + criterion.weight
        earned[code] = earned.get(code, Decimal(0)) + criterion.weight * CREDIT[finding.result]
    by_area: dict[str, float | None] = {}
    total = weights = Decimal(0)
    for area in (c for c in criteria if c.parent_id is None):
        if possible.get(area.code):
            score = earned[area.code] / possible[area.code] * 100
            by_area[area.code] = round(float(score), 1)
            total += score * area.weight
            weights += area.weight
        else:
            by_area[area.code] = None
    return Scores(by_area, round(float(total / weights), 1) if weights else None)


def previous_visit_scores(visit: Visit) -> tuple[Visit | None, Scores | None]:
    """The unit's last earlier visit that has findings, and its scores (3 queries)."""
    previous = db.session.scalar(
        sa.select(Visit)
        .join(Inspection, Visit.inspection_id == Inspection.id)
        .where(
            Inspection.unit_id == visit.inspection.unit_id,
            Visit.id != visit.id,
            Visit.starts_at < visit.starts_at,
            sa.exists().where(Finding.visit_id == Visit.id),
        )
        .order_by(Visit.starts_at.desc())
        .limit(1)
    )
    if previous is None:
        return None, None
    criteria = db.session.scalars(
        sa.select(Criterion)
        .join(VisitChecklist, VisitChecklist.template_id == Criterion.template_id)
        .where(VisitChecklist.visit_id == previous.id)
    ).all()
    findings = db.session.scalars(sa.select(Finding).where(Finding.visit_id == previous.id)).all()
    return previous, compute(list(criteria), findings)


@dataclass(frozen=True)
class Progress:
    by_area: dict[str, tuple[int, int]]  # area code -> (criteria recorded, criteria)
    done: int
    total: int


def progress(areas: list[AreaTree], recorded: Iterable[int | None]) -> Progress:
    """How many of each area's criteria have a finding ("5 / 32")."""
    ids = set(recorded)
    by_area = {
        node.area.code: (sum(1 for c, _depth in node.items if c.id in ids), len(node.items)) for node in areas
    }
    return Progress(
        by_area, sum(done for done, _ in by_area.values()), sum(total for _, total in by_area.values())
    )
