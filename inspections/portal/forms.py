from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import EmailField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Email, Length

from inspections.forms import BaseForm, DayField, NoControlCharacters


class UploadForm(BaseForm):
    file = FileField(_l("Self-assessment report (PDF or DOCX)"))


class RemediationForm(BaseForm):
    text = TextAreaField(
        _l("What the unit has done"),
        validators=[
            DataRequired(message=_l("Write what the unit has done.")),
            Length(max=10_000, message=_l("At most 10000 characters.")),
            NoControlCharacters(multiline=True),
        ],
    )
    files = MultipleFileField(_l("Supporting files (optional)"))


class ExtensionForm(BaseForm):
    until = DayField(
        _l("New due date asked for"), validators=[DataRequired(message=_l("Give the date you ask for."))]
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Give the reason for asking for more time.")),
            Length(max=4000, message=_l("At most 4000 characters.")),
            NoControlCharacters(multiline=True),
        ],
    )


class FreshLinkForm(BaseForm):
    token = HiddenField()
    email = EmailField(
        _l("Your email address"),
        validators=[
            DataRequired(message=_l("Enter your email address.")),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
            Length(max=254, message=_l("The email address is too long.")),
        ],
    )
