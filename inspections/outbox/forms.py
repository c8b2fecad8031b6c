from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from inspections.forms import BaseForm, NoControlCharacters


class OutboxFilterForm(BaseForm):
    """GET filters: no CSRF (they change nothing)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[], validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=[], validators=[Optional()])
    recipient = StringField(
        _l("Recipient"),
        validators=[
            Optional(),
            Length(max=254, message=_l("At most 254 characters.")),
            NoControlCharacters(),
        ],
    )


class PreferenceForm(BaseForm):
    kind = HiddenField(validators=[InputRequired(message=_l("Choose a kind of email."))])
