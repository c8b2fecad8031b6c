from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from inspections.forms import BaseForm


class IssueForm(BaseForm):
    place = StringField(
        _l("Place"),
        default="Hà Nội",
        validators=[
            DataRequired(message=_l("Give the place of issue.")),
            Length(max=120, message=_l("At most 120 characters.")),
        ],
    )
