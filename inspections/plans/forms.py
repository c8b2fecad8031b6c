from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from inspections.forms import BaseForm, DayField, NoControlCharacters

_MAX = _l("At most %(max)d characters.")
_COUNT = [
    InputRequired(_l("Enter a number.")),
    NumberRange(min=0, max=10_000, message=_l("Between 0 and 10,000.")),
]


class PlanForm(BaseForm):
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(_l("Enter the year.")),
            NumberRange(min=2000, max=2100, message=_l("A year between 2000 and 2100.")),
        ],
    )
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Enter the plan's title.")),
            Length(max=255, message=_MAX),
            NoControlCharacters(),
        ],
    )
    number = StringField(
        _l("Number"), validators=[Optional(), Length(max=60, message=_MAX), NoControlCharacters()]
    )
    issued_on = DayField(_l("Issued on"), validators=[Optional()])
    window_start = DayField(_l("Window starts"), validators=[InputRequired(_l("Enter a date."))])
    window_end = DayField(_l("Window ends"), validators=[InputRequired(_l("Enter a date."))])
    content_areas = TextAreaField(
        _l("Content areas"),
        validators=[Optional(), Length(max=5000, message=_MAX), NoControlCharacters(multiline=True)],
    )
    joint = IntegerField(_l("Joint inspections"), default=0, validators=_COUNT)
    surprise = IntegerField(_l("Surprise inspections"), default=0, validators=_COUNT)
    case = IntegerField(_l("Cases"), default=0, validators=_COUNT)
    notice_working_days = IntegerField(
        _l("Notice period (working days)"),
        default=5,
        validators=[
            InputRequired(_l("Enter a number.")),
            NumberRange(min=0, max=60, message=_l("Between 0 and 60.")),
        ],
    )


class ReopenForm(BaseForm):
    reason = StringField(
        _l("Reason for reopening"),
        validators=[
            DataRequired(_l("Give the reason for reopening the plan.")),
            Length(max=1000, message=_MAX),
            NoControlCharacters(),
        ],
    )


class CopyForm(BaseForm):
    year = IntegerField(
        _l("Year of the new plan"),
        validators=[
            InputRequired(_l("Enter the year.")),
            NumberRange(min=2000, max=2100, message=_l("A year between 2000 and 2100.")),
        ],
    )
