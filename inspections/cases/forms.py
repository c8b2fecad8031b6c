from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from inspections.forms import BaseForm, DayField, NoControlCharacters

SOURCES = [
    SelectChoice("complaint", _l("Complaint")),
    SelectChoice("press", _l("Press report")),
    SelectChoice("hotline", _l("Hotline")),
    SelectChoice("referral", _l("Referral")),
]


class IntakeForm(BaseForm):
    plan_id = SelectField(_l("Plan"), coerce=int, validators=[InputRequired(message=_l("Choose a plan."))])
    # A code, not a list of every unit (a nation has 100,000): the picker (pickers.js, fed by
    # /units/suggest?active=1) finds it by name; typed by hand it works without JavaScript.
    unit_code = StringField(
        _l("Code of the unit concerned"),
        validators=[
            DataRequired(message=_l("Give the code of the unit concerned.")),
            Length(max=40, message=_l("At most 40 characters.")),
            NoControlCharacters(),
        ],
    )
    source = SelectField(_l("Source"), choices=SOURCES)
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Give the case a title.")),
            Length(max=255, message=_l("At most 255 characters.")),
        ],
    )
    summary = TextAreaField(
        _l("Summary"),
        validators=[
            DataRequired(message=_l("Summarise the case.")),
            Length(max=10_000, message=_l("At most 10000 characters.")),
        ],
    )
    received_on = DayField(_l("Received on"), validators=[InputRequired(message=_l("Enter a date."))])
    attachment = FileField(_l("Attachment (optional)"))


class AssignForm(BaseForm):
    team_id = SelectField(_l("Team"), coerce=int, validators=[InputRequired(message=_l("Choose a team."))])


class AttachmentForm(BaseForm):
    attachment = FileField(_l("Attachment"))
