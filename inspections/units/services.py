"""The unit registry: create and change units, search them, list them page by page."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from inspections.audit.services import record, snapshot
from inspections.auth.models import User
from inspections.errors import Conflict, InvalidInput
from inspections.extensions import db
from inspections.forms import has_control_characters
from inspections.listing import PAGE_SIZE, Order, Page, keyset_page
from inspections.units.models import DivisionType, Language, Unit, UnitContact, UnitKind

_UNIT_FIELDS = (
    "code", "name", "name_en", "address", "kind", "division_type", "parent_id", "district_id", "active",
)  # fmt: skip
ADDRESS_MAX = 255  # units.address


def search_key(text: str) -> str:
    """Lower-case, accent-free form used for search: "Hà Đông" -> "ha dong"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def normal_email(email: str) -> str:
    """The address in its normal form, or InvalidInput."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidInput(_l("%(email)s is not a valid email address.", email=email)) from exc


# --- the hierarchy ---------------------------------------------------------------------


def ancestor_ids(unit_id: int) -> list[int]:
    """The unit's parents, nearest first (the hierarchy is a few levels deep)."""
    found: list[int] = []
    current = db.session.scalar(sa.select(Unit.parent_id).where(Unit.id == unit_id))
    while current is not None and current not in found:
        found.append(current)
        current = db.session.scalar(sa.select(Unit.parent_id).where(Unit.id == current))
    return found


def descendant_ids(unit_id: int) -> set[int]:
    """Every unit below this one, through a recursive query."""
    below = sa.select(Unit.id).where(Unit.parent_id == unit_id).cte("below", recursive=True)
    below = below.union(sa.select(Unit.id).where(Unit.parent_id == below.c.id))
    return set(db.session.scalars(sa.select(below.c.id)))


def related_ids(unit_id: int) -> set[int]:
    """The unit itself and everything above or below it: the conflict-of-interest zone."""
    return {unit_id, *ancestor_ids(unit_id), *descendant_ids(unit_id)}


def _check_parent(unit: Unit | None, parent: Unit | None) -> None:
    if parent is None or unit is None or unit.id is None:
        return
    if parent.id == unit.id or parent.id in descendant_ids(unit.id):
        raise InvalidInput(_l("A unit cannot be placed under itself or one of its own units."))


# --- changes ----------------------------------------------------------------------------


def _check_names(*names: str | None) -> None:
    """Names go into mail headers, documents and spreadsheets: one line, no control characters."""
    if any(name and has_control_characters(name) for name in names):
        raise InvalidInput(_l("A name must be on one line, without tabs or control characters."))


def clean_address(address: str | None) -> str | None:
    """The address as stored: stripped, None when blank; one line (it goes into the
    minutes and onto the team's cards) and no longer than its column."""
    address = (address or "").strip()
    if not address:
        return None
    if has_control_characters(address):
        raise InvalidInput(_l("An address must be on one line, without tabs or control characters."))
    if len(address) > ADDRESS_MAX:
        raise InvalidInput(_l("An address has at most %(max)d characters.", max=ADDRESS_MAX))
    return address


def _code_taken(error: sa.exc.IntegrityError) -> bool:
    """Whether the database refused the row for its code (a unique index on units.code)."""
    text = str(error.orig).lower()
    return "code" in text and ("unique" in text or "duplicate" in text)


@dataclass(frozen=True)
class ContactInput:
    name: str
    email: str
    language: Language = Language.VI


def create_unit(
    *,
    actor: User | None,
    code: str,
    name: str,
    kind: UnitKind,
    name_en: str | None = None,
    address: str | None = None,
    division_type: DivisionType | None = None,
    parent: Unit | None = None,
    district: Unit | None = None,
    active: bool = True,
    contact: ContactInput | None = None,
) -> Unit:
    code = code.strip()
    _check_names(code, name, name_en, contact.name if contact else None)
    address = clean_address(address)
    if db.session.scalar(sa.select(Unit.id).where(Unit.code == code)) is not None:
        raise Conflict(_l("A unit with code %(code)s already exists.", code=code))
    unit = Unit(
        code=code,
        name=name.strip(),
        name_en=(name_en or "").strip() or None,
        address=address,
        search_name=search_key(name),
        kind=kind,
        division_type=division_type,
        parent=parent,
        district=district,
        active=active,
    )
    if contact is not None:
        unit.contacts.append(
            UnitContact(
                name=contact.name.strip(), email=normal_email(contact.email), language=contact.language
            )
        )
    db.session.add(unit)
    try:
        db.session.flush()
    except sa.exc.IntegrityError as exc:
        # Another request registered the code between the check above and this insert.
        # No savepoint: the whole unit of work is refused and rolled back by the caller
        # (on SQLite a savepoint that opens the transaction commits it when released, so
        # an import would keep the units it had created before the conflict).
        if not _code_taken(exc):
            raise
        raise Conflict(_l("A unit with code %(code)s already exists.", code=code)) from None
    after = snapshot(unit, *_UNIT_FIELDS)
    if contact is not None:
        after["contact"] = {"name": contact.name, "email": contact.email, "language": contact.language}
    record("unit.create", actor=actor, object_type="unit", object_id=unit.id, after=after)
    return unit


def update_unit(
    unit: Unit,
    *,
    actor: User | None,
    name: str,
    kind: UnitKind,
    name_en: str | None = None,
    address: str | None = None,
    division_type: DivisionType | None = None,
    parent: Unit | None = None,
    district: Unit | None = None,
    active: bool = True,
    contact: ContactInput | None = None,
) -> bool:
    """Change a unit; True when something changed (nothing is recorded otherwise)."""
    _check_names(name, name_en, contact.name if contact else None)
    address = clean_address(address)
    _check_parent(unit, parent)
    before = snapshot(unit, *_UNIT_FIELDS)
    before_contact = _contact_snapshot(unit)
    unit.name = name.strip()
    unit.search_name = search_key(name)
    unit.name_en = (name_en or "").strip() or None
    unit.address = address
    unit.kind = kind
    unit.division_type = division_type
    unit.parent = parent
    unit.district = district
    unit.active = active
    if contact is not None:
        _set_primary_contact(unit, contact)
    db.session.flush()
    after = snapshot(unit, *_UNIT_FIELDS)
    after_contact = _contact_snapshot(unit)
    if before == after and before_contact == after_contact:
        return False
    before["contact"], after["contact"] = before_contact, after_contact
    record("unit.update", actor=actor, object_type="unit", object_id=unit.id, before=before, after=after)
    return True


def _contact_snapshot(unit: Unit) -> dict[str, str] | None:
    contact = primary_contact(unit)
    if contact is None:
        return None
    return {"name": contact.name, "email": contact.email, "language": contact.language.value}


def primary_contact(unit: Unit) -> UnitContact | None:
    return next((c for c in unit.contacts if c.active), None)


def _set_primary_contact(unit: Unit, contact: ContactInput) -> None:
    email = normal_email(contact.email)
    current = primary_contact(unit)
    if current is not None and current.email.lower() == email.lower():
        current.name, current.language = contact.name.strip(), contact.language
        return
    existing = next((c for c in unit.contacts if c.email.lower() == email.lower()), None)
    if existing is not None:
        existing.active = True
        existing.name, existing.language = contact.name.strip(), contact.language
        unit.contacts.remove(existing)
        unit.contacts.insert(0, existing)
        if current is not None:
            current.active = False
        return
    if current is not None:
        current.active = False
    unit.contacts.append(UnitContact(name=contact.name.strip(), email=email, language=contact.language))
    db.session.flush()


# --- lists ------------------------------------------------------------------------------


def _escape_like(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def unit_matches(q: str) -> sa.ColumnElement[bool]:
    """SQL condition on `Unit`: its name holds `q` (accent-insensitive) or its code is `q`."""
    q = q.strip()
    return sa.or_(Unit.search_name.like(f"%{_escape_like(search_key(q))}%", escape="!"), Unit.code == q)


def unit_query(
    *, q: str = "", kind: UnitKind | None = None, district_id: int | None = None, active_only: bool = False
) -> sa.Select[tuple[Unit]]:
    """Units matching a name (accent-insensitive, anywhere in it) or exactly a code."""
    query = sa.select(Unit)
    if q.strip():
        query = query.where(unit_matches(q))
    if kind is not None:
        query = query.where(Unit.kind == kind)
    if district_id is not None:
        query = query.where(sa.or_(Unit.district_id == district_id, Unit.id == district_id))
    if active_only:
        query = query.where(Unit.active.is_(True))
    return query


# A district filter offers at most this many (a nation has about 700: the first by name).
DISTRICT_CHOICES = 200


def district_choices() -> list[tuple[int, str]]:
    """(id, name) of the districts a list's filter offers, by name."""
    return [
        (unit_id, name)
        for unit_id, name in db.session.execute(
            sa.select(Unit.id, Unit.name)
            .where(Unit.kind == UnitKind.DISTRICT)
            .order_by(Unit.search_name, Unit.id)
            .limit(DISTRICT_CHOICES)
        )
    ]


# The columns the unit list sorts on; the id breaks ties (listing.keyset_page).
UNIT_SORTS = {"name": Unit.search_name, "code": Unit.code, "kind": Unit.kind, "status": Unit.active}


def list_units(
    *,
    q: str = "",
    kind: UnitKind | None = None,
    district_id: int | None = None,
    order: Order | None = None,
    size: int = PAGE_SIZE,
) -> Page[Unit]:
    """One keyset page of units (no OFFSET: page 2,000 costs what page 1 costs)."""
    query = unit_query(q=q, kind=kind, district_id=district_id).options(selectinload(Unit.parent))
    return keyset_page(
        query, order=order or Order("name", False, None), sorts=UNIT_SORTS, id_column=Unit.id, size=size
    )
