"""Translated names of the scheduling constraints and goals, and refusal reasons as text."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from inspections.i18n import show_date
from inspections.scheduling import problem, scheduler

CONSTRAINTS = {
    problem.WORKING_DAY: _l("working days only"),
    problem.WINDOW: _l("inside the plan window"),
    problem.CAPACITY: _l("team capacity"),
    problem.PERSON: _l("nobody in two places at once"),
    problem.BLACKOUT: _l("unit unavailable"),
    problem.ABSENCE: _l("team member away"),
    problem.CROSS_TEAM_GAP: _l("gap between teams at one unit"),
    problem.NOTICE: _l("notice period"),
    problem.FIXED: _l("date fixed by hand"),
    problem.COMPLETE: _l("every inspection has a date"),
    "error": _l("the worker failed"),
}

GOALS = {
    scheduler.DISTRICT_GROUPING: _l("visits in one district on nearby days"),
    scheduler.LOAD_BALANCE: _l("the team's schedule gets longer"),
}


def describe(reason: dict[str, object]) -> str:
    """One stored reason as a sentence: which constraint, which team, which unit, which day."""
    parts = [str(CONSTRAINTS.get(str(reason.get("constraint")), reason.get("constraint")))]
    if reason.get("team"):
        parts.append(_("team: %(name)s", name=reason["team"]))
    if reason.get("unit"):
        parts.append(_("unit: %(name)s", name=reason["unit"]))
    if reason.get("person"):
        parts.append(_("person: %(name)s", name=reason["person"]))
    if reason.get("day"):
        parts.append(_("day: %(day)s", day=show_date(date.fromisoformat(str(reason["day"])))))
    return " · ".join(parts)
