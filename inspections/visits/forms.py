from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from inspections.forms import BaseForm, DayField
from inspections.visits.models import Slot


class VisitForm(BaseForm):
    day = DayField(_l("Date"), validators=[InputRequired(message=_l("Choose a date."))])
    slot = SelectField(
        _l("Half-day"),
        choices=[
            SelectChoice(Slot.MORNING.value, _l("Morning")),
            SelectChoice(Slot.AFTERNOON.value, _l("Afternoon")),
        ],
    )
