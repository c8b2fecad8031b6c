from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField
from wtforms.validators import DataRequired

from inspections.forms import BaseForm


class UploadForm(BaseForm):
    """The kind of import and its file; the choices are the kinds this user may import."""

    kind = SelectField(_l("What the file holds"), validators=[DataRequired()])
    file = FileField(_l("CSV or XLSX file"))
