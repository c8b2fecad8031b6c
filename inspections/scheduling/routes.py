from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from inspections import policy
from inspections.auth.models import Role
from inspections.extensions import db
from inspections.forms import (
    FIRST_YEAR,
    LAST_YEAR,
    ConfirmForm,
    parse_day,
    parse_id,
    parse_month,
    within_calendar,
)
from inspections.i18n import show_date, today
from inspections.labels import label
from inspections.listing import read_order
from inspections.plans.models import Plan
from inspections.scheduling import bp, changes, feeds, views
from inspections.scheduling.constraints import (
    add_unit_blackout,
    cross_team_gap,
    plan_blackouts,
    plan_units,
    set_cross_team_gap,
)
from inspections.scheduling.forms import (
    AbsenceForm,
    ApplyMovesForm,
    BlackoutForm,
    DecideMoveForm,
    GapForm,
    MoveForm,
    ProposeForm,
    VisitCancelForm,
    VisitMoveForm,
)
from inspections.scheduling.labels import describe
from inspections.scheduling.models import (
    ChangeStatus,
    MemberAbsence,
    ProposalItem,
    ScheduleProposal,
    VisitChangeRequest,
)
from inspections.scheduling.services import (
    ACTIVE,
    GRID_LIMIT,
    ITEM_SORTS,
    MAX_TEAMS,
    VISIT_SORTS,
    approve_proposal,
    calendar_grid,
    calendar_page,
    calendar_teams,
    latest_proposal,
    move_item,
    next_calendar_day,
    plan_schedule,
    request_proposal,
    team_first_day,
    team_items_page,
)
from inspections.teams.models import Team
from inspections.visits.models import Slot, VisitStatus
from inspections.web import flash_form_errors, load_visit, send_task, service_call, wants_json


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


def _team_filter(choices: list[tuple[int, str]]) -> int | None:
    """The team the query names, if it is one of the choices; None otherwise (no filter)."""
    team_id = parse_id(request.args.get("team"))
    return team_id if team_id in {t for t, _name in choices} else None


@bp.get("/plans/<int:plan_id>/schedule")
@login_required
def schedule(plan_id: int) -> str:
    plan = load_schedulable_plan(plan_id)
    proposal = latest_proposal(plan)
    teams = db.session.execute(
        sa.select(Team.id, Team.name).where(Team.plan_id == plan.id).order_by(Team.id).limit(MAX_TEAMS)
    ).all()
    team_id = _team_filter(teams) or (teams[0][0] if teams else None)
    team = db.session.get(Team, team_id) if team_id is not None else None
    first_day = within_calendar(
        (team_first_day(proposal, team) if team is not None else None) or plan.window_start
    )
    view = "week" if request.args.get("view") == "week" else "month"
    month = _asked("month", parse_month) or first_day.replace(day=1)
    week = views.week_days(_asked("week", parse_day) or first_day)
    # Where the enhanced calendar opens: the team's first day when it is in the month shown,
    # so that switching to the week view lands on the team's first visits.
    opens_on = week[0] if view == "week" else (first_day if first_day.replace(day=1) == month else month)
    shown = (
        (week[0], week[-1]) if view == "week" else (month, views.shift_month(month, 1) - timedelta(days=1))
    )
    entries: list[views.Entry] = []
    items = None
    if team is not None:
        visits, proposed = plan_schedule(plan, proposal, *shown, team_id=team.id)
        entries = [views.visit_entry(v) for v in visits] + [views.item_entry(i) for i in proposed]
        items = team_items_page(proposal, team.id, order=read_order(request.args, ITEM_SORTS, "day"))
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
        opens_on=opens_on,
        days=views.by_day(entries),
        full=len(entries) >= GRID_LIMIT,
        items=items,
        propose_form=ProposeForm(formdata=None, notice_on=today()),
        confirm_form=ConfirmForm(formdata=None),
        move_form=MoveForm(formdata=None),
        gap_form=GapForm(formdata=None, cross_team_gap_days=cross_team_gap(plan)),
        blackout_form=_blackout_form(plan, formdata=None),
        blackouts=plan_blackouts(plan),
        today=today(),
        slot_hours=views.slot_hours(),
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


# --- the calendars' events (static/calendar.js), scoped like the pages they enhance -------

# The longest range a calendar asks for: a month view's six weeks, and some room.
MAX_RANGE_DAYS = 62


def _bad_request(message: str) -> tuple[Response, int]:
    return jsonify(error=message), 400


def _asked_range(month: date) -> tuple[date, date] | None:
    """The days a calendar asks for, ?start=yyyy-mm-dd&end=yyyy-mm-dd (end excluded), as
    the first and the last day (without either, the days of `month`); None when they cannot
    be read, are reversed or are too far apart."""
    start, end_text = request.args.get("start"), request.args.get("end")
    if start is None and end_text is None:
        first = month.replace(day=1)
        return first, views.shift_month(first, 1) - timedelta(days=1)
    first, end = parse_day(start), parse_day(end_text)
    if first is None or end is None or not first < end <= first + timedelta(days=MAX_RANGE_DAYS):
        return None
    return first, end - timedelta(days=1)


def _asked_team() -> tuple[int | None, bool]:
    """The team in ?team=, if any, and whether the value could be read at all."""
    value = request.args.get("team")
    if not value:
        return None, True
    team_id = parse_id(value)
    return team_id, team_id is not None


def _range_error() -> tuple[Response, int]:
    return _bad_request(
        _(
            "Ask for the days as start=yyyy-mm-dd and end=yyyy-mm-dd, at most %(n)d days apart.",
            n=MAX_RANGE_DAYS,
        )
    )


@bp.get("/plans/<int:plan_id>/schedule/events")
@login_required
def schedule_events(plan_id: int) -> dict[str, object] | tuple[Response, int]:
    """The schedule's calendar (of one team, if asked): fixed visits and proposed items; the
    proposed ones can be dragged. Only for those who may schedule the plan (404 otherwise)."""
    plan = load_schedulable_plan(plan_id)
    team_id, readable = _asked_team()
    if not readable:
        return _bad_request(_("The team is not a valid number."))
    if (
        team_id is not None
        and db.session.scalar(sa.select(Team.plan_id).where(Team.id == team_id)) != plan.id
    ):
        abort(404)
    days = _asked_range(within_calendar(plan.window_start))
    if days is None:
        return _range_error()
    visits, items = plan_schedule(plan, latest_proposal(plan), *days, team_id=team_id)
    return {
        "events": [views.visit_event(v) for v in visits] + [views.item_event(i) for i in items],
        "full": len(visits) >= GRID_LIMIT or len(items) >= GRID_LIMIT,
    }


@bp.get("/calendar/events")
@login_required
def my_calendar_events() -> dict[str, object] | tuple[Response, int]:
    """The personal calendar's visits (`calendar_grid`, so `policy.calendar_visits`), of one
    team the viewer may see if asked; none of them is dragged here."""
    team_id, readable = _asked_team()
    if not readable:
        return _bad_request(_("The team is not a valid number."))
    if team_id is not None:
        team = db.session.get(Team, team_id)
        if team is None or not policy.can_view_team(current_user, team):
            abort(404)
    days = _asked_range(today())
    if days is None:
        return _range_error()
    visits = calendar_grid(current_user, *days, team_id)
    return {"events": [views.visit_event(v) for v in visits[:GRID_LIMIT]], "full": len(visits) > GRID_LIMIT}


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
def move(item_id: int) -> BaseResponse | tuple[Response, int]:
    item = db.session.get(ProposalItem, item_id)
    if item is None:
        abort(404)
    plan = load_schedulable_plan(item.proposal.plan_id)
    form = MoveForm()
    back = url_for(".schedule", plan_id=plan.id, team=item.inspection.team_id)
    # The calendar's drag (static/calendar.js) asks for JSON: the same form, the same service.
    answer_json = wants_json()
    if not form.validate():
        if answer_json:
            return jsonify(ok=False, message=str(next(iter(form.errors.values()))[0])), 400
        flash_form_errors(form)
        return redirect(back)
    moved = _("The visit was moved.")
    with service_call(None if answer_json else moved, flash_error=not answer_json) as done:
        move_item(
            item,
            day=form.day.data,
            slot=Slot(form.slot.data),
            actor=current_user,
            reason=form.reason.data or "",
        )
    if not answer_json:
        return redirect(back)
    if not done:
        return jsonify(ok=False, message=str(done.error)), 422
    when = f"{show_date(item.day)} {label(item.slot)}"
    return jsonify(ok=True, message=moved, event=views.item_event(item), when=when)


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
    """One month of the viewer's visits (default: this month), of one team if asked: a grid of
    at most GRID_LIMIT entries, and every visit of the month in the list below, page by page."""
    month = _asked("month", parse_month) or today().replace(day=1)
    last = views.shift_month(month, 1) - timedelta(days=1)
    teams = [] if current_user.role == Role.UNIT_CONTACT else calendar_teams(current_user, month, last)
    team_id = _team_filter(teams)
    visits = calendar_grid(current_user, month, last, team_id)
    entries = [views.visit_entry(v) for v in visits[:GRID_LIMIT]]
    page = calendar_page(
        current_user, month, last, team_id, order=read_order(request.args, VISIT_SORTS, "time")
    )
    return render_template(
        "scheduling/my_calendar.html",
        page=page,
        month=month,
        prev_month=views.shift_month(month, -1),
        next_month=views.shift_month(month, 1),
        grid=views.month_grid(month.year, month.month),
        days=views.by_day(entries),
        full=len(visits) > GRID_LIMIT,
        grid_limit=GRID_LIMIT,
        teams=teams,
        team_id=team_id,
        feed=feeds.active_feed(current_user),
        confirm_form=ConfirmForm(formdata=None),
        today=today(),
        slot_hours=views.slot_hours(),
        next_day=None if visits else next_calendar_day(current_user, last, team_id),
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
    body = feeds.ics(feeds.feed_visits(user), name=_("Inspection visits"), owner=user)
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, no-store"})


# --- after approval: move, cancel, a proposed move; absences --------------------------------


def _changeable_visit(visit_id: int) -> tuple[object, bool, bool]:
    """The visit (scoped like its page), whether the user may change it and may propose."""
    visit = load_visit(visit_id)
    may_change = policy.can_change_visit(current_user, visit)
    may_propose = policy.can_propose_visit_change(current_user, visit)
    if not (may_change or may_propose):
        abort(403)
    return visit, may_change, may_propose


@bp.get("/visits/<int:visit_id>/change")
@login_required
def change_visit(visit_id: int) -> str:
    visit, may_change, may_propose = _changeable_visit(visit_id)
    return render_template(
        "scheduling/change_visit.html",
        visit=visit,
        may_change=may_change,
        may_propose=may_propose,
        pending=changes.pending_request(visit),
        move_form=VisitMoveForm(formdata=None, slot=visit.slot.value),
        cancel_form=VisitCancelForm(formdata=None),
        decide_form=DecideMoveForm(formdata=None),
        changeable=visit.status == VisitStatus.APPROVED,
    )


@bp.post("/visits/<int:visit_id>/move")
@login_required
def move_visit(visit_id: int) -> BaseResponse:
    visit, may_change, _may_propose = _changeable_visit(visit_id)
    back = url_for(".change_visit", visit_id=visit.id)
    form = VisitMoveForm()
    if not form.validate():
        flash_form_errors(form)
        return redirect(back)
    slot = Slot(form.slot.data)
    if may_change:
        with service_call(_("The visit was moved; the unit and the team are told.")):
            changes.move_visit(
                visit,
                day=form.day.data,
                slot=slot,
                reason=form.reason.data,
                actor=current_user,
                accept_short_notice=form.short_notice.data,
            )
    else:
        with service_call(_("Your proposed move waits for the plan's coordinator.")):
            changes.propose_move(
                visit, day=form.day.data, slot=slot, reason=form.reason.data, actor=current_user
            )
    return redirect(back)


@bp.post("/visits/<int:visit_id>/cancel")
@login_required
def cancel_visit(visit_id: int) -> BaseResponse:
    visit, may_change, _may_propose = _changeable_visit(visit_id)
    if not may_change:
        abort(403)
    back = url_for(".change_visit", visit_id=visit.id)
    form = VisitCancelForm()
    if not form.validate():
        flash_form_errors(form)
        return redirect(back)
    with service_call(_("The visit was cancelled.")):
        changes.cancel_visit(visit, reason=form.reason.data, actor=current_user)
    return redirect(back)


@bp.post("/visit-changes/<int:request_id>/decide")
@login_required
def decide_move(request_id: int) -> BaseResponse:
    change = db.session.get(VisitChangeRequest, request_id)
    if change is None:
        abort(404)
    visit, may_change, _may_propose = _changeable_visit(change.visit_id)
    if not may_change:
        abort(403)
    back = url_for(".change_visit", visit_id=visit.id)
    form = DecideMoveForm()
    if not form.validate() or change.status != ChangeStatus.PENDING:
        flash_form_errors(form)
        return redirect(back)
    accept = form.decision.data == "accept"
    with service_call(_("The visit was moved.") if accept else _("The proposed move was refused.")):
        changes.decide_move(
            change, accept=accept, actor=current_user, accept_short_notice=form.short_notice.data
        )
    return redirect(back)


def _absences_plan(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None or not policy.can_manage_absences(current_user, plan):
        abort(404)
    return plan


def _absence_form(plan: Plan, **kwargs: object) -> AbsenceForm:
    form = AbsenceForm(**kwargs)
    form.user_id.choices = [(u.id, u.full_name) for u in changes.plan_people(plan)]
    return form


def _absences_page(plan: Plan, form: AbsenceForm, suggestions: list[changes.Suggestion] | None = None) -> str:
    people = {u.id: u for u in changes.plan_people(plan)}
    return render_template(
        "scheduling/absences.html",
        plan=plan,
        absences=changes.plan_absences(plan),
        people=people,
        hit=changes.hit_visits(plan),
        form=form,
        confirm_form=ConfirmForm(formdata=None),
        apply_form=ApplyMovesForm(formdata=None),
        suggestions=suggestions,
    )


@bp.get("/plans/<int:plan_id>/schedule/absences")
@login_required
def absences(plan_id: int) -> str:
    plan = _absences_plan(plan_id)
    return _absences_page(plan, _absence_form(plan, formdata=None))


@bp.post("/plans/<int:plan_id>/schedule/absences")
@login_required
def add_absence(plan_id: int) -> BaseResponse:
    plan = _absences_plan(plan_id)
    form = _absence_form(plan)
    if not form.validate():
        flash_form_errors(form)
    else:
        with service_call(_("The absence was recorded.")):
            changes.add_absence(
                plan,
                user_id=form.user_id.data,
                day=form.day.data,
                note=form.note.data or "",
                actor=current_user,
            )
    return redirect(url_for(".absences", plan_id=plan.id))


@bp.post("/plans/<int:plan_id>/schedule/absences/<int:absence_id>/remove")
@login_required
def remove_absence(plan_id: int, absence_id: int) -> BaseResponse:
    plan = _absences_plan(plan_id)
    absence = db.session.get(MemberAbsence, absence_id)
    if absence is None:
        abort(404)
    if not ConfirmForm().validate():
        abort(400)
    with service_call(_("The absence was removed.")):
        changes.remove_absence(plan, absence, actor=current_user)
    return redirect(url_for(".absences", plan_id=plan.id))


@bp.post("/plans/<int:plan_id>/schedule/absences/repropose")
@login_required
def repropose(plan_id: int) -> BaseResponse | str:
    plan = _absences_plan(plan_id)
    if not ConfirmForm().validate():
        abort(400)
    with service_call(flash_error=True) as done:
        suggestions = changes.repropose(plan)
    if not done:
        return redirect(url_for(".absences", plan_id=plan.id))
    return _absences_page(plan, _absence_form(plan, formdata=None), suggestions)


def _moves(values: list[str]) -> list[tuple[int, date, Slot]] | None:
    moves = []
    for value in values:
        parts = value.split("|")
        if len(parts) != 3:
            return None
        visit_id, day = parse_id(parts[0]), parse_day(parts[1])
        if visit_id is None or day is None or parts[2] not in {s.value for s in Slot}:
            return None
        moves.append((visit_id, day, Slot(parts[2])))
    return moves


@bp.post("/plans/<int:plan_id>/schedule/absences/apply")
@login_required
def apply_moves(plan_id: int) -> BaseResponse:
    plan = _absences_plan(plan_id)
    form = ApplyMovesForm()
    back = url_for(".absences", plan_id=plan.id)
    moves = _moves(request.form.getlist("move"))
    if moves is None:
        flash(_("The proposed moves could not be read: propose them again."), "error")
        return redirect(back)
    if not form.validate():
        flash_form_errors(form)
        return redirect(back)
    with service_call() as done:
        moved = changes.apply_moves(
            plan,
            moves,
            reason=form.reason.data,
            actor=current_user,
            accept_short_notice=form.short_notice.data,
        )
    if done:
        flash(_("%(n)d visits were moved; the units and the teams are told.", n=len(moved)), "success")
    return redirect(back)
