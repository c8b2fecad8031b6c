"""Admin: the announced exceptions of the working-day calendar (/admin/calendar)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from inspections import policy
from inspections.extensions import db
from inspections.forms import ConfirmForm
from inspections.web import service_call
from inspections.workdays import bp
from inspections.workdays.forms import CalendarDayForm
from inspections.workdays.models import CalendarDay, DayKind
from inspections.workdays.services import delete_calendar_day, set_calendar_day


def _require_admin() -> None:
    if not policy.can_manage_work_calendar(current_user):
        abort(403)


@bp.route("", methods=["GET", "POST"])
@login_required
def index() -> str | Response:
    _require_admin()
    form = CalendarDayForm()
    if form.validate_on_submit():
        with service_call(_("The calendar was updated.")):
            set_calendar_day(
                day=form.day.data, kind=DayKind(form.kind.data), note=form.note.data or "", actor=current_user
            )
        return redirect(url_for(".index"))
    days = db.session.scalars(sa.select(CalendarDay).order_by(CalendarDay.day.desc())).all()
    return render_template(
        "workdays/calendar.html", form=form, days=days, confirm_form=ConfirmForm(formdata=None)
    )


@bp.post("/<day>/delete")
@login_required
def delete_day(day: str) -> Response:
    _require_admin()
    if not ConfirmForm().validate():
        abort(400)
    try:
        row = db.session.get(CalendarDay, date.fromisoformat(day))
    except ValueError:
        abort(404)
    if row is None:
        abort(404)
    with service_call(_("The calendar was updated.")):
        delete_calendar_day(row, actor=current_user)
    return redirect(url_for(".index"))
