"""A plan's reminder settings, declared once: `ReminderSettings`.

Each field says what it is (its label on the plan's page), its default (what a plan
without settings of its own uses) and its bounds (checked by the page's form and by the
service; the table's CHECKs hold the same). The rule book of the time-based rules, the
page's form and its sections are all made from this one declaration.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from inspections.plans.models import Plan


@dataclass(frozen=True)
class Bounds:
    low: int
    high: int
    hint: LazyString  # beside the field on the page
    refusal: LazyString  # from the service, when a caller passes a value outside

    def __contains__(self, value: int) -> bool:
        return self.low <= value <= self.high


NOTICE = Bounds(
    0, 60, _l("Between 0 and 60."), _l("The notice period must be between 0 and 60 working days.")
)
BEFORE = Bounds(
    0,
    30,
    _l("Between 0 and 30."),
    _l("Visit reminders must be between 0 and 30 working days before the visit."),
)
# The upper bound keeps every rule inside the window of past visits and actions it reads.
AFTER = Bounds(
    1, 60, _l("Between 1 and 60."), _l("Overdue and due-soon periods must be between 1 and 60 days.")
)
WEEKDAY = Bounds(
    0, 6, _l("Choose a day of the week for the digest."), _l("Choose a day of the week for the digest.")
)

BEFORE_A_VISIT = _l("Before a visit")
AFTER_A_VISIT = _l("After a visit")
CORRECTIVE_ACTIONS = _l("Corrective actions")


def _setting(label: LazyString, bounds: Bounds, default: int, section: LazyString | None = None) -> Any:
    return dataclasses.field(default=default, metadata={"label": label, "bounds": bounds, "section": section})


@dataclass(frozen=True)
class ReminderSettings:
    """Every setting a coordinator sees on a plan's page, in working days unless named."""

    # The plan's own column (the scheduler reads it too); a new plan's default.
    notice_working_days: int = _setting(
        _l("Schedule notice: at least this many working days ahead"),
        NOTICE,
        Plan.__table__.c.notice_working_days.default.arg,
        BEFORE_A_VISIT,
    )
    team_reminder_first: int = _setting(
        _l("First reminder to the team (working days before)"), BEFORE, 3, BEFORE_A_VISIT
    )
    team_reminder_second: int = _setting(
        _l("Second reminder to the team (working days before)"), BEFORE, 1, BEFORE_A_VISIT
    )
    unit_reminder: int = _setting(
        _l("Reminder to the unit's contacts (working days before)"), BEFORE, 1, BEFORE_A_VISIT
    )
    findings_after: int = _setting(_l("Findings overdue after (working days)"), AFTER, 2, AFTER_A_VISIT)
    conclusion_after: int = _setting(
        _l("Conclusion overdue, to the team leader, after (working days)"), AFTER, 15, AFTER_A_VISIT
    )
    conclusion_to_coordinator_after: int = _setting(
        _l("Conclusion overdue, to the coordinator, after (working days)"), AFTER, 20, AFTER_A_VISIT
    )
    # Calendar days: the due date is a calendar date.
    action_due_soon_days: int = _setting(
        _l("Corrective action due soon: days before it is due"), AFTER, 7, CORRECTIVE_ACTIONS
    )
    escalate_after: int = _setting(
        _l("Overdue action escalated after (working days)"), AFTER, 10, CORRECTIVE_ACTIONS
    )
    digest_weekday: int = _setting(_l("Weekly digest day"), WEEKDAY, 0)  # 0 = Monday

    @property
    def team_reminders(self) -> tuple[int, int]:
        return self.team_reminder_first, self.team_reminder_second

    def refusal(self) -> LazyString | None:
        """Why these settings cannot be saved, or None."""
        for setting in SETTINGS:
            if getattr(self, setting.name) not in setting.metadata["bounds"]:
                return setting.metadata["bounds"].refusal
        if self.conclusion_to_coordinator_after < self.conclusion_after:
            return _l("The coordinator is told of a late conclusion on or after the team leader, not before.")
        return None

    def changes_from(self, before: ReminderSettings) -> tuple[dict[str, int], dict[str, int]]:
        """The settings that differ: (their old values, their new values)."""
        old, new = dataclasses.asdict(before), dataclasses.asdict(self)
        changed = [name for name in new if old[name] != new[name]]
        return {k: old[k] for k in changed}, {k: new[k] for k in changed}


SETTINGS = dataclasses.fields(ReminderSettings)
# What a plan's settings row holds: the notice period lives on the plan itself.
ROW_SETTINGS = tuple(s.name for s in SETTINGS if s.name != "notice_working_days")
DEFAULTS = ReminderSettings()


def sections() -> list[tuple[LazyString | None, list[dataclasses.Field[Any]]]]:
    """The page's fieldsets, in the order of the declaration."""
    grouped: list[tuple[LazyString | None, list[dataclasses.Field[Any]]]] = []
    for setting in SETTINGS:
        section = setting.metadata["section"]
        if not grouped or grouped[-1][0] is not section:
            grouped.append((section, []))
        grouped[-1][1].append(setting)
    return grouped
