"""What the inspections found: counted in SQL (GROUP BY), never by loading findings.

Findings of visits only (a case's findings are in its file), and only of visits the viewer
may know of (`policy.visit_visible`), though no finding exists before its visit starts.
A rate is the share of non-compliant findings among the scored ones (compliant, good
practice, observation, non-compliant); "not applicable" is left out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from inspections import policy
from inspections.auth.models import User
from inspections.extensions import db
from inspections.findings.checklists import area_of
from inspections.findings.models import Criterion, Finding, FindingResult, Severity
from inspections.i18n import today
from inspections.plans.models import Plan
from inspections.remediation.models import ActionStatus, CorrectiveAction
from inspections.remediation.services import is_overdue
from inspections.units.models import Unit
from inspections.visits.models import Inspection, Visit

SCORED = (
    FindingResult.COMPLIANT,
    FindingResult.GOOD_PRACTICE,
    FindingResult.OBSERVATION,
    FindingResult.NON_COMPLIANT,
)
TOP_CRITERIA = 15
TOP_DISTRICTS = 30
UNITS_SHOWN = 50


@dataclass
class Tally:
    """Findings of one group: how many were scored, how many not compliant, by severity."""

    scored: int = 0
    non_compliant: int = 0
    by_severity: Counter[Severity] = field(default_factory=Counter)

    def add(self, result: FindingResult, severity: Severity, n: int) -> None:
        if result in SCORED:
            self.scored += n
        if result == FindingResult.NON_COMPLIANT:
            self.non_compliant += n
            self.by_severity[severity] += n

    @property
    def rate(self) -> float | None:
        return round(100 * self.non_compliant / self.scored, 1) if self.scored else None


@dataclass(frozen=True)
class Row:
    key: object
    label: str
    tally: Tally


@dataclass(frozen=True)
class ActionFigures:
    total: int
    open: int
    overdue: int
    closed: int
    mean_days_to_close: float | None


@dataclass(frozen=True)
class UnitComparison:
    unit: Unit
    now: float | None
    previous: float | None
    previous_year: int | None

    @property
    def change(self) -> float | None:
        if self.now is None or self.previous is None:
            return None
        return round(self.now - self.previous, 1)


@dataclass(frozen=True)
class FindingsReport:
    plans: list[Plan]
    total: Tally
    by_area: list[Row]
    by_criterion: list[Row]
    by_district: list[Row]
    by_unit_kind: list[Row]
    by_year: list[Row]
    actions: ActionFigures
    units: list[UnitComparison]


def _findings(viewer: User, plan_ids: list[int] | None = None) -> sa.Select[tuple[()]]:
    """The base of every count: findings joined to their visit and inspection (of these
    plans, when given), of visits the viewer may know of."""
    query = (
        sa.select()
        .select_from(Finding)
        .join(Visit, Visit.id == Finding.visit_id)
        .join(Inspection, Inspection.id == Visit.inspection_id)
        .where(policy.visit_visible(viewer))
    )
    return query if plan_ids is None else query.where(Inspection.plan_id.in_(plan_ids))


def _tallies(query: sa.Select[tuple[()]], key: sa.ColumnElement[object]) -> dict[object, Tally]:
    tallies: dict[object, Tally] = defaultdict(Tally)
    rows = db.session.execute(
        query.add_columns(key, Finding.result, Finding.severity, sa.func.count()).group_by(
            key, Finding.result, Finding.severity
        )
    )
    for group, result, severity, n in rows:
        tallies[group].add(result, severity, n)
    return tallies


def _ranked(rows: list[Row], limit: int) -> list[Row]:
    """Highest non-compliance first; the most findings break ties."""
    return sorted(rows, key=lambda r: (-(r.tally.rate or 0), -r.tally.scored, r.label))[:limit]


def findings_report(viewer: User, plans: list[Plan]) -> FindingsReport:
    plan_ids = [p.id for p in plans]
    base = _findings(viewer, plan_ids)

    by_criterion = _tallies(base, Finding.criterion_id)
    criteria = list(db.session.scalars(sa.select(Criterion).where(Criterion.template_id.in_(
        sa.select(Criterion.template_id).where(Criterion.id.in_([k for k in by_criterion if k is not None]))
    ))))  # fmt: skip
    areas = area_of(criteria)
    by_id = {c.id: c for c in criteria}
    area_tallies: dict[str, Tally] = defaultdict(Tally)
    area_names: dict[str, str] = {}
    criterion_tallies: dict[str, Tally] = defaultdict(Tally)
    criterion_names: dict[str, str] = {}
    total = Tally()
    for criterion_id, tally in by_criterion.items():
        _merge(total, tally)
        if criterion_id is None or criterion_id not in by_id:
            continue
        area, criterion = areas[criterion_id], by_id[criterion_id]
        _merge(area_tallies[area.code], tally)
        area_names[area.code] = area.text_vi
        _merge(criterion_tallies[criterion.code], tally)
        criterion_names[criterion.code] = criterion.text_vi

    district = sa.func.coalesce(Unit.district_id, Unit.id)
    with_unit = base.join(Unit, Unit.id == Inspection.unit_id)
    districts = _tallies(with_unit, district)
    ranked_districts = _ranked([Row(k, "", t) for k, t in districts.items()], TOP_DISTRICTS)
    shown = [r.key for r in ranked_districts]
    names = {i: n for i, n in db.session.execute(sa.select(Unit.id, Unit.name).where(Unit.id.in_(shown)))}
    year_plans = {p.id: p.year for p in plans}
    years: dict[int, Tally] = defaultdict(Tally)
    for plan_id, tally in _tallies(base, Inspection.plan_id).items():
        _merge(years[year_plans[plan_id]], tally)

    return FindingsReport(
        plans=plans,
        total=total,
        by_area=sorted((Row(c, area_names[c], t) for c, t in area_tallies.items()), key=lambda r: r.key),
        by_criterion=_ranked(
            [Row(c, criterion_names[c], t) for c, t in criterion_tallies.items()], TOP_CRITERIA
        ),
        by_district=[Row(r.key, names.get(r.key, "—"), r.tally) for r in ranked_districts],
        by_unit_kind=[
            Row(kind, "", tally)
            for kind, tally in sorted(_tallies(with_unit, Unit.kind).items(), key=lambda kv: str(kv[0]))
        ],
        by_year=[Row(y, str(y), t) for y, t in sorted(years.items())],
        actions=action_figures(viewer, plan_ids),
        units=unit_comparisons(viewer, plans),
    )


def _merge(into: Tally, tally: Tally) -> None:
    into.scored += tally.scored
    into.non_compliant += tally.non_compliant
    into.by_severity.update(tally.by_severity)


def _days_between(start: sa.ColumnElement[object], end: sa.ColumnElement[object]) -> sa.ColumnElement[float]:
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.extract("epoch", end - start) / 86400.0
    return sa.func.julianday(end) - sa.func.julianday(start)


def action_figures(viewer: User, plan_ids: list[int], *, on: date | None = None) -> ActionFigures:
    """The corrective actions set after these plans' visits: open, overdue, closed, and the
    mean days from being set to being accepted as done."""
    on = on or today()
    still_open = CorrectiveAction.status.in_(
        [ActionStatus.OPEN, ActionStatus.RETURNED, ActionStatus.REPORTED]
    )
    overdue = is_overdue(on)  # the reminders' rule
    closed = CorrectiveAction.status == ActionStatus.ACCEPTED
    days = _days_between(CorrectiveAction.created_at, CorrectiveAction.verified_at)
    row = db.session.execute(
        _findings(viewer, plan_ids)
        .join(CorrectiveAction, CorrectiveAction.finding_id == Finding.id)
        .add_columns(
            sa.func.count(),
            sa.func.count().filter(still_open),
            sa.func.count().filter(overdue),
            sa.func.count().filter(closed),
            sa.func.avg(days).filter(closed, CorrectiveAction.verified_at.is_not(None)),
        )
    ).one()
    mean = round(float(row[4]), 1) if row[4] is not None else None
    return ActionFigures(row[0], row[1], row[2], row[3], mean)


def unit_comparisons(viewer: User, plans: list[Plan]) -> list[UnitComparison]:
    """For the units of the newest plan (the first `UNITS_SHOWN` with findings, the most
    non-compliant first): the rate now and at the unit's previous inspection with findings."""
    if not plans:
        return []
    newest = max(plans, key=lambda p: (p.year, p.id))
    now = _tallies(_findings(viewer, [newest.id]), Inspection.unit_id)
    ranked = sorted(now.items(), key=lambda kv: (-(kv[1].rate or 0), -kv[1].scored))[:UNITS_SHOWN]
    unit_ids = [unit_id for unit_id, _ in ranked]
    earlier = (
        _findings(viewer)
        .join(Plan, Plan.id == Inspection.plan_id)
        .where(Inspection.unit_id.in_(unit_ids), Plan.year < newest.year)
    )
    previous: dict[int, tuple[int, Tally]] = {}
    rows = db.session.execute(
        earlier.add_columns(Inspection.unit_id, Plan.year, Finding.result, Finding.severity, sa.func.count())
        .group_by(Inspection.unit_id, Plan.year, Finding.result, Finding.severity)
        .order_by(Inspection.unit_id, Plan.year)
    )
    for unit_id, year, result, severity, n in rows:
        if unit_id not in previous or previous[unit_id][0] < year:
            previous[unit_id] = (year, Tally())
        if previous[unit_id][0] == year:
            previous[unit_id][1].add(result, severity, n)
    units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(unit_ids)))}
    return [
        UnitComparison(
            units[unit_id],
            tally.rate,
            previous[unit_id][1].rate if unit_id in previous else None,
            previous[unit_id][0] if unit_id in previous else None,
        )
        for unit_id, tally in ranked
    ]
