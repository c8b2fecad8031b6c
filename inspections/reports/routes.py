"""Each persona's home: a bounded "what's next" and counts made in SQL, never all the rows."""

from __future__ import annotations

from datetime import UTC, datetime, time

import sqlalchemy as sa
from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import contains_eager, selectinload

from inspections import policy
from inspections.auth.models import Role
from inspections.documents.render import font_faces, pdf_available, report_pdf
from inspections.extensions import db
from inspections.forms import parse_id, parse_year
from inspections.i18n import local_moment, today
from inspections.plans.models import Plan, PlanStatus
from inspections.plans.progress import plan_progress, team_progress
from inspections.remediation.models import ActionStatus, CorrectiveAction
from inspections.reports import bp, findings
from inspections.reports.exports import findings_sheets
from inspections.reports.overdue import overdue_by_district
from inspections.spreadsheets import XLSX_MIMETYPE, export_locale, xlsx_bytes
from inspections.teams.models import Team
from inspections.units.models import Unit
from inspections.visits.models import Inspection, Visit

# What a home shows at most; the lists behind its links have the rest.
HOME_PLANS = 6
CHARTED_TEAMS = 12  # a plan with more teams shows its progress by team on the plan page
UPCOMING, RECENT = 10, 5
UNIT_ROWS = 20
REPORT_PLANS = 50  # the plans a findings report covers at most (and offers to choose from)


@bp.get("/")
@login_required
def home() -> str:
    if current_user.role == Role.UNIT_CONTACT:
        return _unit_home()
    if current_user.role == Role.INSPECTOR:
        return _team_home()
    return _staff_home()


def _staff_home() -> str:
    visible = policy.visible_plans(current_user)
    plans = list(
        db.session.scalars(
            visible.options(selectinload(Plan.targets))
            .order_by((Plan.status == PlanStatus.CLOSED).asc(), Plan.year.desc(), Plan.id.desc())
            .limit(HOME_PLANS)
        )
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(visible.subquery())) or 0
    team_counts = dict(
        db.session.execute(
            sa.select(Team.plan_id, sa.func.count())
            .where(Team.plan_id.in_([p.id for p in plans]))
            .group_by(Team.plan_id)
        ).all()
    )
    teams = {
        plan.id: team_progress(plan)
        for plan in plans
        if plan.status != PlanStatus.CLOSED and team_counts.get(plan.id, 0) <= CHARTED_TEAMS
    }
    return render_template(
        "reports/home_staff.html",
        plans=plans,
        plans_total=total,
        progress=plan_progress(plans),
        team_progress=teams,
        team_counts=team_counts,
        overdue=overdue_by_district(current_user),
    )


def _start_of_today() -> datetime:
    return local_moment(today(), time()).astimezone(UTC)


def _visits(query: sa.Select[tuple[Visit]]) -> sa.Select[tuple[Visit]]:
    return (
        query.join(Inspection, Inspection.id == Visit.inspection_id)
        .join(Unit, Unit.id == Inspection.unit_id)
        .join(Team, Team.id == Inspection.team_id)
        .options(
            contains_eager(Visit.inspection).options(
                contains_eager(Inspection.unit), contains_eager(Inspection.team)
            )
        )
    )


def _team_home() -> str:
    """The leader's or member's next visits and the last ones, and their teams' counts."""
    mine = _visits(policy.visible_visits(current_user))
    start = _start_of_today()
    upcoming = db.session.scalars(
        mine.where(Visit.starts_at >= start).order_by(Visit.starts_at, Visit.id).limit(UPCOMING)
    ).all()
    recent = db.session.scalars(
        mine.where(Visit.starts_at < start).order_by(Visit.starts_at.desc(), Visit.id.desc()).limit(RECENT)
    ).all()
    counts = dict(
        db.session.execute(
            policy.visible_inspections(current_user)
            .with_only_columns(Inspection.status, sa.func.count())
            .group_by(Inspection.status)
        ).all()
    )
    return render_template(
        "reports/home_team.html", upcoming=upcoming, recent=recent, counts=counts, today=today()
    )


def _unit_home() -> str:
    inspections = db.session.scalars(
        policy.visible_inspections(current_user)
        .options(selectinload(Inspection.team))
        .order_by(Inspection.id.desc())
        .limit(UNIT_ROWS)
    ).all()
    # Decided per visit: a surprise follow-up stays hidden until it starts.
    visits: dict[int, list[Visit]] = {i.id: [] for i in inspections}
    for visit in db.session.scalars(
        policy.visible_visits(current_user)
        .where(Visit.inspection_id.in_(list(visits)))
        .order_by(Visit.starts_at, Visit.id)
    ):
        visits[visit.inspection_id].append(visit)
    # Through policy: an action shows only once the conclusion that set it is issued.
    open_actions = policy.visible_actions(current_user).where(
        CorrectiveAction.status.in_([ActionStatus.OPEN, ActionStatus.RETURNED])
    )
    actions = db.session.scalars(
        open_actions.order_by(CorrectiveAction.due_on, CorrectiveAction.id).limit(UNIT_ROWS)
    ).all()
    actions_total = db.session.scalar(sa.select(sa.func.count()).select_from(open_actions.subquery())) or 0
    return render_template(
        "reports/home_unit.html",
        inspections=inspections,
        visits=visits,
        actions=actions,
        actions_total=actions_total,
    )


# --- what the inspections found ----------------------------------------------------------


def _report_plans() -> tuple[list[Plan], dict[str, object]]:
    """The plans a findings report covers: one (`?plan=`), else those of the years asked
    (`?from=&to=`), else the newest plan whose window has opened."""
    visible = policy.visible_plans(current_user)
    plan_id = parse_id(request.args.get("plan"))
    first, last = parse_year(request.args.get("from")), parse_year(request.args.get("to"))
    if plan_id:
        plans = list(db.session.scalars(visible.where(Plan.id == plan_id)))
    elif first or last:
        query = visible
        if first:
            query = query.where(Plan.year >= first)
        if last:
            query = query.where(Plan.year <= last)
        plans = list(db.session.scalars(query.order_by(Plan.year, Plan.id).limit(REPORT_PLANS)))
    else:  # the newest plan already at work (next year's has nothing to report yet)
        started = visible.where(Plan.window_start <= today())
        plans = list(db.session.scalars(started.order_by(Plan.year.desc(), Plan.id.desc()).limit(1)))
    return plans, {"plan": plan_id, "from": first, "to": last}


def _report() -> tuple[findings.FindingsReport, dict[str, object], list[Plan]]:
    if not policy.can_view_findings_reports(current_user):
        abort(403)
    plans, chosen = _report_plans()
    choices = list(
        db.session.scalars(
            policy.visible_plans(current_user).order_by(Plan.year.desc(), Plan.id.desc()).limit(REPORT_PLANS)
        )
    )
    return findings.findings_report(current_user, plans), chosen, choices


@bp.get("/reports/findings")
@login_required
def findings_page() -> str:
    report, chosen, choices = _report()
    return render_template("reports/findings.html", report=report, chosen=chosen, choices=choices)


@bp.get("/reports/findings.<fmt>")
@login_required
def findings_export(fmt: str) -> Response:
    if fmt not in ("xlsx", "pdf") or (fmt == "pdf" and not pdf_available()):
        abort(404)
    report, chosen, _choices = _report()
    with export_locale(request.args.get("lang")):
        if fmt == "xlsx":
            data, mimetype = xlsx_bytes(findings_sheets(report)), XLSX_MIMETYPE
        else:
            html = render_template("reports/findings_print.html", report=report, fonts=font_faces())
            meta = {"title": _("What the inspections found"), "author": current_user.full_name}
            data, mimetype = report_pdf(html, meta), "application/pdf"
    name = f"ket-qua-kiem-tra-{'-'.join(str(p.year) for p in report.plans[:1]) or 'none'}.{fmt}"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"})
