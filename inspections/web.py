"""What every view shares: scoped loaders, the one domain-error helper, safe redirects,
and handing work to a worker after the commit.

A loader asks `policy` and answers 404 for what the user may not see (existence is not
revealed). `service_call` is the only place a view turns a `DomainError` into a message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app, flash, request
from flask_login import current_user
from sqlalchemy.orm import joinedload

from inspections import policy
from inspections.cases.models import Case
from inspections.errors import DomainError
from inspections.extensions import db
from inspections.plans.models import Plan
from inspections.teams.models import Membership, Team
from inspections.visits.models import Inspection, Visit

log = logging.getLogger(__name__)


# --- the domain-error block --------------------------------------------------------------


@dataclass
class Outcome:
    """How a `service_call` ended: `ok` after the commit, else the refusal's message."""

    ok: bool = False
    error: object | None = None

    def __bool__(self) -> bool:
        return self.ok


@contextmanager
def service_call(success: object | None = None, *, flash_error: bool = True) -> Iterator[Outcome]:
    """Run the block as one unit of work: commit it, or on a `DomainError` roll it back.

        with service_call(_("The plan is approved.")) as done:
            approve_plan(plan, actor=current_user)
        if not done: ...

    The refusal is flashed (unless `flash_error` is off, for a JSON answer) and kept in
    `done.error`; nothing of the block is committed. Other exceptions propagate.
    """
    outcome = Outcome()
    try:
        yield outcome
    except DomainError as exc:
        db.session.rollback()
        outcome.error = exc.message
        if flash_error:
            flash(str(exc.message), "error")
        return
    db.session.commit()
    outcome.ok = True
    if success is not None:
        flash(str(success), "success")


def flash_form_errors(form: Any) -> None:
    """The first message of each field that failed, as flashed errors."""
    for errors in form.errors.values():
        flash(str(errors[0]), "error")


# --- redirects ---------------------------------------------------------------------------


def wants_json() -> bool:
    """The client asked for JSON (a script's fetch: field.js, calendar.js), not a page."""
    return request.accept_mimetypes.best == "application/json"


def local_path(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default`: never an open redirect."""
    if not target:
        return default
    target = target.strip()
    # Browsers treat a backslash like a slash, so "/\evil.example" is another host.
    parts = urlsplit(target.replace("\\", "/"))
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if any(ch in target for ch in "\r\n\t") or target.startswith("/\\"):
        return default
    return target


def next_path(default: str) -> str:
    """The form's (or query's) `next`, if local."""
    return local_path(request.form.get("next") or request.args.get("next"), default)


# --- work for a worker -------------------------------------------------------------------


def send_task(name: str, *args: object) -> bool:
    """Ask a worker to run the task `name` now; call it after the commit.

    By name, so no view imports the workers. The rows the task works on are already in the
    database: if the broker is down, beat's next tick does the same, so a failure is logged
    and not shown to the user.
    """
    try:
        current_app.extensions["celery"].send_task(name, args=list(args))
    except Exception:  # the broker is a hint here, never the record
        log.warning("could not enqueue task %s; beat will catch up", name, exc_info=True)
        return False
    return True


# --- scoped loaders ----------------------------------------------------------------------


def load_plan(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None or not policy.can_view_plan(current_user, plan):
        abort(404)
    return plan


def load_team(team_id: int) -> Team:
    team = db.session.get(Team, team_id)
    if team is None or not policy.can_view_team(current_user, team):
        abort(404)
    return team


def load_visit(visit_id: int) -> Visit:
    """A visit whose field pages the user may open (team, the plan's coordinators, admins,
    observers once allowed): the same scope as the visit lists."""
    visit = db.session.scalar(
        policy.visible_visits(current_user)
        .where(Visit.id == visit_id)
        .options(
            joinedload(Visit.inspection).joinedload(Inspection.unit),
            joinedload(Visit.inspection).joinedload(Inspection.plan).selectinload(Plan.coordinators),
            joinedload(Visit.inspection)
            .joinedload(Inspection.team)
            .selectinload(Team.memberships)
            .joinedload(Membership.user),
        )
    )
    if visit is None or not policy.can_view_field(current_user, visit.inspection):
        abort(404)
    return visit


def load_case(case_id: int) -> Case:
    case = db.session.scalar(
        policy.visible_cases(current_user)
        .where(Case.id == case_id)
        .options(
            joinedload(Case.unit),
            joinedload(Case.plan).selectinload(Plan.coordinators),
            joinedload(Case.team).selectinload(Team.memberships).joinedload(Membership.user),
        )
    )
    if case is None:
        abort(404)
    return case
