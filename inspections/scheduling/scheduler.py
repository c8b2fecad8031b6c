"""The visit scheduler: a pure function from a `Problem` to a date and slot per inspection.

A list scheduler over working days: each half-day, the teams with the most work left go
first, each taking the first of its inspections that may go there (urgent ones first).
Before that, a pre-check refuses what cannot be met and names the constraint, the team
and the unit; after it, anything left unplaced is refused the same way. It never returns
a partial schedule. Soft goals shape the order only: a team's visits are grouped by
district, and surprise visits come in a seeded random order (never by name or id).
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date

from inspections.scheduling.problem import (
    ABSENCE,
    BLACKOUT,
    CAPACITY,
    CROSS_TEAM_GAP,
    NOTICE,
    PERSON,
    SLOTS,
    WINDOW,
    Infeasible,
    InspectionSpec,
    Issue,
    Placement,
    Problem,
)
from inspections.scheduling.validator import validate

Progress = Callable[[float], None]

# Soft goals a hand-made move can break (the reviewer gives a reason to keep it).
DISTRICT_GROUPING = "district_grouping"
LOAD_BALANCE = "load_balance"
NEARBY_DAYS = 3
# Rounds of the list scheduler, each giving the last teams of the round before priority.
ROUNDS = 3


def propose(
    problem: Problem, *, seed: int = 0, progress: Progress | None = None, rounds: int = ROUNDS
) -> dict[int, Placement]:
    """A placement for every inspection, or `Infeasible` with the reasons.

    With several `rounds`, the teams that finished last get priority in the next round
    and the shortest schedule wins (every round is deterministic, so the answer is too).
    """
    best: dict[int, Placement] | None = None
    boost: Counter[int] = Counter()
    for n in range(rounds):
        report = None if progress is None else (lambda f, n=n: progress((n + f) / rounds))
        run = _Run(problem, seed, report, boost)
        result = run.solve()
        last = max((p.day for p in result.values()), default=None)
        if best is None or (last is not None and last < max(p.day for p in best.values())):
            best = result
        if last is None:
            break
        team_of = {i.id: i.team_id for i in problem.inspections}
        for k, p in result.items():
            if p.day == last:
                boost[team_of[k]] += 1
    return best


class _Run:
    def __init__(
        self, problem: Problem, seed: int, progress: Progress | None, boost: Mapping[int, float] | None = None
    ) -> None:
        self.p = problem
        self.boost = boost or {}
        self.rng = random.Random(seed)  # noqa: S311 - a reproducible order, not a secret
        self.progress = progress
        cal = problem.calendar
        self.days = (
            cal.working_days_in(problem.window_start, problem.window_end)
            if problem.window_start <= problem.window_end
            else []
        )
        self.index = {d: n for n, d in enumerate(self.days)}
        self.open = [i for i in problem.inspections if i.fixed is None]
        self.fixed = [i for i in problem.inspections if i.fixed is not None]
        earliest_announced = cal.add_working_days(problem.notice_on, problem.notice_working_days)
        self.first_announced = bisect_left(self.days, earliest_announced)
        self.team_off: dict[int, set[int]] = {}
        for team in problem.teams:
            off = set()
            for person in team.members:
                off.update(self.index[d] for d in problem.absences.get(person, ()) if d in self.index)
            self.team_off[team.id] = off
        self.blackout = {
            unit: {self.index[d] for d in days if d in self.index}
            for unit, days in problem.unit_blackouts.items()
        }
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}
        # What is already placed: team-days, team half-days, people's half-days, units.
        self.team_day: Counter[tuple[int, int]] = Counter()
        self.team_slot: set[tuple[int, int, str]] = set()
        self.busy: set[tuple[int, int, str]] = set()
        self.unit_visits: dict[int, list[tuple[int, int]]] = defaultdict(list)
        self.result: dict[int, Placement] = {}

    # --- the pre-check ------------------------------------------------------------------

    def _unary(self, i: InspectionSpec, d: int) -> bool:
        return d not in self.team_off[i.team_id] and d not in self.blackout.get(i.unit_id, ())

    def precheck(self) -> list[Issue]:
        fixed = {i.id: i.fixed for i in self.fixed}
        only_fixed = replace(self.p, inspections=tuple(self.fixed)) if self.fixed else None
        reasons = validate(only_fixed, fixed) if only_fixed else []
        if reasons:
            return [
                Issue(
                    r.constraint,
                    f"fixed visit: {r.detail}",
                    r.team_id,
                    r.unit_id,
                    r.inspection_id,
                    r.day,
                    r.person_id,
                )
                for r in reasons
            ]
        if self.open and not self.days:
            return [Issue(WINDOW, "the plan window holds no working day")]
        n = len(self.days)
        for i in self.open:
            start = self.first_announced if i.announced else 0
            if start >= n:
                reasons.append(
                    Issue(
                        NOTICE,
                        "no working day in the window after the notice period",
                        i.team_id,
                        i.unit_id,
                        i.id,
                    )
                )
                continue
            if all(d in self.team_off[i.team_id] for d in range(start, n)):
                reasons.append(
                    Issue(ABSENCE, "team members are away on every possible day", i.team_id, i.unit_id, i.id)
                )
                continue
            first = next((d for d in range(start, n) if self._unary(i, d)), None)
            if first is None:
                reasons.append(
                    Issue(
                        BLACKOUT, "the unit is unavailable on every possible day", i.team_id, i.unit_id, i.id
                    )
                )
                continue
            self.first[i.id] = first
            self.last[i.id] = next(d for d in range(n - 1, first - 1, -1) if self._unary(i, d))
        if reasons:
            return reasons
        return self._capacity_check()

    def _capacity_check(self) -> list[Issue]:
        reasons = []
        by_team: dict[int, list[InspectionSpec]] = defaultdict(list)
        for i in self.open:
            by_team[i.team_id].append(i)
        fixed_per_team = Counter(i.team_id for i in self.fixed)
        free_days: dict[int, int] = {}
        for team_id, items in by_team.items():
            team = self.p.team(team_id)
            start = min(self.first[i.id] for i in items)
            days = sum(1 for d in range(start, len(self.days)) if d not in self.team_off[team_id])
            free_days[team_id] = days
            free = days * team.per_day - fixed_per_team[team_id]
            if len(items) > free:
                reasons.append(
                    Issue(
                        CAPACITY,
                        f"{len(items)} visits to place, {max(free, 0)} half-days free in the window",
                        team_id,
                        items[0].unit_id,
                        items[0].id,
                    )
                )
        if reasons:
            return reasons
        load: Counter[int] = Counter()
        for team_id, items in by_team.items():
            for person in self.p.team(team_id).members:
                load[person] += len(items)
        for person, n in sorted(load.items()):
            away = {d for d in self.p.absences.get(person, ()) if d in self.index}
            if n > (len(self.days) - len(away)) * len(SLOTS):
                reasons.append(
                    Issue(
                        PERSON,
                        f"{n} visits for one person, more half-days than the window holds",
                        person_id=person,
                    )
                )
        return reasons

    # --- the list scheduler ---------------------------------------------------------------

    def _order(self) -> dict[int, list[InspectionSpec]]:
        """Each team's inspections grouped by district, surprise ones shuffled (seeded)."""
        by_team: dict[int, dict[int | None, list[InspectionSpec]]] = defaultdict(lambda: defaultdict(list))
        for i in sorted(self.open, key=lambda i: i.id):
            by_team[i.team_id][i.district_id].append(i)
        ordered = {}
        for team_id in sorted(by_team):
            groups = list(by_team[team_id].values())
            self.rng.shuffle(groups)
            sequence = []
            for group in groups:
                announced = sorted((i for i in group if i.announced), key=lambda i: (i.unit_name, i.id))
                surprise = [i for i in group if not i.announced]
                self.rng.shuffle(surprise)
                sequence += announced + surprise
            ordered[team_id] = sequence
        return ordered

    def _place(self, i: InspectionSpec, d: int, slot: str) -> None:
        self.result[i.id] = Placement(self.days[d], slot)
        self.team_day[(i.team_id, d)] += 1
        self.team_slot.add((i.team_id, d, slot))
        for person in self.p.team(i.team_id).members:
            self.busy.add((person, d, slot))
        self.unit_visits[i.unit_id].append((d, i.team_id))

    def _gap_ok(self, i: InspectionSpec, d: int) -> bool:
        gap = self.p.cross_team_gap
        return all(
            team == i.team_id or abs(other - d) >= gap for other, team in self.unit_visits.get(i.unit_id, ())
        )

    def _pick(
        self, team_id: int, remaining: list[InspectionSpec], d: int, last_district: int | None
    ) -> InspectionSpec | None:
        per_day = self.p.team(team_id).per_day
        need = math.ceil(len(remaining) / per_day)
        fits = [
            i
            for i in remaining
            if self.first[i.id] <= d <= self.last[i.id] and self._unary(i, d) and self._gap_ok(i, d)
        ]
        if not fits:
            return None
        urgent = [i for i in fits if self.last[i.id] - d < need]
        if urgent:
            return min(urgent, key=lambda i: self.last[i.id])
        return next(
            (i for i in fits if i.district_id == last_district and last_district is not None), fits[0]
        )

    def solve(self) -> dict[int, Placement]:
        reasons = self.precheck()
        if reasons:
            raise Infeasible(reasons)
        for i in self.fixed:
            self._place(i, self.index[i.fixed.day], i.fixed.slot)
        remaining = self._order()
        tie = {team_id: self.rng.random() for team_id in remaining}
        # Visits still to place per person: a person on two teams can bound both.
        person_left: Counter[int] = Counter()
        for team_id, items in remaining.items():
            for person in self.p.team(team_id).members:
                person_left[person] += len(items)

        def urgency(team_id: int) -> tuple[float, float]:
            team = self.p.team(team_id)
            own = len(remaining[team_id]) / team.per_day
            shared = max((person_left[p] for p in team.members), default=0) / len(SLOTS)
            return (-max(own, shared) - self.boost.get(team_id, 0), tie[team_id])

        last_district: dict[int, int | None] = {}
        total, placed = len(self.open), 0
        for d in range(len(self.days)):
            active = [t for t, items in remaining.items() if items]
            if not active:
                break
            active.sort(key=urgency)
            for slot in SLOTS:
                for team_id in active:
                    items = remaining[team_id]
                    team = self.p.team(team_id)
                    if (
                        not items
                        or self.team_day[(team_id, d)] >= team.per_day
                        or d in self.team_off[team_id]
                        or (team_id, d, slot) in self.team_slot
                        or any((person, d, slot) in self.busy for person in team.members)
                    ):
                        continue
                    chosen = self._pick(team_id, items, d, last_district.get(team_id))
                    if chosen is None:
                        continue
                    self._place(chosen, d, slot)
                    items.remove(chosen)
                    for person in team.members:
                        person_left[person] -= 1
                    last_district[team_id] = chosen.district_id
                    placed += 1
            if self.progress is not None and total:
                self.progress(placed / total)
        left = [i for items in remaining.values() for i in items]
        if left:
            raise Infeasible([self._why_left(i) for i in left])
        return self.result

    def _why_left(self, i: InspectionSpec) -> Issue:
        team = self.p.team(i.team_id)
        others = [t for t in self.p.teams if t.id != team.id and t.members & team.members]
        if others:
            return Issue(
                PERSON,
                "no half-day left where every member is free (members sit on other teams)",
                i.team_id,
                i.unit_id,
                i.id,
            )
        if self.p.cross_team_gap and any(t != i.team_id for _, t in self.unit_visits.get(i.unit_id, ())):
            return Issue(
                CROSS_TEAM_GAP,
                "no day left far enough from another team's visit to the unit",
                i.team_id,
                i.unit_id,
                i.id,
            )
        return Issue(CAPACITY, "no free half-day left for the team in the window", i.team_id, i.unit_id, i.id)


def makespan(problem: Problem, placements: Mapping[int, Placement]) -> int:
    """Working days from the window start to the last visit, both included."""
    if not placements:
        return 0
    last = max(p.day for p in placements.values())
    return problem.calendar.working_days_between(problem.window_start, last) + int(
        problem.calendar.is_working_day(problem.window_start)
    )


def soft_goal_breaks(
    problem: Problem, placements: Mapping[int, Placement], inspection_id: int, new: Placement
) -> list[str]:
    """The soft goals that moving one visit to `new` would break."""
    cal = problem.calendar
    by_id = {i.id: i for i in problem.inspections}
    moved = by_id[inspection_id]
    old = placements[inspection_id]
    mates = [
        (by_id[k], p)
        for k, p in placements.items()
        if k != inspection_id and by_id[k].team_id == moved.team_id
    ]
    breaks = []
    same_district = [
        p.day for i, p in mates if moved.district_id is not None and i.district_id == moved.district_id
    ]

    def near(day: date) -> bool:
        return any(abs(cal.working_days_between(day, other)) <= NEARBY_DAYS for other in same_district)

    if same_district and near(old.day) and not near(new.day):
        breaks.append(DISTRICT_GROUPING)
    team_last = max([p.day for _, p in mates] + [old.day])
    if new.day > team_last:
        breaks.append(LOAD_BALANCE)
    return breaks
