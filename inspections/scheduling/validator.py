"""An independent check of every hard constraint of a schedule.

It shares only the data types with the scheduler: it works on dates through the working-
day calendar, never on the scheduler's day indices, so a bug in one is not hidden by the
other.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping

from inspections.scheduling.problem import (
    ABSENCE,
    BLACKOUT,
    CAPACITY,
    COMPLETE,
    CROSS_TEAM_GAP,
    FIXED,
    NOTICE,
    PERSON,
    SLOTS,
    WINDOW,
    WORKING_DAY,
    InspectionSpec,
    Issue,
    Placement,
    Problem,
)


def validate(problem: Problem, placements: Mapping[int, Placement]) -> list[Issue]:
    """Every broken hard constraint; an empty list means the schedule is valid."""
    issues: list[Issue] = []
    by_id = {i.id: i for i in problem.inspections}
    for missing in sorted(by_id.keys() - placements.keys()):
        i = by_id[missing]
        issues.append(Issue(COMPLETE, "inspection has no date", i.team_id, i.unit_id, i.id))
    for extra in sorted(placements.keys() - by_id.keys()):
        issues.append(Issue(COMPLETE, "date for an unknown inspection", inspection_id=extra))
    placed = [(by_id[k], p) for k, p in placements.items() if k in by_id]
    for inspection, placement in placed:
        issues.extend(_single(problem, inspection, placement))
    issues.extend(_capacity(problem, placed))
    issues.extend(_people(problem, placed))
    issues.extend(_cross_team(problem, placed))
    return issues


def _single(problem: Problem, i: InspectionSpec, p: Placement) -> list[Issue]:
    cal = problem.calendar
    found: list[Issue] = []

    def issue(constraint: str, detail: str, person: int | None = None) -> None:
        found.append(Issue(constraint, detail, i.team_id, i.unit_id, i.id, p.day, person))

    if p.slot not in SLOTS:
        issue(WORKING_DAY, f"unknown slot {p.slot!r}")
    if not cal.is_working_day(p.day):
        issue(WORKING_DAY, "not a working day")
    if not problem.window_start <= p.day <= problem.window_end:
        issue(WINDOW, "outside the plan window")
    if p.day in problem.unit_blackouts.get(i.unit_id, ()):
        issue(BLACKOUT, "the unit is not available that day")
    team = problem.team(i.team_id)
    for person in sorted(team.members):
        if p.day in problem.absences.get(person, ()):
            issue(ABSENCE, "a team member is away that day", person)
    if i.announced and cal.working_days_between(problem.notice_on, p.day) < problem.notice_working_days:
        issue(NOTICE, f"fewer than {problem.notice_working_days} working days after the notice")
    if i.fixed is not None and i.fixed != p:
        issue(FIXED, "a date fixed by hand was moved")
    return found


def _capacity(problem: Problem, placed: list[tuple[InspectionSpec, Placement]]) -> list[Issue]:
    per_day = Counter((i.team_id, p.day) for i, p in placed)
    per_slot = Counter((i.team_id, p.day, p.slot) for i, p in placed)
    found = [
        Issue(CAPACITY, f"{n} visits in one day, capacity {problem.team(team).capacity}", team, day=day)
        for (team, day), n in sorted(per_day.items())
        if n > problem.team(team).capacity
    ]
    found += [
        Issue(CAPACITY, f"{n} visits in one half-day", team, day=day)
        for (team, day, _slot), n in sorted(per_slot.items())
        if n > 1
    ]
    return found


def _people(problem: Problem, placed: list[tuple[InspectionSpec, Placement]]) -> list[Issue]:
    where: dict[tuple[int, Placement], set[int]] = defaultdict(set)
    for i, p in placed:
        for person in problem.team(i.team_id).members:
            where[(person, p)].add(i.id)
    return [
        Issue(PERSON, f"in {len(ids)} visits at once ({sorted(ids)})", day=p.day, person_id=person)
        for (person, p), ids in sorted(where.items(), key=lambda kv: (kv[0][0], kv[0][1]))
        if len(ids) > 1
    ]


def _cross_team(problem: Problem, placed: list[tuple[InspectionSpec, Placement]]) -> list[Issue]:
    by_unit: dict[int, list[tuple[InspectionSpec, Placement]]] = defaultdict(list)
    for i, p in placed:
        by_unit[i.unit_id].append((i, p))
    found = []
    cal = problem.calendar
    for unit, visits in by_unit.items():
        for n, (a, pa) in enumerate(visits):
            for b, pb in visits[n + 1 :]:
                if a.team_id == b.team_id:
                    continue
                apart = abs(cal.working_days_between(pa.day, pb.day))
                if apart < problem.cross_team_gap:
                    found.append(
                        Issue(
                            CROSS_TEAM_GAP,
                            f"teams {a.team_id} and {b.team_id} at the unit {apart} working days apart",
                            a.team_id,
                            unit,
                            a.id,
                            pa.day,
                        )
                    )
    return found
