from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from inspections.forms import BaseForm, DayField
from inspections.workdays.models import DayKind


class CalendarDayForm(BaseForm):
    day = DayField(_l("Date"), validators=[InputRequired(message=_l("Enter a date."))])
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice(DayKind.DAY_OFF.value, _l("Extra day off")),
            SelectChoice(DayKind.WORKING_DAY.value, _l("Swapped working day")),
        ],
        validators=[DataRequired(message=_l("Choose a kind."))],
    )
    note = StringField(_l("Note"), validators=[Length(max=255, message=_l("At most %(max)d characters."))])
