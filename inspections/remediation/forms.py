from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from inspections.forms import BaseForm, DayField, NoControlCharacters


class ReportForm(BaseForm):
    text = TextAreaField(
        _l("What the unit has done"),
        validators=[
            DataRequired(message=_l("Write what the unit has done.")),
            Length(max=10_000, message=_l("At most 10000 characters.")),
            NoControlCharacters(multiline=True),
        ],
    )


class ReturnForm(BaseForm):
    reason = TextAreaField(
        _l("Reason for returning the report"),
        validators=[
            DataRequired(message=_l("Give the reason for returning the report.")),
            Length(max=4000, message=_l("At most 4000 characters.")),
            NoControlCharacters(multiline=True),
        ],
    )


class DecisionForm(BaseForm):
    """A coordinator's answer to a request for more time (grant or refuse: the button)."""

    granted_on = DayField(_l("New due date"), validators=[Optional()])
    note = TextAreaField(
        _l("Note to the unit"),
        validators=[
            Length(max=4000, message=_l("At most 4000 characters.")),
            NoControlCharacters(multiline=True),
        ],
    )
