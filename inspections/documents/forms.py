from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from inspections.forms import BaseForm, NoControlCharacters


class IssueForm(BaseForm):
    place = StringField(
        _l("Place"),
        default="Hà Nội",
        validators=[
            DataRequired(message=_l("Give the place of issue.")),
            Length(max=120, message=_l("At most 120 characters.")),
            NoControlCharacters(),
        ],
    )


class MinutesForm(BaseForm):
    """What the minutes record of the visit; every field may stay empty (the visit's place
    and hours are used, and the unit's representative is written in by hand)."""

    venue = StringField(
        _l("Where the visit took place"),
        validators=[
            Optional(),
            Length(max=255, message=_l("At most %(max)d characters.")),
            NoControlCharacters(),
        ],
    )
    opened_at = TimeField(_l("Opened at"), validators=[Optional()])
    closed_at = TimeField(_l("Closed at"), validators=[Optional()])
    representative = StringField(
        _l("Representative of the unit"),
        validators=[
            Optional(),
            Length(max=160, message=_l("At most %(max)d characters.")),
            NoControlCharacters(),
        ],
    )
    representative_title = StringField(
        _l("Their position"),
        validators=[
            Optional(),
            Length(max=160, message=_l("At most %(max)d characters.")),
            NoControlCharacters(),
        ],
    )
    participants = TextAreaField(
        _l("Other participants of the unit (one a line: name, position)"),
        validators=[
            Optional(),
            Length(max=2000, message=_l("At most %(max)d characters.")),
            NoControlCharacters(multiline=True),
        ],
    )


class VerifyForm(BaseForm):
    file = FileField(_l("Signed PDF"))
