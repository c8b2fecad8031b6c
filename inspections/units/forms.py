from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from inspections.forms import BaseForm, NoControlCharacters
from inspections.labels import label
from inspections.units.models import DivisionType, Language, UnitKind

_MAX = _l("At most %(max)d characters.")
# A line break in a contact's name goes into the To: header of every mail to them.
_LINE = NoControlCharacters()


DIVISION_LABELS = {
    DivisionType.URBAN_DISTRICT: _l("Urban district (quận)"),
    DivisionType.RURAL_DISTRICT: _l("Rural district (huyện)"),
    DivisionType.TOWN: _l("Town (thị xã)"),
    DivisionType.WARD: _l("Ward (phường)"),
    DivisionType.COMMUNE: _l("Commune (xã)"),
    DivisionType.TOWNSHIP: _l("Township (thị trấn)"),
}


class UnitForm(BaseForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(_l("Enter the unit's code.")),
            Length(max=40, message=_MAX),
            Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use letters, digits, dots, dashes and underscores.")),
        ],
    )
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter the unit's name.")), Length(max=255, message=_MAX), _LINE],
    )
    name_en = StringField(
        _l("Name in English"), validators=[Optional(), Length(max=255, message=_MAX), _LINE]
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255, message=_MAX), _LINE])
    kind = SelectField(_l("Kind"))
    division_type = SelectField(_l("Division type"), validators=[Optional()])
    parent_code = StringField(
        _l("Parent unit (code)"), validators=[Optional(), Length(max=40, message=_MAX), _LINE]
    )
    district_code = StringField(
        _l("District (code)"), validators=[Optional(), Length(max=40, message=_MAX), _LINE]
    )
    active = BooleanField(_l("Active"), default=True)
    contact_name = StringField(
        _l("Contact name"), validators=[Optional(), Length(max=160, message=_MAX), _LINE]
    )
    contact_email = StringField(
        _l("Contact email"), validators=[Optional(), Length(max=254, message=_MAX), _LINE]
    )
    contact_language = SelectField(_l("Contact language"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(k.value, label(k)) for k in UnitKind]
        self.division_type.choices = [SelectChoice("", "—")] + [
            SelectChoice(d.value, str(t)) for d, t in DIVISION_LABELS.items()
        ]
        self.contact_language.choices = [
            SelectChoice(Language.VI.value, "Tiếng Việt"),
            SelectChoice(Language.EN.value, "English"),
        ]
