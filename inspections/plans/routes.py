from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from inspections import policy
from inspections.extensions import db
from inspections.plans import bp
from inspections.plans.models import Plan
from inspections.reports.services import plan_progress
from inspections.teams.models import Membership, Team


def load_plan(plan_id: int) -> Plan:
    """The plan, if the current user may see it; 404 otherwise (existence is not revealed)."""
    plan = db.session.get(Plan, plan_id)
    if plan is None or not policy.can_view_plan(current_user, plan):
        abort(404)
    return plan


@bp.route("/")
@login_required
def index() -> str:
    if not policy.can_view_plans(current_user):
        abort(403)
    plans = list(
        db.session.scalars(
            policy.visible_plans(current_user)
            .options(selectinload(Plan.targets))
            .order_by(Plan.year.desc(), Plan.id.desc())
        )
    )
    return render_template("plans/index.html", plans=plans, progress=plan_progress(plans))


@bp.route("/<int:plan_id>")
@login_required
def detail(plan_id: int) -> str:
    plan = load_plan(plan_id)
    teams = db.session.scalars(
        db.select(Team)
        .where(Team.plan_id == plan.id)
        .options(
            selectinload(Team.memberships).selectinload(Membership.user),
            selectinload(Team.memberships).selectinload(Membership.home_unit),
        )
        .order_by(Team.id)
    ).all()
    return render_template(
        "plans/detail.html", plan=plan, teams=teams, progress=plan_progress([plan])[plan.id]
    )
