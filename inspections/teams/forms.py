from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from inspections.forms import BaseForm, DayField, NoControlCharacters
from inspections.labels import label
from inspections.teams.models import TeamKind, TeamRole

_MAX = _l("At most %(max)d characters.")


class TeamForm(BaseForm):
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(_l("Enter the team's name.")),
            Length(max=255, message=_MAX),
            NoControlCharacters(),
        ],
    )
    kind = SelectField(_l("Kind"))
    decision_number = StringField(
        _l("Decision number"), validators=[Optional(), Length(max=60, message=_MAX), NoControlCharacters()]
    )
    decision_date = DayField(_l("Decision date"), validators=[Optional()])
    decision_signer = StringField(
        _l("Signed by"), validators=[Optional(), Length(max=160, message=_MAX), NoControlCharacters()]
    )
    visits_per_day = IntegerField(
        _l("Visits per working day"),
        default=1,
        validators=[
            DataRequired(_l("Enter a number.")),
            NumberRange(min=1, max=4, message=_l("Between 1 and 4.")),
        ],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(k.value, label(k)) for k in TeamKind]


class MemberForm(BaseForm):
    # A plain input holding a username; pickers.js turns it into a search by name.
    username = StringField(
        _l("Member (username)"),
        validators=[
            DataRequired(_l("Enter the member's username.")),
            Length(max=80, message=_MAX),
            NoControlCharacters(),
        ],
    )
    role = SelectField(_l("Team role"))
    home_unit_code = StringField(
        _l("Home unit (code; empty: the person's own unit)"),
        validators=[Optional(), Length(max=40, message=_MAX), NoControlCharacters()],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice(r.value, label(r)) for r in TeamRole]


class AssignForm(BaseForm):
    unit_code = StringField(
        _l("Unit (code)"),
        validators=[
            DataRequired(_l("Enter the unit's code.")),
            Length(max=40, message=_MAX),
            NoControlCharacters(),
        ],
    )
    override_reason = StringField(
        _l("Reason for overriding a conflict of interest"),
        validators=[Optional(), Length(max=500, message=_MAX), NoControlCharacters()],
    )
