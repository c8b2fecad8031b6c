from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from inspections.forms import BaseForm, DayField, NoControlCharacters
from inspections.visits.models import Slot


class ProposeForm(BaseForm):
    notice_on = DayField(_l("Schedule notices go out on"), validators=[Optional()])


class MoveForm(BaseForm):
    day = DayField(_l("New date"), validators=[InputRequired(message=_l("Enter a date."))])
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
    day = DayField(_l("Date"), validators=[InputRequired(message=_l("Enter a date."))])
    note = StringField(
        _l("Note"),
        validators=[Length(max=255, message=_l("At most %(max)d characters.")), NoControlCharacters()],
    )


def _slot_field() -> SelectField:
    return SelectField(
        _l("Half-day"),
        choices=[
            SelectChoice(Slot.MORNING.value, _l("Morning")),
            SelectChoice(Slot.AFTERNOON.value, _l("Afternoon")),
        ],
        validators=[DataRequired(message=_l("Choose a half-day."))],
    )


def _reason_field(label: object) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[
            DataRequired(message=_l("Give the reason for the change: the unit and the team are told it.")),
            Length(max=500, message=_l("At most %(max)d characters.")),
            NoControlCharacters(multiline=True),
        ],
    )


class VisitMoveForm(BaseForm):
    """Move an approved visit (the coordinator), or propose the move (the team head)."""

    day = DayField(_l("New date"), validators=[InputRequired(message=_l("Enter a date."))])
    slot = _slot_field()
    reason = _reason_field(_l("Reason for the move (told to the unit and the team)"))
    short_notice = BooleanField(_l("I confirm the short notice to the unit"))


class VisitCancelForm(BaseForm):
    reason = _reason_field(_l("Reason for the cancellation (told to the unit and the team)"))


class DecideMoveForm(BaseForm):
    decision = SelectField(
        _l("Decision"),
        choices=[
            SelectChoice("accept", _l("Accept the move")),
            SelectChoice("refuse", _l("Refuse the move")),
        ],
        validators=[DataRequired(message=_l("Choose a decision."))],
    )
    short_notice = BooleanField(_l("I confirm the short notice to the unit"))


class AbsenceForm(BaseForm):
    user_id = SelectField(
        _l("Member"), coerce=int, validators=[InputRequired(message=_l("Choose a member."))]
    )
    day = DayField(_l("Day away"), validators=[InputRequired(message=_l("Enter a date."))])
    note = StringField(
        _l("Note"),
        validators=[Length(max=255, message=_l("At most %(max)d characters.")), NoControlCharacters()],
    )


class ApplyMovesForm(BaseForm):
    """The re-proposed times, carried as `move` values "visit id|day|slot"."""

    reason = _reason_field(_l("Reason for the moves (told to the units and the teams)"))
    short_notice = BooleanField(_l("I confirm the short notice to the units"))
