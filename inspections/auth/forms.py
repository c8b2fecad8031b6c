from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from inspections.forms import BaseForm, NoControlCharacters


class LoginForm(BaseForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Enter your username.")),
            Length(max=80, message=_l("At most %(max)d characters.")),
            NoControlCharacters(),  # PostgreSQL refuses a NUL in a string: never a 500
        ],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Enter your password.")),
            Length(max=256, message=_l("At most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class LanguageForm(BaseForm):
    language = SelectField(choices=[SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")])
    next = HiddenField()


class LogoutForm(BaseForm):
    pass


class TokenForm(BaseForm):
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(_l("Give the token a name.")),
            Length(max=80, message=_l("At most %(max)d characters.")),
            NoControlCharacters(),
        ],
    )
    scope = SelectField(
        _l("Access"),
        choices=[SelectChoice("read", _l("Read only")), SelectChoice("write", _l("Read and write"))],
    )
    days = SelectField(
        _l("Valid for"),
        choices=[
            SelectChoice("7", _l("7 days")),
            SelectChoice("30", _l("30 days")),
            SelectChoice("90", _l("90 days")),
            SelectChoice("365", _l("365 days")),
        ],
        default="30",
    )


class CodeForm(BaseForm):
    """A TOTP code (6 digits) or a recovery code (xxxxx-xxxxx)."""

    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(_l("Enter the code.")),
            Length(max=20, message=_l("At most %(max)d characters.")),
            NoControlCharacters(),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "none"},
    )


class SetPasswordForm(BaseForm):
    """The page a one-time link opens: the new password, twice."""

    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Enter a new password.")),
            Length(min=10, max=256, message=_l("Between %(min)d and %(max)d characters.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(_l("Enter the new password again.")),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
