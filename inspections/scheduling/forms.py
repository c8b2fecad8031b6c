from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from inspections.forms import BaseForm, NoControlCharacters
from inspections.visits.models import Slot


class ProposeForm(BaseForm):
    notice_on = DateField(
        _l("Schedule notices go out on"),
        validators=[Optional()],
        render_kw={"type": "date"},
    )


class MoveForm(BaseForm):
    day = DateField(
        _l("New date"),
        validators=[InputRequired(message=_l("Enter a date."))],
        render_kw={"type": "date"},
    )
    slot = SelectField(
        _l("Half-day"),
        choices=[
            SelectChoice(Slot.MORNING.value, _l("Morning")),
            SelectChoice(Slot.AFTERNOON.value, _l("Afternoon")),
        ],
        validators=[DataRequired(message=_l("Choose a half-day."))],
    )
    reason = TextAreaField(
        _l("Reason (needed when the move breaks a scheduling goal)"),
        validators=[
            Optional(),
            Length(max=500, message=_l("At most %(max)d characters.")),
            NoControlCharacters(multiline=True),
        ],
    )


class GapForm(BaseForm):
    cross_team_gap_days = IntegerField(
        _l("Working days between two teams' visits to one unit"),
        validators=[
            InputRequired(message=_l("Enter a number.")),
            NumberRange(min=0, max=60, message=_l("Between %(min)d and %(max)d.")),
        ],
    )


class BlackoutForm(BaseForm):
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[InputRequired(message=_l("Choose a unit."))])
    day = DateField(
        _l("Date"), validators=[InputRequired(message=_l("Enter a date."))], render_kw={"type": "date"}
    )
    note = StringField(
        _l("Note"),
        validators=[Length(max=255, message=_l("At most %(max)d characters.")), NoControlCharacters()],
    )
