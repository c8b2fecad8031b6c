"""The plan's reminder page: one field per setting of `settings.ReminderSettings`."""

from __future__ import annotations

from dataclasses import Field
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, StopValidation

from inspections.forms import BaseForm
from inspections.reminders.settings import SETTINGS, WEEKDAY

WEEKDAYS = [
    SelectChoice(0, _l("Monday")),
    SelectChoice(1, _l("Tuesday")),
    SelectChoice(2, _l("Wednesday")),
    SelectChoice(3, _l("Thursday")),
    SelectChoice(4, _l("Friday")),
    SelectChoice(5, _l("Saturday")),
    SelectChoice(6, _l("Sunday")),
]


class _WholeNumber(IntegerField):
    """WTForms' own "Not a valid integer value." has no Vietnamese catalogue."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a whole number.")) from None


class _Weekday(SelectField):
    """A day of the week, with a translated refusal (WTForms' own has no Vietnamese)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(WEEKDAY.hint) from None

    def pre_validate(self, form: BaseForm) -> None:
        if self.data not in {choice.value for choice in WEEKDAYS}:
            raise StopValidation(WEEKDAY.hint)


def _field(setting: Field[Any]) -> Any:
    label, bounds = setting.metadata["label"], setting.metadata["bounds"]
    if bounds is WEEKDAY:
        return _Weekday(label, choices=WEEKDAYS, coerce=int)
    return _WholeNumber(
        label,
        validators=[
            InputRequired(_l("Enter a number.")),
            NumberRange(min=bounds.low, max=bounds.high, message=bounds.hint),
        ],
        render_kw={"min": bounds.low, "max": bounds.high},
    )


def default_shown(setting: Field[Any]) -> object:
    """A setting's default as the page shows it (a weekday by its name)."""
    if setting.metadata["bounds"] is WEEKDAY:
        return WEEKDAYS[setting.default].label  # type: ignore[index]
    return setting.default


class ReminderSettingsForm(BaseForm):
    """Its fields are made from the settings' declaration, below."""


for _setting in SETTINGS:
    setattr(ReminderSettingsForm, _setting.name, _field(_setting))
