from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation

from inspections.forms import BaseForm


class OutboxFilterForm(BaseForm):
    """GET filters: no CSRF (they change nothing)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[], validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=[], validators=[Optional()])
    recipient = StringField(
        _l("Recipient"), validators=[Optional(), Length(max=254, message=_l("At most 254 characters."))]
    )


class ActionForm(BaseForm):
    """A button that changes something: only the CSRF token."""


class PreferenceForm(BaseForm):
    kind = HiddenField(validators=[InputRequired(message=_l("Choose a kind of email."))])


class _WholeNumber(IntegerField):
    """WTForms' own "Not a valid integer value." has no Vietnamese catalogue."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a whole number.")) from None


def _days(label: object, low: int, high: int, message: object) -> _WholeNumber:
    return _WholeNumber(
        label,
        validators=[InputRequired(_l("Enter a number.")), NumberRange(min=low, max=high, message=message)],
    )


class _Weekday(SelectField):
    """A day of the week, with a translated refusal (WTForms' own has no Vietnamese)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Choose a day of the week for the digest.")) from None

    def pre_validate(self, form: BaseForm) -> None:
        if self.data not in {choice.value for choice in WEEKDAYS}:
            raise StopValidation(_l("Choose a day of the week for the digest."))


_TEAM = _l("Between 0 and 30.")
_AFTER = _l("Between 1 and 60.")
WEEKDAYS = [
    SelectChoice(0, _l("Monday")),
    SelectChoice(1, _l("Tuesday")),
    SelectChoice(2, _l("Wednesday")),
    SelectChoice(3, _l("Thursday")),
    SelectChoice(4, _l("Friday")),
    SelectChoice(5, _l("Saturday")),
    SelectChoice(6, _l("Sunday")),
]


class ReminderSettingsForm(BaseForm):
    notice_working_days = _days(
        _l("Schedule notice: at least this many working days ahead"), 0, 60, _l("Between 0 and 60.")
    )
    team_reminder_first = _days(_l("First reminder to the team (working days before)"), 0, 30, _TEAM)
    team_reminder_second = _days(_l("Second reminder to the team (working days before)"), 0, 30, _TEAM)
    unit_reminder = _days(_l("Reminder to the unit's contacts (working days before)"), 0, 30, _TEAM)
    findings_after = _days(_l("Findings overdue after (working days)"), 1, 60, _AFTER)
    conclusion_after = _days(
        _l("Conclusion overdue, to the team leader, after (working days)"), 1, 60, _AFTER
    )
    conclusion_to_coordinator_after = _days(
        _l("Conclusion overdue, to the coordinator, after (working days)"), 1, 60, _AFTER
    )
    action_due_soon_days = _days(_l("Corrective action due soon: days before it is due"), 1, 60, _AFTER)
    escalate_after = _days(_l("Overdue action escalated after (working days)"), 1, 60, _AFTER)
    digest_weekday = _Weekday(_l("Weekly digest day"), choices=WEEKDAYS, coerce=int)
