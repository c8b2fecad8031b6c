from __future__ import annotations

from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from inspections import policy
from inspections.extensions import db
from inspections.forms import FIRST_YEAR, LAST_YEAR, ConfirmForm, parse_day, parse_month, within_calendar
from inspections.i18n import today
from inspections.plans.models import Plan
from inspections.scheduling import bp, feeds, views
from inspections.scheduling.constraints import (
    add_unit_blackout,
    cross_team_gap,
    plan_blackouts,
    plan_units,
    set_cross_team_gap,
)
from inspections.scheduling.forms import BlackoutForm, GapForm, MoveForm, ProposeForm
from inspections.scheduling.labels import describe
from inspections.scheduling.models import ProposalItem, ProposalStatus, ScheduleProposal
from inspections.scheduling.services import (
    ACTIVE,
    approve_proposal,
    fixed_visit,
    latest_proposal,
    move_item,
    request_proposal,
    visit_placement,
)
from inspections.teams.models import Team
from inspections.visits.models import Inspection, InspectionStatus, Slot, Visit
from inspections.web import flash_form_errors, send_task, service_call


def load_schedulable_plan(plan_id: int) -> Plan:
    """The plan, if the current user may schedule it; 404 otherwise (surprise dates inside)."""
    plan = db.session.get(Plan, plan_id)
    if plan is None or not policy.can_schedule(current_user, plan):
        abort(404)
    return plan


def _asked(name: str, parse: Callable[[str | None], date | None]) -> date | None:
    """The month or day in the query, None without one; one that no calendar shows (year
    9999, month 13) gets a message and the default view rather than an error."""
    value = request.args.get(name)
    day = parse(value)
    if value and day is None:
        flash(
            _(
                "The calendar shows the years %(first)d to %(last)d: that date cannot be shown.",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            ),
            "error",
        )
    return day


def _entries(plan: Plan, proposal: ScheduleProposal | None) -> list[views.Entry]:
    inspections = db.session.scalars(
        sa.select(Inspection)
        .where(Inspection.plan_id == plan.id, Inspection.status != InspectionStatus.CANCELLED)
        .options(
            selectinload(Inspection.unit), selectinload(Inspection.visits), selectinload(Inspection.team)
        )
    ).all()
    entries = []
    for inspection in inspections:
        visit = fixed_visit(inspection)
        if visit is not None:
            placement = visit_placement(visit)
            entries.append(views.Entry(placement.day, Slot(placement.slot), inspection, visit=visit))
    if proposal is not None and proposal.status == ProposalStatus.READY:
        entries += [views.Entry(i.day, i.slot, i.inspection, item=i) for i in proposal.items]
    return entries


@bp.get("/plans/<int:plan_id>/schedule")
@login_required
def schedule(plan_id: int) -> str:
    plan = load_schedulable_plan(plan_id)
    proposal = latest_proposal(plan)
    teams = db.session.scalars(sa.select(Team).where(Team.plan_id == plan.id).order_by(Team.id)).all()
    team = next((t for t in teams if str(t.id) == request.args.get("team")), teams[0] if teams else None)
    entries = _entries(plan, proposal)
    team_entries = [e for e in entries if team is not None and e.inspection.team_id == team.id]
    first_day = within_calendar(min((e.day for e in team_entries), default=plan.window_start))
    view = "week" if request.args.get("view") == "week" else "month"
    month = _asked("month", parse_month) or first_day.replace(day=1)
    week = views.week_days(_asked("week", parse_day) or first_day)
    return render_template(
        "scheduling/schedule.html",
        plan=plan,
        proposal=proposal,
        running=proposal is not None and proposal.status in ACTIVE,
        reasons=[describe(r) for r in (proposal.reasons if proposal else [])],
        teams=teams,
        team=team,
        view=view,
        month=month,
        prev_month=views.shift_month(month, -1),
        next_month=views.shift_month(month, 1),
        grid=views.month_grid(month.year, month.month),
        week=week,
        days=views.by_day(team_entries),
        items=sorted((e for e in entries if e.item is not None), key=lambda e: (e.inspection.team_id, e.day)),
        propose_form=ProposeForm(formdata=None, notice_on=today()),
        confirm_form=ConfirmForm(formdata=None),
        move_form=MoveForm(formdata=None),
        gap_form=GapForm(formdata=None, cross_team_gap_days=cross_team_gap(plan)),
        blackout_form=_blackout_form(plan, formdata=None),
        blackouts=plan_blackouts(plan),
    )


def _blackout_form(plan: Plan, **kwargs: object) -> BlackoutForm:
    form = BlackoutForm(**kwargs)
    form.unit_id.choices = [SelectChoice(unit_id, name) for unit_id, name in plan_units(plan)]
    return form


@bp.post("/plans/<int:plan_id>/schedule/settings")
@login_required
def settings(plan_id: int) -> BaseResponse:
    plan = load_schedulable_plan(plan_id)
    form = GapForm()
    if form.validate():
        with service_call(_("The scheduling settings were saved.")):
            set_cross_team_gap(plan, days=form.cross_team_gap_days.data, actor=current_user)
    else:
        flash_form_errors(form)
    return redirect(url_for(".schedule", plan_id=plan.id))


@bp.post("/plans/<int:plan_id>/schedule/blackouts")
@login_required
def add_blackout(plan_id: int) -> BaseResponse:
    plan = load_schedulable_plan(plan_id)
    form = _blackout_form(plan)
    if not form.validate():
        flash_form_errors(form)
        return redirect(url_for(".schedule", plan_id=plan.id))
    with service_call(_("The unit's unavailable day was saved.")):
        add_unit_blackout(
            plan, unit_id=form.unit_id.data, day=form.day.data, note=form.note.data or "", actor=current_user
        )
    return redirect(url_for(".schedule", plan_id=plan.id))


@bp.get("/plans/<int:plan_id>/schedule/progress")
@login_required
def progress(plan_id: int) -> dict[str, object]:
    plan = load_schedulable_plan(plan_id)
    proposal = latest_proposal(plan)
    if proposal is None:
        return {"status": None, "progress": 0}
    return {"status": proposal.status.value, "progress": proposal.progress}


@bp.post("/plans/<int:plan_id>/schedule/propose")
@login_required
def propose(plan_id: int) -> BaseResponse:
    plan = load_schedulable_plan(plan_id)
    form = ProposeForm()
    if not form.validate():
        flash(_("Check the date."), "error")
        return redirect(url_for(".schedule", plan_id=plan.id))
    with service_call(_("The schedule is being proposed.")) as done:
        proposal = request_proposal(plan, actor=current_user, notice_on=form.notice_on.data)
    if done:
        send_task("scheduling.propose", proposal.id)
    return redirect(url_for(".schedule", plan_id=plan.id))


@bp.post("/schedule/items/<int:item_id>/move")
@login_required
def move(item_id: int) -> BaseResponse:
    item = db.session.get(ProposalItem, item_id)
    if item is None:
        abort(404)
    plan = load_schedulable_plan(item.proposal.plan_id)
    form = MoveForm()
    back = url_for(".schedule", plan_id=plan.id, team=item.inspection.team_id)
    if not form.validate():
        flash_form_errors(form)
        return redirect(back)
    with service_call(_("The visit was moved.")):
        move_item(
            item,
            day=form.day.data,
            slot=Slot(form.slot.data),
            actor=current_user,
            reason=form.reason.data or "",
        )
    return redirect(back)


@bp.post("/schedule/proposals/<int:proposal_id>/approve")
@login_required
def approve(proposal_id: int) -> BaseResponse:
    proposal = db.session.get(ScheduleProposal, proposal_id)
    if proposal is None:
        abort(404)
    plan = load_schedulable_plan(proposal.plan_id)
    if not ConfirmForm().validate():
        abort(400)
    with service_call() as done:
        visits = approve_proposal(proposal, actor=current_user)
    if done:
        flash(_("The schedule was approved: %(n)d visits fixed.", n=len(visits)), "success")
    return redirect(url_for(".schedule", plan_id=plan.id))


# --- personal calendar and feed -----------------------------------------------------------


@bp.get("/calendar")
@login_required
def my_calendar() -> str:
    visits = db.session.scalars(
        policy.calendar_visits(current_user)
        .options(selectinload(Visit.inspection).selectinload(Inspection.unit))
        .order_by(Visit.starts_at)
    ).all()
    month = _asked("month", parse_month) or today().replace(day=1)
    entries = [views.Entry(visit_placement(v).day, v.slot, v.inspection, visit=v) for v in visits]
    return render_template(
        "scheduling/my_calendar.html",
        visits=visits,
        month=month,
        prev_month=views.shift_month(month, -1),
        next_month=views.shift_month(month, 1),
        grid=views.month_grid(month.year, month.month),
        days=views.by_day(entries),
        feed=feeds.active_feed(current_user),
        confirm_form=ConfirmForm(formdata=None),
    )


@bp.post("/calendar/feed")
@login_required
def new_feed() -> BaseResponse:
    if not ConfirmForm().validate():
        abort(400)
    with service_call() as done:
        token = feeds.new_feed(current_user)
    if done:
        url = url_for(".feed", token=token, _external=True)
        flash(_("Your calendar feed address (keep it secret): %(url)s", url=url), "info")
    return redirect(url_for(".my_calendar"))


@bp.post("/calendar/feed/revoke")
@login_required
def revoke_feed() -> BaseResponse:
    if not ConfirmForm().validate():
        abort(400)
    with service_call(_("The calendar feed address no longer works.")):
        feeds.revoke_feed(current_user)
    return redirect(url_for(".my_calendar"))


@bp.get("/calendar/feed/<token>.ics")
def feed(token: str) -> Response:
    user = feeds.feed_owner(token)
    if user is None:
        abort(404)
    visits = db.session.scalars(
        policy.calendar_visits(user)
        .options(selectinload(Visit.inspection).selectinload(Inspection.unit))
        .order_by(Visit.starts_at)
    ).all()
    body = feeds.ics(list(visits), name=_("Inspection visits"))
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, no-store"})
