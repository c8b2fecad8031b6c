from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from inspections.findings.models import FindingResult, Severity
from inspections.forms import BaseForm, FiniteDecimalField, NoControlCharacters

_TEXT = NoControlCharacters(multiline=True)

RESULTS = [
    SelectChoice(FindingResult.COMPLIANT.value, _l("Compliant")),
    SelectChoice(FindingResult.NON_COMPLIANT.value, _l("Non-compliant")),
    SelectChoice(FindingResult.OBSERVATION.value, _l("Observation")),
    SelectChoice(FindingResult.GOOD_PRACTICE.value, _l("Good practice")),
    SelectChoice(FindingResult.NOT_APPLICABLE.value, _l("Not applicable")),
]
SEVERITIES = [
    SelectChoice(Severity.NONE.value, _l("None")),
    SelectChoice(Severity.LOW.value, _l("Low")),
    SelectChoice(Severity.MEDIUM.value, _l("Medium")),
    SelectChoice(Severity.HIGH.value, _l("High")),
]


class FindingForm(BaseForm):
    criterion_id = HiddenField()
    version = HiddenField()
    result = RadioField(
        _l("Result"), choices=RESULTS, validators=[InputRequired(message=_l("Choose a result."))]
    )
    severity = SelectField(_l("Severity"), choices=SEVERITIES, default=Severity.NONE.value)
    text = TextAreaField(
        _l("Notes"), validators=[Length(max=10_000, message=_l("The notes are too long.")), _TEXT]
    )
    named_individuals = TextAreaField(
        _l("People named (seen only by the team, the plan's coordinators and admins)"),
        validators=[Length(max=10_000, message=_l("The notes are too long.")), _TEXT],
    )


class CaseFindingForm(FindingForm):
    finding_id = HiddenField()
    criterion = SelectField(_l("Criterion"), coerce=str, validators=[Optional()])


class EvidenceForm(BaseForm):
    file = FileField(_l("Photo or document"))
    # The browser's last-modified time of the file (ms since 1970), used when a photo
    # carries no EXIF time.
    taken_ms = HiddenField()


class CorrectiveActionForm(BaseForm):
    """A corrective action set on a non-compliant finding (the remediation feature saves it)."""

    description = TextAreaField(
        _l("What the unit must do"),
        validators=[
            DataRequired(message=_l("Describe what the unit must do.")),
            Length(max=4000, message=_l("At most 4000 characters.")),
            _TEXT,
        ],
    )
    working_days = IntegerField(
        _l("Due in (working days)"),
        default=20,
        validators=[
            InputRequired(message=_l("Give the time allowed in working days.")),
            NumberRange(
                min=1, max=250, message=_l("The time allowed must be between 1 and 250 working days.")
            ),
        ],
    )


class CriterionForm(BaseForm):
    parent_id = SelectField(_l("Under"), coerce=str, validators=[Optional()])
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(message=_l("Give the criterion a code.")),
            Length(max=20, message=_l("At most 20 characters.")),
            NoControlCharacters(),
        ],
    )
    text_vi = TextAreaField(
        _l("Text in Vietnamese"), validators=[DataRequired(message=_l("Give the text.")), _TEXT]
    )
    text_en = TextAreaField(
        _l("Text in English"), validators=[DataRequired(message=_l("Give the text.")), _TEXT]
    )
    guidance_vi = TextAreaField(_l("Guidance in Vietnamese"), validators=[_TEXT])
    guidance_en = TextAreaField(_l("Guidance in English"), validators=[_TEXT])
    # "sNaN" parses as a Decimal and then cannot be compared with the range: refused as input.
    weight = FiniteDecimalField(
        _l("Weight"),
        default=1,
        places=2,
        validators=[
            InputRequired(message=_l("Give a weight.")),
            NumberRange(min=0, max=1000, message=_l("The weight must be between 0 and 1000.")),
        ],
    )
