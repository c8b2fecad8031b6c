from __future__ import annotations

from collections.abc import Sequence

from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from inspections import policy
from inspections.auth.models import Role
from inspections.extensions import db
from inspections.plans.models import Plan, PlanStatus
from inspections.plans.progress import plan_progress, team_progress
from inspections.remediation.models import ActionStatus, CorrectiveAction
from inspections.reports import bp
from inspections.visits.models import Inspection, Visit


@bp.get("/")
@login_required
def home() -> str:
    if current_user.role == Role.UNIT_CONTACT:
        return _unit_home()
    if current_user.role == Role.INSPECTOR:
        return _team_home()
    plans = list(
        db.session.scalars(
            policy.visible_plans(current_user)
            .options(selectinload(Plan.targets))
            .order_by(Plan.year.desc(), Plan.id.desc())
        )
    )
    teams = {plan.id: team_progress(plan) for plan in plans if plan.status != PlanStatus.CLOSED}
    return render_template(
        "reports/home_staff.html", plans=plans, progress=plan_progress(plans), team_progress=teams
    )


def _visits_by_inspection(inspections: Sequence[Inspection]) -> dict[int, list[Visit]]:
    """The visits of these inspections the user may know of, decided per visit: a surprise
    follow-up visit stays hidden until it starts, even if the first one has taken place."""
    found: dict[int, list[Visit]] = {i.id: [] for i in inspections}
    for visit in db.session.scalars(
        policy.visible_visits(current_user)
        .where(Visit.inspection_id.in_(list(found)))
        .order_by(Visit.starts_at, Visit.id)
    ):
        found[visit.inspection_id].append(visit)
    return found


def _team_home() -> str:
    inspections = db.session.scalars(
        policy.visible_inspections(current_user)
        .options(selectinload(Inspection.unit), selectinload(Inspection.team))
        .order_by(Inspection.id)
    ).all()
    return render_template(
        "reports/home_team.html", inspections=inspections, visits=_visits_by_inspection(inspections)
    )


def _unit_home() -> str:
    inspections = db.session.scalars(
        policy.visible_inspections(current_user)
        .options(selectinload(Inspection.team))
        .order_by(Inspection.id)
    ).all()
    # Through policy: an action shows only once the conclusion that set it is issued.
    actions = db.session.scalars(
        policy.visible_actions(current_user)
        .where(CorrectiveAction.status.in_([ActionStatus.OPEN, ActionStatus.RETURNED]))
        .order_by(CorrectiveAction.due_on)
    ).all()
    return render_template(
        "reports/home_unit.html",
        inspections=inspections,
        visits=_visits_by_inspection(inspections),
        actions=actions,
    )
