"""The scheduling problem as plain data, shared by the scheduler and the validator.

No Flask, no Celery, no database: the service builds a `Problem` from the models and
turns the answer back into rows. Slots are the values of `visits.models.Slot`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from inspections.workdays.calendar import WorkCalendar

MORNING = "morning"
AFTERNOON = "afternoon"
SLOTS = (MORNING, AFTERNOON)

# The hard constraints, by the code that names them in violations and refusals.
WORKING_DAY = "working_day"
WINDOW = "window"
CAPACITY = "capacity"
PERSON = "person"
BLACKOUT = "blackout"
ABSENCE = "absence"
CROSS_TEAM_GAP = "cross_team_gap"
NOTICE = "notice"
FIXED = "fixed"
COMPLETE = "complete"
HARD_CONSTRAINTS = (
    WORKING_DAY,
    WINDOW,
    CAPACITY,
    PERSON,
    BLACKOUT,
    ABSENCE,
    CROSS_TEAM_GAP,
    NOTICE,
    FIXED,
    COMPLETE,
)


@dataclass(frozen=True, order=True)
class Placement:
    day: date
    slot: str


@dataclass(frozen=True)
class TeamSpec:
    id: int
    capacity: int  # visits per working day; a team is in one place per half-day
    members: frozenset[int]
    name: str = ""

    @property
    def per_day(self) -> int:
        return max(1, min(self.capacity, len(SLOTS)))


@dataclass(frozen=True)
class InspectionSpec:
    id: int
    team_id: int
    unit_id: int
    announced: bool
    district_id: int | None = None
    fixed: Placement | None = None
    unit_name: str = ""


@dataclass(frozen=True)
class Problem:
    window_start: date
    window_end: date
    teams: tuple[TeamSpec, ...]
    inspections: tuple[InspectionSpec, ...]
    calendar: WorkCalendar
    # The day the schedule notices go out; announced visits come N working days later.
    notice_on: date
    notice_working_days: int = 5
    # Visits of two different teams to one unit are at least this many working days apart.
    cross_team_gap: int = 1
    unit_blackouts: Mapping[int, frozenset[date]] = field(default_factory=dict)
    absences: Mapping[int, frozenset[date]] = field(default_factory=dict)  # person -> days away

    def team(self, team_id: int) -> TeamSpec:
        return self._teams[team_id]

    @property
    def _teams(self) -> dict[int, TeamSpec]:
        cached = self.__dict__.get("_team_index")
        if cached is None:
            cached = {t.id: t for t in self.teams}
            object.__setattr__(self, "_team_index", cached)
        return cached


@dataclass(frozen=True)
class Issue:
    """A broken hard constraint (validator) or a reason for refusing (scheduler)."""

    constraint: str
    detail: str
    team_id: int | None = None
    unit_id: int | None = None
    inspection_id: int | None = None
    day: date | None = None
    person_id: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "constraint": self.constraint,
            "detail": self.detail,
            "team_id": self.team_id,
            "unit_id": self.unit_id,
            "inspection_id": self.inspection_id,
            "day": self.day.isoformat() if self.day else None,
            "person_id": self.person_id,
        }


class Infeasible(Exception):
    """The request cannot be met; nothing is scheduled. `reasons` says why."""

    def __init__(self, reasons: list[Issue]) -> None:
        super().__init__("; ".join(f"{r.constraint}: {r.detail}" for r in reasons[:5]))
        self.reasons = reasons
