from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from inspections.accounts.services import unit_with_code
from inspections.auth.models import Role
from inspections.forms import BaseForm, NoControlCharacters
from inspections.labels import label
from inspections.units.models import Language


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(r.value, label(r)) for r in Role]


def _known_unit(form: BaseForm, field: StringField) -> None:
    """A typed code must be a unit's: the message sits beside the field."""
    code = (field.data or "").strip()
    if code and unit_with_code(code) is None:
        raise ValidationError(_l("No unit has the code %(code)s.", code=code))


class UserFilterForm(BaseForm):
    """GET filters: no CSRF (they change nothing)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Name, username or email"),
        validators=[
            Optional(),
            Length(max=100, message=_l("At most %(max)d characters.")),
            NoControlCharacters(),
        ],
    )
    role = SelectField(_l("Role"), choices=[], validators=[Optional()])
    unit = StringField(
        _l("Home unit (code)"),
        validators=[
            Optional(),
            Length(max=40, message=_l("At most %(max)d characters.")),
            NoControlCharacters(),
            _known_unit,
        ],
    )
    active = SelectField(
        _l("State"),
        choices=[
            SelectChoice("", _l("All")),
            SelectChoice("1", _l("Active")),
            SelectChoice("0", _l("Inactive")),
        ],
        validators=[Optional()],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice("", _l("All")), *_role_choices()]


class _RoleFields(BaseForm):
    role = SelectField(_l("Role"), choices=[], validators=[DataRequired(_l("Choose a role."))])
    unit = StringField(
        _l("Home unit (code)"),
        description=_l("Required for a unit contact; for staff, the agency they work for."),
        validators=[
            Optional(),
            Length(max=40, message=_l("At most %(max)d characters.")),
            NoControlCharacters(),
            _known_unit,
        ],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()


class RoleForm(_RoleFields):
    pass


class CreateUserForm(_RoleFields):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Enter a username.")),
            Length(max=80, message=_l("At most %(max)d characters.")),
            NoControlCharacters(),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "none"},
    )
    full_name = StringField(
        _l("Full name"),
        validators=[
            DataRequired(_l("Enter the full name.")),
            Length(max=160, message=_l("At most %(max)d characters.")),
            NoControlCharacters(),
        ],
    )
    email = StringField(
        _l("Email"),
        description=_l("The link to set the password is sent here."),
        validators=[
            DataRequired(_l("Enter the email address.")),
            Length(max=254, message=_l("At most %(max)d characters.")),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
            NoControlCharacters(),
        ],
        render_kw={"type": "email", "autocomplete": "off"},
    )
    language = SelectField(
        _l("Language of the emails"),
        choices=[SelectChoice(Language.VI.value, "Tiếng Việt"), SelectChoice(Language.EN.value, "English")],
        default=Language.VI.value,
    )
