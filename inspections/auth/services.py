from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import cache
from typing import Any

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from inspections.audit.services import record
from inspections.auth.models import Role, User
from inspections.db import utcnow
from inspections.errors import Conflict, InvalidInput
from inspections.extensions import db
from inspections.forms import has_control_characters
from inspections.outbox.kinds import register
from inspections.outbox.models import Notification
from inspections.outbox.services import enqueue
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
    active: bool = True,
) -> User:
    """A new account; `active=False` for one that waits for its password link."""
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
        active=active,
    )
    db.session.add(user)
    db.session.flush()
    record(
        "user.create",
        actor=actor,
        object_type="user",
        object_id=user.id,
        after={"username": username, "role": role, "home_unit_id": home_unit_id, "active": active},
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


# --- one-time links to set a password (an invitation, or a reset by an admin) -----------

# Never change: a link already mailed must still verify.
_PASSWORD_LINK_SALT = "auth.password_link"  # noqa: S105 - a salt, not a secret
PASSWORD_LINK_MAX_AGE = timedelta(days=3)


def _password_link_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_PASSWORD_LINK_SALT)


def _password_link_age() -> timedelta:
    return current_app.config.get("PASSWORD_LINK_MAX_AGE", PASSWORD_LINK_MAX_AGE)


def _fingerprint(user: User) -> str:
    """What the link is bound to: setting the password (a new hash) or ending the user's
    sessions (deactivation too) changes it, so a link works once and dies with them."""
    material = f"{user.id}:{user.session_version}:{user.password_hash}:{user.email.lower()}"
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def password_link_token(user: User) -> str:
    return _password_link_serializer().dumps({"u": user.id, "f": _fingerprint(user)})


class LinkProblem(StrEnum):
    INVALID = "invalid"  # tampered, or not ours
    EXPIRED = "expired"
    USED = "used"  # the password was set since, or the sessions ended (deactivation)


@dataclass(frozen=True)
class PasswordLink:
    user: User | None
    problem: LinkProblem | None


def read_password_link(token: str) -> PasswordLink:
    """The user a link is for, or why it no longer works."""
    serializer = _password_link_serializer()
    try:
        data = serializer.loads(token, max_age=int(_password_link_age().total_seconds()))
    except SignatureExpired:
        return PasswordLink(None, LinkProblem.EXPIRED)
    except BadSignature:
        return PasswordLink(None, LinkProblem.INVALID)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("f"), str):
        return PasswordLink(None, LinkProblem.INVALID)
    user = db.session.get(User, data["u"])
    if user is None:
        return PasswordLink(None, LinkProblem.INVALID)
    if data["f"] != _fingerprint(user):
        return PasswordLink(None, LinkProblem.USED)
    return PasswordLink(user, None)


def _password_link_links(row: Notification) -> dict[str, Any]:
    """Issued once, when the row is written: the mail carries the link of that moment."""
    user = db.session.get(User, row.recipient_user_id) if row.recipient_user_id else None
    if user is None:
        return {}
    return {
        "action_path": url_for("auth.set_password", token=password_link_token(user)),
        "link_expires_at": (utcnow() + _password_link_age()).isoformat(),
    }


PASSWORD_LINK = register("password_link", links=_password_link_links)


def send_password_link(user: User, *, actor: User | None, reason: str) -> None:
    """Queue a mail with a one-time link to set the password (three days by default).

    Following it sets the password, activates the account (one created inactive waits for
    it) and ends the user's other sessions. `reason` ("invite", "reset", "import"...) goes
    to the audit log. Each call mails a new link; the old ones keep working until one of
    them is used, since all are bound to the same password hash.
    """
    now = utcnow()
    enqueue(
        key=f"password_link:user:{user.id}:{now.isoformat()}",
        kind=PASSWORD_LINK,
        email=user.email,
        name=user.full_name,
        language=user.language,
        context={"username": user.username},
        user_id=user.id,
        object_type="user",
        object_id=user.id,
        deadline_at=now + _password_link_age(),
    )
    record(
        "user.send_password_link",
        actor=actor,
        object_type="user",
        object_id=user.id,
        after={"email": user.email, "reason": reason},
    )


def set_password_from_link(user: User, password: str) -> None:
    """The owner of the link sets the password: the account is active from now on."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_l("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    was_active = user.active
    user.password_hash = hash_password(password)
    user.session_version += 1  # every other session ends, and the link dies
    user.active = True
    record(
        "user.set_password_from_link",
        actor=user,
        object_type="user",
        object_id=user.id,
        before={"active": was_active},
        after={"active": True},
    )
