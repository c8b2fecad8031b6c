from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional

from inspections.forms import BaseForm
from inspections.labels import label
from inspections.units.models import UnitKind


class DrawForm(BaseForm):
    team_id = SelectField(_l("Public-service team"), coerce=int)
    kinds = SelectMultipleField(_l("Kinds of unit"))
    district_id = SelectField(_l("District"), coerce=int, validators=[Optional()])
    not_inspected_months = IntegerField(
        _l("Not inspected in the last … months (0: any)"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=120, message=_l("Between 0 and 120."))],
    )
    count = IntegerField(
        _l("How many units to draw"),
        validators=[
            DataRequired(_l("Enter how many units to draw.")),
            NumberRange(min=1, max=500, message=_l("Between 1 and 500.")),
        ],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kinds.choices = [SelectChoice(k.value, label(k)) for k in UnitKind if k != UnitKind.CITY]
