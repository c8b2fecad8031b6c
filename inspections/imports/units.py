"""The unit registry's import: check a file of units in sets, write it in bulk.

Rows are matched on `code`: new codes are created, known ones updated, so an export
imports back cleanly; a file without the `address` column (made before units had one)
leaves the addresses of the units it updates as they are. A check reads each batch's
known units in one query (their parent and district codes joined) and their contacts in
another; the references (parent, district) and the cycles of parents are checked once the
whole file is read, when the codes of later rows are known. Writing is one executemany
per batch and kind of change: the units first (without their parents, which may come
later in the file), then the parents and districts, then the contacts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from flask_babel import lazy_gettext as _l

from inspections.auth.models import User
from inspections.db import utcnow
from inspections.errors import InvalidInput
from inspections.extensions import db
from inspections.forms import has_control_characters
from inspections.imports.bulk import insert_rows
from inspections.imports.checks import FLAG_WORDS, RowError, flag, need, one_line, words_of
from inspections.imports.parsing import UNIT_LAYOUT, Row
from inspections.labels import LABELS
from inspections.units.models import DivisionType, Language, Unit, UnitContact, UnitKind
from inspections.units.services import ADDRESS_MAX, normal_email, search_key
from inspections.units.transfer import DIVISION_LABELS

_NAME_COLUMNS = (
    "code", "name", "name_en", "address", "parent_code", "district_code", "contact_name", "contact_email",
)  # fmt: skip
# Columns that a file may lack without clearing them: the registry's value stands.
_KEPT_WHEN_ABSENT = ("address",)
UNITS = Unit.__table__
CONTACTS = UnitContact.__table__
_KINDS = {k.value for k in UnitKind}
_DIVISIONS = {d.value for d in DivisionType}
_LANGUAGES = {la.value for la in Language}


@dataclass
class _Known:
    """A known unit as one row of the batch query."""

    id: int
    values: dict[str, str]  # as a file row would say it
    parent_id: int | None
    district_id: int | None


@dataclass
class UnitRun:
    """What one pass over a file keeps between batches: codes, not rows."""

    words: dict[str, dict[str, str]]
    first_row: dict[str, int] = field(default_factory=dict)  # code -> its row
    refs: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (parent, district)
    ref_rows: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (column, code) -> rows
    ids: dict[str, int] = field(default_factory=dict)  # code -> id, of the file's and referenced units
    current: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)  # known: parents now
    counts: dict[str, int] = field(default_factory=lambda: {"create": 0, "update": 0, "unchanged": 0})


def start() -> UnitRun:
    kinds = {said: k.value for k in UnitKind for said in words_of(LABELS[(UnitKind, k.value)])}
    divisions = {said: d.value for d, text in DIVISION_LABELS.items() for said in words_of(text)}
    return UnitRun({"kind": kinds, "division_type": divisions})


def _codes(values: dict[str, str], words: dict[str, dict[str, str]]) -> dict[str, str]:
    """A row's words (a kind's name in either language) as the codes the checks know; a
    code or an unknown word is left as it is (the checks name what is wrong)."""
    out = dict(values)
    for column, known in words.items():
        text = out.get(column, "")
        if text and text not in known.values():
            out[column] = known.get(" ".join(text.split()).lower(), text)
    if out.get("contact_language"):
        out["contact_language"] = out["contact_language"].lower()
    return out


def _known(codes: Iterable[str]) -> dict[str, _Known]:
    """The batch's known units, with their parent's and district's codes and primary
    contact: two queries, whatever the batch's size."""
    codes = list(codes)
    if not codes:
        return {}
    parent, district = sa.orm.aliased(Unit), sa.orm.aliased(Unit)
    query = (
        sa.select(
            Unit.id, Unit.code, Unit.name, Unit.name_en, Unit.kind, Unit.division_type, Unit.active,
            Unit.parent_id, Unit.district_id, parent.code, district.code, Unit.address,
        )
        .outerjoin(parent, Unit.parent_id == parent.id)
        .outerjoin(district, Unit.district_id == district.id)
        .where(Unit.code.in_(codes))
    )  # fmt: skip
    found: dict[str, _Known] = {}
    by_id: dict[int, str] = {}
    for (
        unit_id,
        code,
        name,
        name_en,
        kind,
        division,
        active,
        parent_id,
        district_id,
        p_code,
        d_code,
        address,
    ) in db.session.execute(query):
        found[code] = _Known(
            unit_id,
            {
                "code": code,
                "name": name,
                "name_en": name_en or "",
                "kind": kind.value,
                "division_type": division.value if division else "",
                "parent_code": p_code or "",
                "district_code": d_code or "",
                "active": "1" if active else "0",
                "contact_name": "",
                "contact_email": "",
                "contact_language": "",
                "address": address or "",
            },
            parent_id,
            district_id,
        )
        by_id[unit_id] = code
    if by_id:
        contacts = db.session.execute(
            sa.select(UnitContact.unit_id, UnitContact.name, UnitContact.email, UnitContact.language)
            .where(UnitContact.unit_id.in_(by_id), UnitContact.active.is_(True))
            .order_by(UnitContact.unit_id, UnitContact.id)
        )
        for unit_id, name, email, language in contacts:
            values = found[by_id[unit_id]].values
            if not values["contact_email"]:  # the first active one is the unit's contact
                values.update(contact_name=name, contact_email=email, contact_language=language.value)
    return found


def _normalised(values: dict[str, str], known: _Known) -> dict[str, str]:
    """The row as the known unit's values would say it, to compare them."""
    out = {c: values.get(c, "") for c in UNIT_LAYOUT.names}
    for column in _KEPT_WHEN_ABSENT:
        if column not in values:
            out[column] = known.values[column]
    out["active"] = "1" if flag(out["active"]) else "0"
    out["contact_language"] = (out["contact_language"] or ("vi" if out["contact_email"] else "")).lower()
    return out


def _row_errors(row: Row, run: UnitRun) -> list[RowError]:
    v, n = row.values, row.number
    errors = need(row, ("code", "name", "kind"))
    for column in _NAME_COLUMNS:
        if has_control_characters(v.get(column, "")):
            errors.append(one_line(n, column))
    if len(v.get("code", "")) > 40:
        errors.append(RowError(n, "code", str(_l("At most %(max)d characters.", max=40))))
    if len(v.get("name", "")) > 255:
        errors.append(RowError(n, "name", str(_l("At most %(max)d characters.", max=255))))
    if len(v.get("name_en", "")) > 255:
        errors.append(RowError(n, "name_en", str(_l("At most %(max)d characters.", max=255))))
    if len(v.get("address", "")) > ADDRESS_MAX:
        errors.append(RowError(n, "address", str(_l("At most %(max)d characters.", max=ADDRESS_MAX))))
    if v.get("kind") and v["kind"] not in _KINDS:
        errors.append(RowError(n, "kind", str(_l("Unknown kind %(value)s.", value=v["kind"]))))
    if v.get("division_type") and v["division_type"] not in _DIVISIONS:
        errors.append(
            RowError(
                n, "division_type", str(_l("Unknown division type %(value)s.", value=v["division_type"]))
            )
        )
    if v.get("parent_code") and v.get("parent_code") == v.get("code"):
        errors.append(RowError(n, "parent_code", str(_l("A unit cannot be its own parent."))))
    if v.get("active") and v["active"].lower() not in FLAG_WORDS:
        errors.append(RowError(n, "active", str(_l("Write 1 for active or 0 for inactive."))))
    if v.get("contact_language") and v["contact_language"] not in _LANGUAGES:
        errors.append(RowError(n, "contact_language", str(_l("The language is vi or en."))))
    if v.get("contact_email"):
        try:
            v["contact_email"] = normal_email(v["contact_email"])
        except InvalidInput as exc:
            errors.append(RowError(n, "contact_email", str(exc.message)))
        if not v.get("contact_name"):
            errors += need(row, ("contact_name",))
        elif len(v["contact_name"]) > 160:
            errors.append(RowError(n, "contact_name", str(_l("At most %(max)d characters.", max=160))))
    elif v.get("contact_name"):
        errors += need(row, ("contact_email",))
    return errors


def _file_errors(row: Row, run: UnitRun) -> list[RowError]:
    """What a row's place in the file decides: a code given twice; and the codes kept for
    the checks of the whole file (references, cycles)."""
    v, n = row.values, row.number
    errors: list[RowError] = []
    code = v.get("code", "")
    if code in run.first_row:
        errors.append(
            RowError(
                n,
                "code",
                str(_l("Code %(code)s is already on row %(row)d.", code=code, row=run.first_row[code])),
            )
        )
    elif code:
        run.first_row[code] = n
        run.refs[code] = (v.get("parent_code", ""), v.get("district_code", ""))
    for column in ("parent_code", "district_code"):
        if v.get(column):
            run.ref_rows.setdefault((column, v[column]), []).append(n)
    return errors


def check_batch(
    rows: list[Row], run: UnitRun, *, trusted: bool = False
) -> tuple[list[RowError], list[tuple[Row, str, _Known | None]]]:
    """The batch's errors, and each correct row with what it would do (create, update,
    unchanged) and the unit it matches. `trusted` rows come from this file's own check
    (normalised, each cell already correct): only what the registry decides is checked."""
    errors: list[RowError] = []
    good: list[Row] = []
    for row in rows:
        if not trusted:
            row = Row(row.number, _codes(row.values, run.words))
        found = ([] if trusted else _row_errors(row, run)) + _file_errors(row, run)
        errors += found
        if not found:
            good.append(row)
    known = _known(r.values["code"] for r in good)
    planned = []
    for row in good:
        unit = known.get(row.values["code"])
        if unit is None:
            action = "create"
        else:
            run.ids[unit.values["code"]] = unit.id
            run.current[unit.values["code"]] = (unit.parent_id, unit.district_id)
            action = "unchanged" if unit.values == _normalised(row.values, unit) else "update"
        run.counts[action] += 1
        planned.append((row, action, unit))
    return errors, planned


def finish_check(run: UnitRun) -> list[RowError]:
    """What only the whole file shows: references to codes neither in it nor in the
    registry, and parents that go round in a circle (through the registry too)."""
    errors: list[RowError] = []
    missing = {code for (_, code) in run.ref_rows if code not in run.first_row and code not in run.ids}
    found = _ids_of(missing)
    run.ids.update(found)
    for (column, code), rows in run.ref_rows.items():
        if code in missing and code not in found:
            errors += [RowError(n, column, str(_l("No unit has code %(code)s.", code=code))) for n in rows]
    parent_of = _registry_parents()
    parent_of.update({code: refs[0] or None for code, refs in run.refs.items()})
    for code, n in run.first_row.items():
        seen = {code}
        current = parent_of.get(code)
        while current:
            if current in seen:
                errors.append(
                    RowError(n, "parent_code", str(_l("The parents of this unit go round in a circle.")))
                )
                break
            seen.add(current)
            current = parent_of.get(current)
    return errors


def _ids_of(codes: set[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    listed = list(codes)
    for i in range(0, len(listed), 5_000):
        chunk = listed[i : i + 5_000]
        out.update(
            db.session.execute(sa.select(Unit.code, Unit.id).where(Unit.code.in_(chunk))).tuples().all()
        )
    return out


def _registry_parents() -> dict[str, str | None]:
    """Every unit's parent code: a cycle may pass through units that are not in the file."""
    parent = sa.orm.aliased(Unit)
    query = sa.select(Unit.code, parent.code).join(parent, Unit.parent_id == parent.id)
    return dict(db.session.execute(query.execution_options(yield_per=10_000)).tuples().all())


# --- writing ------------------------------------------------------------------------------


def _unit_values(v: dict[str, str]) -> dict[str, Any]:
    """The columns a row writes; one it lacks (`_KEPT_WHEN_ABSENT`) is left out, so an
    update keeps what the unit has. Every row of a file has the same columns, so a batch
    stays one executemany."""
    values = {
        "name": v["name"].strip(),
        "search_name": search_key(v["name"]),
        "name_en": (v.get("name_en") or "").strip() or None,
        "kind": UnitKind(v["kind"]),
        "division_type": DivisionType(v["division_type"]) if v.get("division_type") else None,
        "active": flag(v.get("active", "")),
    }
    if "address" in v:
        values["address"] = v["address"].strip() or None
    return values


def _refs_now(values: dict[str, str], run: UnitRun) -> tuple[int | None, int | None] | None:
    """The row's parent and district ids if both are known now (None: wait for the end)."""
    out = []
    for column in ("parent_code", "district_code"):
        code = values.get(column, "")
        if code and code not in run.ids:
            return None
        out.append(run.ids[code] if code else None)
    return out[0], out[1]


def apply_batch(planned: list[tuple[Row, str, _Known | None]], run: UnitRun, *, actor: User | None) -> int:
    """Write a checked batch: new units in one INSERT per wave, changed ones in one UPDATE,
    their contacts likewise. A unit whose parent is known (in the registry, or written by
    an earlier wave or batch) is written with it; the others get it in `finish_apply`."""
    new = [(row, unit) for row, action, unit in planned if action == "create"]
    changed = [(row, unit) for row, action, unit in planned if action == "update" and unit is not None]
    wanted = {r.values.get(c, "") for r, _ in new + changed for c in ("parent_code", "district_code")}
    unknown = {code for code in wanted if code and code not in run.ids and code not in run.first_row}
    run.ids.update(_ids_of(unknown))  # the registry's units the batch points at
    # Core statements on the tables: one executemany each, without the ORM's bookkeeping.
    waiting = new
    for wave in range(3):
        ready, later = [], []
        for row, _ in waiting:
            refs = _refs_now(row.values, run)
            (ready if refs is not None or wave == 2 else later).append((row, refs))
        if not ready:
            break
        now = utcnow()
        inserted = insert_rows(
            UNITS,
            [
                {"code": row.values["code"], "parent_id": refs[0] if refs else None,
                 "district_id": refs[1] if refs else None, "created_at": now, **_unit_values(row.values)}
                for row, refs in ready
            ],
            ids=True,
        )  # fmt: skip
        run.ids.update(
            {row.values["code"]: unit_id for (row, _), unit_id in zip(ready, inserted, strict=True)}
        )
        run.current.update({row.values["code"]: refs or (None, None) for row, refs in ready})
        waiting = [(row, None) for row, _ in later]
    if changed:
        resolved, deferred = [], []
        for row, unit in changed:
            refs = _refs_now(row.values, run)
            if refs is None:
                deferred.append({"unit_id": unit.id, **_unit_values(row.values)})
            else:
                resolved.append({"unit_id": unit.id, "parent_id": refs[0], "district_id": refs[1],
                                 **_unit_values(row.values)})  # fmt: skip
                run.current[row.values["code"]] = refs
        for params in (resolved, deferred):
            if params:
                db.session.execute(sa.update(UNITS).where(UNITS.c.id == sa.bindparam("unit_id")), params)
    _write_contacts([(row, run.ids[row.values["code"]], unit) for row, unit in new + changed])
    return len(planned)


def _write_contacts(rows: list[tuple[Row, int, _Known | None]]) -> None:
    """Each row's contact becomes its unit's primary contact, as the unit form does it: the
    same address is updated, a known one made active again, a new one added; the one it
    replaces stays, inactive."""
    wanted = {unit_id: row.values for row, unit_id, _ in rows if row.values.get("contact_email")}
    if not wanted:
        return
    existing: dict[int, list[tuple[int, str, bool]]] = {}
    for contact_id, unit_id, email, active in db.session.execute(
        sa.select(UnitContact.id, UnitContact.unit_id, UnitContact.email, UnitContact.active)
        .where(UnitContact.unit_id.in_(wanted))
        .order_by(UnitContact.unit_id, UnitContact.id)
    ):
        existing.setdefault(unit_id, []).append((contact_id, email.lower(), active))
    inserts, updates = [], []
    for unit_id, v in wanted.items():
        language = Language((v.get("contact_language") or "vi").lower())
        email = v["contact_email"]
        contacts = existing.get(unit_id, [])
        primary = next((c for c in contacts if c[2]), None)
        same = next((c for c in contacts if c[1] == email.lower()), None)
        if primary is not None and primary[1] == email.lower():
            updates.append(
                {"id": primary[0], "name": v["contact_name"].strip(), "language": language, "active": True}
            )
            continue
        if primary is not None:
            updates.append({"id": primary[0], "active": False})
        if same is not None:
            updates.append(
                {"id": same[0], "name": v["contact_name"].strip(), "language": language, "active": True}
            )
        else:
            inserts.append(
                {"unit_id": unit_id, "name": v["contact_name"].strip(), "email": email, "language": language}
            )
    # An UPDATE of the same columns for every row keeps it one executemany.
    by_id = CONTACTS.c.id == sa.bindparam("contact_id")
    full = [{"contact_id": u.pop("id"), **u} for u in updates if "name" in u]
    off = [{"contact_id": u["id"], "active": False} for u in updates if "name" not in u]
    if off:
        db.session.execute(sa.update(CONTACTS).where(by_id), off)
    if full:
        db.session.execute(sa.update(CONTACTS).where(by_id), full)
    if inserts:
        insert_rows(CONTACTS, [{"active": True, "user_id": None, **i} for i in inserts])


def finish_apply(run: UnitRun, *, actor: User | None) -> dict[str, int]:
    """Parents and districts, now that every unit of the file has its id."""
    changes = []
    for code, (parent_code, district_code) in run.refs.items():
        new = (
            run.ids.get(parent_code) if parent_code else None,
            run.ids.get(district_code) if district_code else None,
        )
        if new != run.current.get(code, (None, None)):
            changes.append({"unit_id": run.ids[code], "parent_id": new[0], "district_id": new[1]})
    for i in range(0, len(changes), 5_000):
        db.session.execute(
            sa.update(UNITS).where(UNITS.c.id == sa.bindparam("unit_id")), changes[i : i + 5_000]
        )
    return dict(run.counts)
