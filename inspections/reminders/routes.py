"""A plan's reminder settings page (its coordinators and admins)."""

from __future__ import annotations

from dataclasses import asdict

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from inspections import policy
from inspections.reminders import bp
from inspections.reminders.forms import ReminderSettingsForm, default_shown
from inspections.reminders.services import current_settings, set_reminder_settings
from inspections.reminders.settings import SETTINGS, ReminderSettings, sections
from inspections.web import load_plan, service_call


@bp.route("/plans/<int:plan_id>/reminders", methods=["GET", "POST"])
@login_required
def settings(plan_id: int) -> str | Response:
    plan = load_plan(plan_id)
    if not policy.can_manage_reminder_settings(current_user, plan):
        abort(403)
    form = ReminderSettingsForm(data=asdict(current_settings(plan)))
    if form.validate_on_submit():
        wanted = ReminderSettings(**{s.name: form[s.name].data for s in SETTINGS})
        with service_call(_("The reminder settings of this plan are saved.")) as done:
            set_reminder_settings(plan, wanted, actor=current_user)
        if done:
            return redirect(url_for("reminders.settings", plan_id=plan.id))
    return render_template(
        "reminders/settings.html",
        plan=plan,
        form=form,
        sections=sections(),
        defaults={s.name: default_shown(s) for s in SETTINGS},
    )
