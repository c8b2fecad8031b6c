"""The people's import: inspectors of other departments (who sit on teams) and unit
officials, with accounts created inactive until each sets a password from the one-time
link mailed to them.

A person is matched on the email address: a known one is left as it is (counted as
`existing`), so the same file imported twice changes nothing. A file cannot make an
administrator, a coordinator or an observer: only inspectors and unit officials.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from inspections.auth.models import Role, User
from inspections.auth.services import create_user, send_password_link
from inspections.errors import InvalidInput
from inspections.extensions import db
from inspections.forms import has_control_characters
from inspections.imports.checks import RowError, need, one_line, split_rows, words_of
from inspections.imports.parsing import Row
from inspections.labels import LABELS
from inspections.units.models import Language, Unit
from inspections.units.services import normal_email

IMPORTABLE_ROLES = (Role.INSPECTOR, Role.UNIT_CONTACT)
_LANGUAGES = {la.value for la in Language}


@dataclass
class PeopleRun:
    roles: dict[str, str]
    first_email: dict[str, int] = field(default_factory=dict)
    first_username: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: {"create": 0, "existing": 0})
    created: list[int] = field(default_factory=list)  # ids, for the password links


def start() -> PeopleRun:
    roles = {r.value: r.value for r in Role}
    for role in Role:
        roles.update({said: role.value for said in words_of(LABELS[(Role, role.value)])})
    return PeopleRun(roles)


def _username(v: dict[str, str]) -> str:
    return v.get("username") or v["email"]


def _row_errors(row: Row, run: PeopleRun) -> list[RowError]:
    v, n = row.values, row.number
    errors = need(row, ("full_name", "email", "role"))
    for column in ("full_name", "email", "username", "home_unit_code"):
        if has_control_characters(v.get(column, "")):
            errors.append(one_line(n, column))
    if len(v.get("full_name", "")) > 160:
        errors.append(RowError(n, "full_name", str(_l("At most %(max)d characters.", max=160))))
    if len(v.get("username", "")) > 80:
        errors.append(RowError(n, "username", str(_l("At most %(max)d characters.", max=80))))
    role = run.roles.get(" ".join(v.get("role", "").split()).lower(), v.get("role", ""))
    v["role"] = role
    if role and role not in {r.value for r in IMPORTABLE_ROLES}:
        said = _l("Only inspectors and unit officials can be imported; ask an administrator for other roles.")
        errors.append(RowError(n, "role", str(said)))
    if role == Role.UNIT_CONTACT.value and not v.get("home_unit_code"):
        errors += need(row, ("home_unit_code",))
    v["language"] = (v.get("language") or "vi").lower()
    if v["language"] not in _LANGUAGES:
        errors.append(RowError(n, "language", str(_l("The language is vi or en."))))
    if v.get("email"):
        try:
            v["email"] = normal_email(v["email"])
        except InvalidInput as exc:
            errors.append(RowError(n, "email", str(exc.message)))
        else:
            email = v["email"].lower()
            if email in run.first_email:
                said = _l("This email is already on row %(row)d.", row=run.first_email[email])
                errors.append(RowError(n, "email", str(said)))
                return errors  # the same person twice: the username says nothing more
            run.first_email[email] = n
            username = _username(v).lower()
            if username in run.first_username:
                said = _l("This username is already on row %(row)d.", row=run.first_username[username])
                errors.append(RowError(n, "username", str(said)))
            else:
                run.first_username[username] = n
    return errors


def check_batch(
    rows: list[Row], run: PeopleRun, *, trusted: bool = False
) -> tuple[list[RowError], list[tuple[Row, str, Any]]]:
    errors, good = split_rows(rows, lambda row: _row_errors(row, run))
    codes = {r.values["home_unit_code"] for r in good if r.values.get("home_unit_code")}
    units = dict(db.session.execute(sa.select(Unit.code, Unit.id).where(Unit.code.in_(codes))).tuples().all())
    emails = {r.values["email"].lower() for r in good}
    usernames = {_username(r.values).lower() for r in good}
    known_emails = set(
        db.session.scalars(sa.select(sa.func.lower(User.email)).where(sa.func.lower(User.email).in_(emails)))
    )
    taken = dict(
        db.session.execute(
            sa.select(sa.func.lower(User.username), sa.func.lower(User.email)).where(
                sa.func.lower(User.username).in_(usernames)
            )
        )
        .tuples()
        .all()
    )
    planned = []
    for row in good:
        v = row.values
        unit_id = units.get(v["home_unit_code"]) if v.get("home_unit_code") else None
        if v.get("home_unit_code") and unit_id is None:
            said = _l("No unit has code %(code)s.", code=v["home_unit_code"])
            errors.append(RowError(row.number, "home_unit_code", str(said)))
            continue
        email = v["email"].lower()
        if email in known_emails:
            run.counts["existing"] += 1
            planned.append((row, "existing", None))
            continue
        owner = taken.get(_username(v).lower())
        if owner is not None and owner != email:
            said = _l("The username %(name)s is already in use.", name=_username(v))
            errors.append(RowError(row.number, "username", str(said)))
            continue
        run.counts["create"] += 1
        planned.append((row, "create", unit_id))
    return errors, planned


def finish_check(run: PeopleRun) -> list[RowError]:
    return []


def apply_batch(planned: list[tuple[Row, str, Any]], run: PeopleRun, *, actor: User | None) -> int:
    """Each new person through auth's own `create_user` (its rules, its audit event), with
    a password nobody knows, inactive until the link is followed."""
    for row, action, unit_id in planned:
        if action != "create":
            continue
        v = row.values
        user = create_user(
            username=_username(v),
            email=v["email"],
            full_name=v["full_name"],
            password=secrets.token_urlsafe(32),
            role=Role(v["role"]),
            home_unit_id=unit_id,
            language=Language(v["language"]),
            actor=actor,
        )
        user.active = False  # never active yet: it waits for its password
        run.created.append(user.id)
    db.session.flush()
    return len(planned)


def finish_apply(run: PeopleRun, *, actor: User | None) -> dict[str, int]:
    """The one-time links, in the import's own transaction: the outbox sends them once it
    commits, and a rolled-back import leaves neither accounts nor mails."""
    for user_id in run.created:
        user = db.session.get(User, user_id)
        if user is not None:
            send_password_link(user, actor=actor, reason="import")
    return dict(run.counts)
