from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from inspections.forms import BaseForm, NoControlCharacters
from inspections.webhooks.services import EVENT_TYPES


class SubscriptionForm(BaseForm):
    unit_code = StringField(
        _l("Organisation (unit code)"),
        validators=[DataRequired(_l("Enter the unit's code.")), Length(max=40), NoControlCharacters()],
    )
    owner = StringField(
        _l("Sees as (username)"),
        validators=[DataRequired(_l("Enter a username.")), Length(max=80), NoControlCharacters()],
    )
    url = StringField(
        _l("Address (URL)"),
        validators=[DataRequired(_l("Enter the address.")), Length(max=500), NoControlCharacters()],
    )
    events = SelectMultipleField(
        _l("Events"),
        choices=[SelectChoice(key, label) for key, label in EVENT_TYPES.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(_l("Choose at least one event."))],
    )
