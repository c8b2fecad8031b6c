"""The contacts' import: several officials per unit, each a row (unit code, name, email).

A row adds the contact to its unit, or updates the one with that address (name, language,
active); a unit keeps the contacts the file does not name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from inspections.auth.models import User
from inspections.errors import InvalidInput
from inspections.extensions import db
from inspections.forms import has_control_characters
from inspections.imports.bulk import insert_rows
from inspections.imports.checks import FLAG_WORDS, RowError, flag, need, one_line, split_rows
from inspections.imports.parsing import Row
from inspections.units.models import Language, Unit, UnitContact
from inspections.units.services import normal_email

_LANGUAGES = {la.value for la in Language}


@dataclass
class ContactRun:
    first_row: dict[tuple[str, str], int] = field(default_factory=dict)  # (unit, email) -> row
    counts: dict[str, int] = field(default_factory=lambda: {"create": 0, "update": 0, "unchanged": 0})


def start() -> ContactRun:
    return ContactRun()


def _row_errors(row: Row, run: ContactRun) -> list[RowError]:
    v, n = row.values, row.number
    errors = need(row, ("unit_code", "contact_name", "contact_email"))
    for column in ("unit_code", "contact_name", "contact_email"):
        if has_control_characters(v.get(column, "")):
            errors.append(one_line(n, column))
    if len(v.get("contact_name", "")) > 160:
        errors.append(RowError(n, "contact_name", str(_l("At most %(max)d characters.", max=160))))
    v["contact_language"] = (v.get("contact_language") or "").lower()
    if v["contact_language"] and v["contact_language"] not in _LANGUAGES:
        errors.append(RowError(n, "contact_language", str(_l("The language is vi or en."))))
    if v.get("active") and v["active"].lower() not in FLAG_WORDS:
        errors.append(RowError(n, "active", str(_l("Write 1 for active or 0 for inactive."))))
    if v.get("contact_email"):
        try:
            v["contact_email"] = normal_email(v["contact_email"])
        except InvalidInput as exc:
            errors.append(RowError(n, "contact_email", str(exc.message)))
        else:
            key = (v.get("unit_code", ""), v["contact_email"].lower())
            if key in run.first_row:
                said = _l("This contact is already on row %(row)d.", row=run.first_row[key])
                errors.append(RowError(n, "contact_email", str(said)))
            else:
                run.first_row[key] = n
    return errors


def check_batch(
    rows: list[Row], run: ContactRun, *, trusted: bool = False
) -> tuple[list[RowError], list[tuple[Row, str, Any]]]:
    errors, good = split_rows(rows, lambda row: _row_errors(row, run))
    codes = {r.values["unit_code"] for r in good}
    units = dict(db.session.execute(sa.select(Unit.code, Unit.id).where(Unit.code.in_(codes))).tuples().all())
    existing: dict[tuple[int, str], tuple[int, str, Language, bool]] = {}
    if units:
        for contact_id, unit_id, name, email, language, active in db.session.execute(
            sa.select(
                UnitContact.id, UnitContact.unit_id, UnitContact.name, UnitContact.email,
                UnitContact.language, UnitContact.active,
            ).where(UnitContact.unit_id.in_(units.values()))
        ):  # fmt: skip
            existing[(unit_id, email.lower())] = (contact_id, name, language, active)
    planned = []
    for row in good:
        v = row.values
        unit_id = units.get(v["unit_code"])
        if unit_id is None:
            errors.append(
                RowError(row.number, "unit_code", str(_l("No unit has code %(code)s.", code=v["unit_code"])))
            )
            continue
        wanted = (
            v["contact_name"].strip(),
            Language(v["contact_language"] or "vi"),
            flag(v.get("active", "")),
        )
        known = existing.get((unit_id, v["contact_email"].lower()))
        if known is None:
            action = "create"
        else:
            action = "unchanged" if known[1:] == wanted else "update"
        run.counts[action] += 1
        planned.append((row, action, (unit_id, known[0] if known else None, wanted)))
    return errors, planned


def finish_check(run: ContactRun) -> list[RowError]:
    return []


def apply_batch(planned: list[tuple[Row, str, Any]], run: ContactRun, *, actor: User | None) -> int:
    inserts, updates = [], []
    for row, action, (unit_id, contact_id, (name, language, active)) in planned:
        if action == "create":
            inserts.append(
                {"unit_id": unit_id, "name": name, "email": row.values["contact_email"], "language": language,
                 "active": active}
            )  # fmt: skip
        elif action == "update":
            updates.append({"id": contact_id, "name": name, "language": language, "active": active})
    if inserts:
        insert_rows(UnitContact.__table__, [{"user_id": None, **i} for i in inserts])
    if updates:
        db.session.execute(sa.update(UnitContact), updates)
    return len(planned)


def finish_apply(run: ContactRun, *, actor: User | None) -> dict[str, int]:
    return dict(run.counts)
