from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from inspections.audit.services import record
from inspections.auth.models import Role, User
from inspections.db import utcnow
from inspections.errors import Conflict, InvalidInput
from inspections.extensions import db
from inspections.forms import has_control_characters
from inspections.units.models import Language

MIN_PASSWORD_LENGTH = 10


@cache
def _hasher_for(profile: str) -> tuple[PasswordHasher, str]:
    """argon2id with the named parameter profile, and a hash to verify unknown users against."""
    hasher = PasswordHasher.from_parameters(getattr(profiles, profile))
    return hasher, hasher.hash("not a password")


def _hasher() -> PasswordHasher:
    # RFC 9106's low-memory profile in production; tests choose the cheapest.
    return _hasher_for(current_app.config.get("PASSWORD_HASH_PROFILE", "RFC_9106_LOW_MEMORY"))[0]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None, whichever part was wrong."""
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    hasher, dummy_hash = _hasher_for(current_app.config.get("PASSWORD_HASH_PROFILE", "RFC_9106_LOW_MEMORY"))
    try:
        # An unknown user costs one verification too, so both answers take the same time.
        hasher.verify(user.password_hash if user else dummy_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    record("user.login", actor=user, object_type="user", object_id=user.id)
    return user


def create_user(
    *,
    username: str,
    email: str,
    full_name: str,
    password: str,
    role: Role,
    home_unit_id: int | None = None,
    language: Language = Language.VI,
    actor: User | None = None,
) -> User:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_l("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if role == Role.UNIT_CONTACT and home_unit_id is None:
        raise InvalidInput(_l("A unit contact must belong to a unit."))
    if any(has_control_characters(text) for text in (username, email, full_name)):  # mail headers
        raise InvalidInput(_l("A name must be on one line, without tabs or control characters."))
    taken = db.session.scalar(
        select(User.id).where(
            (func.lower(User.username) == username.lower()) | (func.lower(User.email) == email.lower())
        )
    )
    if taken:
        raise Conflict(_l("That username or email is already in use."))
    user = User(
        username=username,
        email=email,
        full_name=full_name,
        password_hash=hash_password(password),
        role=role,
        home_unit_id=home_unit_id,
        language=language,
    )
    db.session.add(user)
    db.session.flush()
    record(
        "user.create",
        actor=actor,
        object_type="user",
        object_id=user.id,
        after={"username": username, "role": role, "home_unit_id": home_unit_id},
    )
    return user


def password_matches(user: User, password: str) -> bool:
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_matches_hash(stored_hash: str, secret: str) -> bool:
    """`secret` against an argon2 hash (recovery codes are kept like passwords)."""
    try:
        return _hasher().verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def set_password(user: User, password: str, *, actor: User | None) -> None:
    """A new password ends every session of the user."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_l("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    user.password_hash = hash_password(password)
    user.session_version += 1
    record("user.set_password", actor=actor, object_type="user", object_id=user.id)


def end_sessions(user: User, *, actor: User | None, reason: str) -> None:
    """Every session of the user stops working at its next request (logout everywhere)."""
    user.session_version += 1
    record("user.end_sessions", actor=actor, object_type="user", object_id=user.id, after={"reason": reason})


def set_active(user: User, active: bool, *, actor: User | None) -> None:
    """Deactivate (or reactivate) an account; deactivation ends its sessions."""
    if user.active == active:
        return
    user.active = active
    if not active:
        user.session_version += 1
    record(
        "user.set_active",
        actor=actor,
        object_type="user",
        object_id=user.id,
        before={"active": not active},
        after={"active": active},
    )


def set_language(user: User, language: Language) -> None:
    if user.language == language:
        return
    before = {"language": user.language.value}
    user.language = language
    record(
        "user.set_language",
        actor=user,
        object_type="user",
        object_id=user.id,
        before=before,
        after={"language": language.value},
    )
