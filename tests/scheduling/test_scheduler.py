"""The pure scheduler and its independent validator: properties on random instances, and
the refusals a coordinator must be able to read."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from inspections.scheduling.problem import (
    ABSENCE,
    BLACKOUT,
    CAPACITY,
    HARD_CONSTRAINTS,
    NOTICE,
    SLOTS,
    WORKING_DAY,
    Infeasible,
    InspectionSpec,
    Placement,
    Problem,
    TeamSpec,
)
from inspections.scheduling.scheduler import propose
from inspections.scheduling.validator import validate
from inspections.workdays.calendar import WorkCalendar

CAL = WorkCalendar()


def problem(**overrides) -> Problem:
    values = {
        "window_start": date(2025, 3, 3),
        "window_end": date(2025, 3, 28),
        "teams": (TeamSpec(1, 1, frozenset({1, 2})),),
        "inspections": (),
        "calendar": CAL,
        "notice_on": date(2025, 2, 24),
    } | overrides
    return Problem(**values)


def inspections(n: int, *, team: int = 1, announced: bool = True, first_id: int = 1, **kw) -> tuple:
    return tuple(
        InspectionSpec(id=first_id + k, team_id=team, unit_id=first_id + k, announced=announced, **kw)
        for k in range(n)
    )


# --- random instances ----------------------------------------------------------------------


@st.composite
def instances(draw: st.DrawFn, *, easy: bool = False) -> Problem:
    start = draw(st.dates(min_value=date(2024, 12, 20), max_value=date(2025, 12, 20)))
    length = draw(st.integers(40, 70) if easy else st.integers(0, 40))
    end = start + timedelta(days=length)
    window = CAL.working_days_in(start, end)
    n_teams = draw(st.integers(1, 4))
    people = list(range(1, 9))
    teams = []
    for t in range(1, n_teams + 1):
        if easy:
            members = frozenset({100 + 2 * t, 101 + 2 * t})
        else:
            members = frozenset(draw(st.lists(st.sampled_from(people), min_size=1, max_size=4)))
        teams.append(TeamSpec(t, draw(st.integers(1, 3)), members))
    n = draw(st.integers(0, 6 if easy else 15))
    specs = []
    for k in range(1, n + 1):
        team = draw(st.integers(1, n_teams))
        fixed = None
        if not easy and window and draw(st.integers(0, 5)) == 0:
            fixed = Placement(draw(st.sampled_from(window)), draw(st.sampled_from(SLOTS)))
        specs.append(
            InspectionSpec(
                id=k,
                team_id=team,
                unit_id=draw(st.integers(1, 6)),
                announced=team % 2 == 1,
                district_id=draw(st.sampled_from([None, 1, 2, 3])),
                fixed=fixed,
            )
        )
    blackouts, absences = {}, {}
    if not easy and window:
        blackouts = draw(
            st.dictionaries(st.integers(1, 6), st.frozensets(st.sampled_from(window), max_size=8))
        )
        absences = draw(
            st.dictionaries(st.sampled_from(people), st.frozensets(st.sampled_from(window), max_size=8))
        )
    return Problem(
        window_start=start,
        window_end=end,
        teams=tuple(teams),
        inspections=tuple(specs),
        calendar=CAL,
        notice_on=start - timedelta(days=draw(st.integers(-3, 15) if not easy else st.integers(10, 15))),
        notice_working_days=draw(st.integers(0, 6)),
        cross_team_gap=0 if easy else draw(st.integers(0, 3)),
        unit_blackouts=blackouts,
        absences=absences,
    )


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(instances(), st.integers(0, 2**32))
def test_a_proposal_is_valid_and_complete_or_refused_with_reasons(instance, seed):
    try:
        placements = propose(instance, seed=seed)
    except Infeasible as refusal:
        event(f"refused: {refusal.reasons[0].constraint}" if refusal.reasons else "refused")
        assert refusal.reasons, "refused without a reason"
        for reason in refusal.reasons:
            assert reason.constraint in HARD_CONSTRAINTS
            assert reason.detail
            assert reason.team_id is not None or reason.person_id is not None or reason.constraint == "window"
        return
    event("scheduled")
    assert set(placements) == {i.id for i in instance.inspections}
    assert validate(instance, placements) == []


@SETTINGS
@given(instances(easy=True), st.integers(0, 2**32))
def test_an_instance_with_room_to_spare_is_always_scheduled(instance, seed):
    placements = propose(instance, seed=seed)
    assert validate(instance, placements) == []
    assert propose(instance, seed=seed) == placements  # the same seed, the same proposal


@SETTINGS
@given(instances(easy=True), st.integers(0, 2**32), st.data())
def test_the_validator_catches_a_visit_moved_to_a_day_off(instance, seed, data):
    if not instance.inspections:
        return
    placements = propose(instance, seed=seed)
    victim = data.draw(st.sampled_from(sorted(placements)))
    day = placements[victim].day
    while CAL.is_working_day(day):
        day += timedelta(days=1)
    broken = placements | {victim: Placement(day, placements[victim].slot)}
    assert WORKING_DAY in {v.constraint for v in validate(instance, broken)}


# --- what a coordinator sees -----------------------------------------------------------------


def test_no_visit_on_a_weekend_or_a_vietnamese_holiday():
    """Tết 2025 (25 Jan - 2 Feb) and National Day (1-2 Sep 2025) fall in these windows."""
    for start, end in ((date(2025, 1, 20), date(2025, 2, 14)), (date(2025, 8, 25), date(2025, 9, 12))):
        instance = problem(
            window_start=start,
            window_end=end,
            teams=(TeamSpec(1, 2, frozenset({1})),),
            inspections=inspections(24, announced=False),
            notice_on=start,
        )
        placements = propose(instance, seed=7)
        days = {p.day for p in placements.values()}
        assert all(d.weekday() < 5 for d in days)
        assert not days & {date(2025, 1, 29), date(2025, 1, 30), date(2025, 9, 1), date(2025, 9, 2)}
        assert validate(instance, placements) == []


def test_a_window_too_short_is_refused_naming_the_team():
    instance = problem(window_end=date(2025, 3, 5), inspections=inspections(10, announced=False))
    with pytest.raises(Infeasible) as refused:
        propose(instance)
    assert [(r.constraint, r.team_id) for r in refused.value.reasons] == [(CAPACITY, 1)]


def test_every_member_away_is_refused_naming_team_and_unit():
    window = CAL.working_days_in(date(2025, 3, 3), date(2025, 3, 28))
    instance = problem(inspections=inspections(2), absences={2: frozenset(window)})
    with pytest.raises(Infeasible) as refused:
        propose(instance)
    assert {(r.constraint, r.team_id, r.unit_id) for r in refused.value.reasons} == {
        (ABSENCE, 1, 1),
        (ABSENCE, 1, 2),
    }


def test_a_unit_blacked_out_all_window_is_refused():
    window = CAL.working_days_in(date(2025, 3, 3), date(2025, 3, 28))
    instance = problem(inspections=inspections(3), unit_blackouts={2: frozenset(window)})
    with pytest.raises(Infeasible) as refused:
        propose(instance)
    assert [(r.constraint, r.unit_id) for r in refused.value.reasons] == [(BLACKOUT, 2)]


def test_announced_visits_wait_for_the_notice_period():
    instance = problem(inspections=inspections(4), notice_on=date(2025, 3, 3), notice_working_days=5)
    placements = propose(instance)
    assert min(p.day for p in placements.values()) == date(2025, 3, 10)
    late = problem(inspections=inspections(1), notice_on=date(2025, 3, 24), notice_working_days=5)
    with pytest.raises(Infeasible) as refused:
        propose(late)
    assert refused.value.reasons[0].constraint == NOTICE


def test_a_person_on_two_teams_is_never_in_two_places():
    teams = (TeamSpec(1, 2, frozenset({1, 2})), TeamSpec(2, 2, frozenset({2, 3})))
    specs = inspections(8, team=1) + inspections(8, team=2, first_id=100)
    instance = problem(teams=teams, inspections=specs, window_end=date(2025, 3, 14))
    placements = propose(instance)
    assert validate(instance, placements) == []
    assert len(set(placements.values())) == 16  # person 2 needs a distinct half-day for each


def test_fixed_visits_stay_and_a_bad_fixed_date_is_refused():
    fixed = Placement(date(2025, 3, 12), "afternoon")
    specs = (InspectionSpec(1, 1, 1, True, fixed=fixed),) + inspections(3, first_id=2)
    assert propose(problem(inspections=specs))[1] == fixed
    on_sunday = (InspectionSpec(1, 1, 1, True, fixed=Placement(date(2025, 3, 9), "morning")),)
    with pytest.raises(Infeasible) as refused:
        propose(problem(inspections=on_sunday))
    assert refused.value.reasons[0].constraint == WORKING_DAY


def test_surprise_visits_come_in_a_seeded_unpredictable_order():
    specs = tuple(
        InspectionSpec(id=k, team_id=1, unit_id=k, announced=False, district_id=k, unit_name=f"Unit {k:02}")
        for k in range(1, 21)
    )
    instance = problem(inspections=specs, window_end=date(2025, 4, 30))

    def order(seed: int) -> list[int]:
        placements = propose(instance, seed=seed)
        return sorted(placements, key=lambda k: placements[k])

    first = order(1)
    assert first == order(1)
    assert first != sorted(first) and first != sorted(first, reverse=True)
    assert order(2) != first


def test_a_teams_visits_in_one_district_come_on_consecutive_days():
    specs = tuple(
        InspectionSpec(id=k, team_id=1, unit_id=k, announced=True, district_id=k % 2, unit_name=f"U{k}")
        for k in range(1, 11)
    )
    placements = propose(problem(inspections=specs))
    by_day = [specs[k - 1].district_id for k in sorted(placements, key=lambda k: placements[k])]
    assert by_day in ([0] * 5 + [1] * 5, [1] * 5 + [0] * 5)


def test_two_teams_keep_the_gap_at_one_unit():
    teams = (TeamSpec(1, 1, frozenset({1})), TeamSpec(2, 1, frozenset({2})))
    specs = (InspectionSpec(1, 1, 7, True), InspectionSpec(2, 2, 7, False))
    instance = problem(teams=teams, inspections=specs, cross_team_gap=3)
    placements = propose(instance)
    assert abs(CAL.working_days_between(placements[1].day, placements[2].day)) >= 3
