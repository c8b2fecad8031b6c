"""Benchmark of the visit scheduler on a seeded national-scale instance.

    .venv/bin/python bench/schedule.py [--seed 1] [--cpsat-seconds 120]

Prints runtime, peak memory, hard-constraint violations (from the independent validator),
makespan over its lower bound and the spread of team loads; then solves the same instance,
or the largest part of it (whole teams) it can within the time budget, with OR-Tools CP-SAT
and prints both side by side.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspections.scheduling.problem import SLOTS, InspectionSpec, Placement, Problem, TeamSpec
from inspections.scheduling.scheduler import ROUNDS, makespan, propose
from inspections.scheduling.validator import validate
from inspections.workdays import WorkCalendar

INSPECTIONS, TEAMS, PEOPLE, WINDOW_DAYS = 10_000, 500, 3_000, 200


def national_instance(
    seed: int, *, inspections: int = INSPECTIONS, teams: int = TEAMS, people: int = PEOPLE
) -> Problem:
    rng = random.Random(seed)
    calendar = WorkCalendar()
    start = date(2025, 3, 3)
    end = calendar.add_working_days(start, WINDOW_DAYS - 1)
    # Every person sits on one team; a third of them on a second one too.
    seats: dict[int, set[int]] = defaultdict(set)
    person_ids = list(range(1, people + 1))
    rng.shuffle(person_ids)
    for n, person in enumerate(person_ids):
        seats[n % teams + 1].add(person)
    for person in rng.sample(person_ids, people // 3):
        seats[rng.randint(1, teams)].add(person)
    team_specs = tuple(
        TeamSpec(id=t, capacity=rng.choice((1, 2, 2)), members=frozenset(seats[t]), name=f"team {t}")
        for t in range(1, teams + 1)
    )
    districts = 700
    units = int(inspections * 0.9)
    weights = [rng.uniform(0.5, 1.5) for _ in team_specs]
    specs = []
    used: set[tuple[int, bool]] = set()
    for n in range(1, inspections + 1):
        team = rng.choices(team_specs, weights)[0]
        announced = team.id % 2 == 0
        unit = rng.randint(1, units)
        while (unit, announced) in used:
            unit = rng.randint(1, units)
        used.add((unit, announced))
        specs.append(
            InspectionSpec(
                id=n,
                team_id=team.id,
                unit_id=unit,
                announced=announced,
                district_id=unit % districts,
                unit_name=f"unit {unit}",
            )
        )
    window = calendar.working_days_in(start, end)
    blackouts = {
        u: frozenset(rng.sample(window, rng.randint(1, 10)))
        for u in rng.sample(range(1, units + 1), units // 20)
    }
    absences = {
        p: frozenset(rng.sample(window, rng.randint(1, 5))) for p in rng.sample(person_ids, people // 10)
    }
    return Problem(
        window_start=start,
        window_end=end,
        teams=team_specs,
        inspections=tuple(specs),
        calendar=calendar,
        notice_on=start - timedelta(days=7),
        notice_working_days=5,
        cross_team_gap=2,
        unit_blackouts=blackouts,
        absences=absences,
    )


def lower_bound(problem: Problem) -> int:
    """Working days no schedule can beat: per team, per person, from the earliest allowed day."""
    days = problem.calendar.working_days_in(problem.window_start, problem.window_end)
    first_announced = days.index(
        next(
            d
            for d in days
            if problem.calendar.working_days_between(problem.notice_on, d) >= problem.notice_working_days
        )
    )
    by_team = Counter(i.team_id for i in problem.inspections)
    announced_team = {i.team_id: i.announced for i in problem.inspections}
    bound = 0
    per_person: Counter[int] = Counter()
    for team in problem.teams:
        n = by_team[team.id]
        if n:
            start = first_announced if announced_team[team.id] else 0
            bound = max(bound, start + math.ceil(n / team.per_day))
            for person in team.members:
                per_person[person] += n
    if per_person:
        bound = max(bound, math.ceil(max(per_person.values()) / len(SLOTS)))
    return bound


def load_spread(problem: Problem, placements: dict[int, Placement]) -> str:
    by_team = Counter(i.team_id for i in problem.inspections)
    finish = defaultdict(date.min.__class__)
    team_of = {i.id: i.team_id for i in problem.inspections}
    days_used: dict[int, int] = {}
    for inspection_id, p in placements.items():
        t = team_of[inspection_id]
        finish[t] = max(finish.get(t, p.day), p.day)
    for t in by_team:
        days_used[t] = problem.calendar.working_days_between(problem.window_start, finish[t]) + 1
    loads = list(by_team.values())
    spans = list(days_used.values())
    return (
        f"visits per team min/mean/max/stdev {min(loads)}/{statistics.mean(loads):.1f}/{max(loads)}/"
        f"{statistics.pstdev(loads):.1f}; "
        f"team finishing day min/mean/max {min(spans)}/{statistics.mean(spans):.1f}/{max(spans)}"
    )


def run_ours(problem: Problem, seed: int, rounds: int = ROUNDS) -> tuple[dict[int, Placement], float, float]:
    """Timed on its own; the peak memory comes from a second, traced run (tracing slows it)."""
    began = time.perf_counter()
    placements = propose(problem, seed=seed, rounds=rounds)
    elapsed = time.perf_counter() - began
    tracemalloc.start()
    propose(problem, seed=seed, rounds=rounds)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return placements, elapsed, peak / 2**20


def subproblem(problem: Problem, team_count: int) -> Problem:
    keep = {t.id for t in problem.teams[:team_count]}
    members = set().union(*(t.members for t in problem.teams[:team_count]))
    return Problem(
        window_start=problem.window_start,
        window_end=problem.window_end,
        teams=problem.teams[:team_count],
        inspections=tuple(i for i in problem.inspections if i.team_id in keep),
        calendar=problem.calendar,
        notice_on=problem.notice_on,
        notice_working_days=problem.notice_working_days,
        cross_team_gap=problem.cross_team_gap,
        unit_blackouts=problem.unit_blackouts,
        absences={p: d for p, d in problem.absences.items() if p in members},
    )


def solve_cpsat(problem: Problem, horizon: int, seconds: float) -> tuple[str, int | None, float, int]:
    """Minimise the makespan with CP-SAT over the first `horizon` working days."""
    from ortools.sat.python import cp_model

    days = problem.calendar.working_days_in(problem.window_start, problem.window_end)[:horizon]
    index = {d: n for n, d in enumerate(days)}
    first_announced = next(
        n
        for n, d in enumerate(days)
        if problem.calendar.working_days_between(problem.notice_on, d) >= problem.notice_working_days
    )
    model = cp_model.CpModel()
    x: dict[tuple[int, int, str], cp_model.IntVar] = {}
    team_slot: dict[tuple[int, int, str], list] = defaultdict(list)
    person_slot: dict[tuple[int, int, str], list] = defaultdict(list)
    unit_day: dict[tuple[int, int], list] = defaultdict(list)
    ends = []
    for i in problem.inspections:
        team = problem.team(i.team_id)
        off = {index[d] for p in team.members for d in problem.absences.get(p, ()) if d in index}
        off |= {index[d] for d in problem.unit_blackouts.get(i.unit_id, ()) if d in index}
        start = first_announced if i.announced else 0
        choices = []
        end = model.new_int_var(0, horizon, f"end{i.id}")
        for d in range(start, len(days)):
            if d in off:
                continue
            for s in SLOTS:
                v = model.new_bool_var(f"x{i.id}_{d}_{s}")
                x[(i.id, d, s)] = v
                choices.append(v)
                team_slot[(i.team_id, d, s)].append(v)
                for p in team.members:
                    person_slot[(p, d, s)].append(v)
                unit_day[(i.unit_id, d)].append((i.team_id, v))
                model.add(end >= d + 1).only_enforce_if(v)
        if not choices:
            return "INFEASIBLE", None, 0.0, horizon + 1
        model.add_exactly_one(choices)
        ends.append(end)
    for vs in team_slot.values():
        model.add_at_most_one(vs)
    for (team_id, d, _s), vs in team_slot.items():
        if _s == SLOTS[0]:
            both = vs + team_slot.get((team_id, d, SLOTS[1]), [])
            model.add(sum(both) <= problem.team(team_id).per_day)
    for vs in person_slot.values():
        if len(vs) > 1:
            model.add_at_most_one(vs)
    gap = problem.cross_team_gap
    units = {u for u, _ in unit_day}
    for u in units:
        for d in range(len(days)):
            near = [(t, v) for dd in range(d, min(d + gap, len(days))) for t, v in unit_day.get((u, dd), [])]
            teams = {t for t, _ in near}
            if len(teams) > 1:
                for t in teams:
                    mine = [v for tt, v in near if tt == t]
                    theirs = [v for tt, v in near if tt != t]
                    for a in mine:
                        for b in theirs:
                            model.add_bool_or([a.Not(), b.Not()])
    span = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(span, ends)
    model.minimize(span)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 8
    began = time.perf_counter()
    status = solver.solve(model)
    elapsed = time.perf_counter() - began
    name = solver.status_name(status)
    value = int(solver.value(span)) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
    if status == cp_model.INFEASIBLE:  # nothing fits in the horizon: the optimum is beyond it
        return name, None, elapsed, horizon + 1
    return name, value, elapsed, math.ceil(solver.best_objective_bound - 1e-6)


def neighbourhood(problem: Problem, team_id: int) -> Problem:
    """The team, the teams sharing a member with it, and theirs: a relaxation of the whole."""

    def around(ids: set[int]) -> set[int]:
        members = set().union(*(problem.team(t).members for t in ids))
        return {t.id for t in problem.teams if t.members & members}

    keep = around(around({team_id}))
    return replace(
        problem,
        teams=tuple(t for t in problem.teams if t.id in keep),
        inspections=tuple(i for i in problem.inspections if i.team_id in keep),
    )


def certified_bound(problem: Problem, placements: dict[int, Placement], seconds: float) -> tuple[int, str]:
    """A stronger lower bound: CP-SAT's proven bound on the neighbourhood of a last team.

    Dropping teams only drops constraints, so no schedule of the whole beats the optimum
    of a part of it.
    """
    last = max(p.day for p in placements.values())
    team_id = next(i.team_id for i in problem.inspections if placements[i.id].day == last)
    part = neighbourhood(problem, team_id)
    horizon = makespan(problem, placements)
    status, _value, elapsed, bound = solve_cpsat(part, horizon, seconds)
    return bound, f"{len(part.teams)} teams around team {team_id}, CP-SAT {status} in {elapsed:.0f} s"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cpsat-seconds", type=float, default=120.0)
    parser.add_argument("--bound-seconds", type=float, default=90.0)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()

    began = time.perf_counter()
    problem = national_instance(args.seed)
    print(
        f"instance: {len(problem.inspections)} inspections, {len(problem.teams)} teams, "
        f"{len({p for t in problem.teams for p in t.members})} people, "
        f"{len(problem.calendar.working_days_in(problem.window_start, problem.window_end))} working days "
        f"({problem.window_start} to {problem.window_end}), seed {args.seed}, "
        f"built in {time.perf_counter() - began:.1f} s"
    )
    placements, elapsed, peak = run_ours(problem, args.seed, args.rounds)
    violations = validate(problem, placements)
    span, bound = makespan(problem, placements), lower_bound(problem)
    print("ours (list scheduler):")
    print(f"  runtime {elapsed:.2f} s, peak memory {peak:.1f} MiB")
    print(f"  hard-constraint violations {len(violations)}")
    print(f"  makespan {span} working days, lower bound {bound}, ratio {span / bound:.3f}")
    print(f"  load spread: {load_spread(problem, placements)}")
    if args.bound_seconds > 0 and span > bound:
        strong, how = certified_bound(problem, placements, args.bound_seconds)
        strong = max(strong, bound)
        print(f"  certified lower bound {strong} ({how}); makespan / certified bound {span / strong:.3f}")

    print(f"CP-SAT comparison (whole teams of the same instance, {args.cpsat_seconds:.0f} s budget in all):")
    print(
        f"  {'teams':>5} {'visits':>6} | {'ours':>4} {'s':>6} | "
        f"{'CP-SAT':>6} {'status':>10} {'s':>6} | {'bound':>5}"
    )
    budget = args.cpsat_seconds
    for teams in (10, 25, 50, 100, 200, 500):
        if budget < 5:
            break
        sub = subproblem(problem, teams)
        ours, ours_s, _ = run_ours(sub, args.seed)
        ours_span = makespan(sub, ours)
        status, value, cp_s, _ = solve_cpsat(sub, ours_span, budget)
        budget -= cp_s
        print(
            f"  {teams:>5} {len(sub.inspections):>6} | {ours_span:>4} {ours_s:>6.2f} | "
            f"{value if value is not None else '-':>6} {status:>10} {cp_s:>6.1f} | {lower_bound(sub):>5}"
        )
        if value is None:
            break


if __name__ == "__main__":
    main()
