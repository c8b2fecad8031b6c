"""The rules of the users admin. Each function flushes and audits; the view commits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from inspections.audit.services import record
from inspections.auth.models import Role, User
from inspections.auth.services import create_user, end_sessions, send_password_link, set_active
from inspections.errors import Conflict, InvalidInput
from inspections.extensions import db
from inspections.listing import Order, Page, keyset_page
from inspections.units.models import Language, Unit
from inspections.units.services import normal_email

# Sort expressions never NULL (inspections/listing.py).
USER_SORTS: dict[str, sa.ColumnElement] = {
    "name": sa.func.lower(User.full_name),
    "username": sa.func.lower(User.username),
    "created": User.created_at,
}


@dataclass(frozen=True)
class UserFilters:
    q: str = ""
    role: Role | None = None
    unit: Unit | None = None
    active: bool | None = None


def unit_with_code(code: str) -> Unit | None:
    """The unit with this code (any case), or None."""
    return db.session.scalar(sa.select(Unit).where(sa.func.lower(Unit.code) == code.strip().lower()))


def unit_by_code(code: str) -> Unit | None:
    """The unit with this code; None for no code; InvalidInput for a code no unit has."""
    code = code.strip()
    if not code:
        return None
    unit = unit_with_code(code)
    if unit is None:
        raise InvalidInput(_l("No unit has the code %(code)s.", code=code))
    return unit


def list_users(filters: UserFilters, *, order: Order) -> Page[User]:
    query = sa.select(User)
    if filters.q:
        needle = filters.q.strip().lower()
        query = query.where(
            sa.or_(
                sa.func.lower(User.username).contains(needle, autoescape=True),
                sa.func.lower(User.full_name).contains(needle, autoescape=True),
                sa.func.lower(User.email).contains(needle, autoescape=True),
            )
        )
    if filters.role is not None:
        query = query.where(User.role == filters.role)
    if filters.unit is not None:
        query = query.where(User.home_unit_id == filters.unit.id)
    if filters.active is not None:
        query = query.where(User.active.is_(filters.active))
    return keyset_page(query, order=order, sorts=USER_SORTS, id_column=User.id)


def _check_unit_rule(role: Role, unit: Unit | None) -> None:
    if role == Role.UNIT_CONTACT and unit is None:
        raise InvalidInput(_l("A unit contact must belong to a unit: give its home unit."))


def _active_admins() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.role == Role.ADMIN, User.active.is_(True))
        )
        or 0
    )


def _keep_an_admin(user: User) -> None:
    """The last active administrator cannot lose the role or the account: nobody could
    manage the users afterwards."""
    if user.role == Role.ADMIN and user.active and _active_admins() <= 1:
        raise Conflict(_l("This is the last active administrator: make another one first."))


def create_account(
    *,
    username: str,
    email: str,
    full_name: str,
    role: Role,
    unit: Unit | None,
    language: Language,
    actor: User,
) -> User:
    """A new account, inactive until its owner sets a password from the link mailed now."""
    username, full_name = username.strip(), " ".join(full_name.split())
    if not username or not full_name:
        raise InvalidInput(_l("Give a username and a full name."))
    _check_unit_rule(role, unit)
    user = create_user(
        username=username,
        email=normal_email(email),
        full_name=full_name,
        # Nobody knows this password: the account is opened by its link alone.
        password=secrets.token_urlsafe(32),
        role=role,
        home_unit_id=unit.id if unit else None,
        language=language,
        actor=actor,
        active=False,
    )
    send_password_link(user, actor=actor, reason="invite")
    return user


def change_role(user: User, *, role: Role, unit: Unit | None, actor: User) -> bool:
    """Change the role and the home unit; False when nothing changed."""
    _check_unit_rule(role, unit)
    unit_id = unit.id if unit else None
    if user.role == role and user.home_unit_id == unit_id:
        return False
    if user.role == Role.ADMIN and role != Role.ADMIN:
        if user.id == actor.id:
            raise Conflict(_l("You cannot take away your own administrator role."))
        _keep_an_admin(user)
    before = {"role": user.role.value, "home_unit_id": user.home_unit_id}
    user.role = role
    user.home_unit_id = unit_id
    db.session.flush()
    record(
        "user.set_role",
        actor=actor,
        object_type="user",
        object_id=user.id,
        before=before,
        after={"role": role.value, "home_unit_id": unit_id},
    )
    return True


def deactivate(user: User, *, actor: User) -> None:
    """The account can no longer log in; its sessions and unused links end now."""
    if user.id == actor.id:
        raise Conflict(_l("You cannot deactivate your own account."))
    if not user.active:
        raise Conflict(_l("This account is already inactive."))
    _keep_an_admin(user)
    set_active(user, False, actor=actor)


def reactivate(user: User, *, actor: User) -> None:
    if user.active:
        raise Conflict(_l("This account is already active."))
    set_active(user, True, actor=actor)


def reset_password(user: User, *, actor: User) -> None:
    """Mail a one-time link to set a new password; the current one works until it is used.
    For an inactive account the link opens it again: the admin chose to send it."""
    send_password_link(user, actor=actor, reason="reset")


def end_user_sessions(user: User, *, actor: User) -> None:
    end_sessions(user, actor=actor, reason="admin")
