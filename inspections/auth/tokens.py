"""Personal access tokens for the JSON API: issued, resolved, used, revoked.

A token is `ikt_` + 43 characters of base64url (32 random bytes). Only its SHA-256 is
kept, with its first characters in clear to tell it apart; it is shown once, when made.

Auditing: making and revoking a token are audit events; so is its use, at most once an
hour per token for reads (the hash chain is not a request log) and on every write (the
change itself is audited by its service, with the user as actor; the `api_token.use`
event next to it says which token made it).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from inspections.audit.services import record
from inspections.auth.models import ApiToken, TokenScope, User
from inspections.db import utcnow
from inspections.errors import Conflict, InvalidInput, NotFound
from inspections.extensions import db
from inspections.forms import has_control_characters

PREFIX = "ikt_"
AUDIT_READS_EVERY = timedelta(hours=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(
    user: User, *, name: str, scope: TokenScope | str, days: int, actor: User
) -> tuple[ApiToken, str]:
    """A new token of `user` and its clear text (to be shown once, never kept)."""
    name = name.strip()
    if not name or len(name) > 80 or has_control_characters(name):
        raise InvalidInput(_l("Give the token a name of at most 80 characters on one line."))
    max_days = current_app.config["API_TOKEN_MAX_DAYS"]
    if not 1 <= days <= max_days:
        raise InvalidInput(_l("A token lasts from 1 to %(n)d days.", n=max_days))
    if not user.active:
        raise Conflict(_l("This account is not active."))
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=raw[: len(PREFIX) + 6],
        token_hash=_digest(raw),
        scope=TokenScope(scope),
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    record(
        "api_token.create",
        actor=actor,
        object_type="api_token",
        object_id=token.id,
        after={"user_id": user.id, "name": name, "scope": token.scope, "expires_at": token.expires_at},
    )
    return token, raw


def revoke_token(token: ApiToken, *, actor: User) -> None:
    if token.revoked_at is not None:
        raise Conflict(_l("This token has already been revoked."))
    token.revoked_at = utcnow()
    record("api_token.revoke", actor=actor, object_type="api_token", object_id=token.id)


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def token_of(user: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_l("No such token."))
    return token


def resolve(raw: str, *, now: datetime | None = None) -> ApiToken | None:
    """The usable token with this clear text, with an active user; else None."""
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    now = now or utcnow()
    digest = _digest(raw)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    if not token.usable(now) or not token.user.active:
        return None
    return token


def note_use(token: ApiToken, *, write: bool, method: str, path: str, now: datetime | None = None) -> bool:
    """Mark the token used; audit the use if it writes or none was audited this hour.

    Returns whether an audit event was written (the caller commits it: for a read, in a
    transaction of its own before the answer; for a write, with the change).
    """
    now = now or utcnow()
    if not write and token.last_used_at is not None and now - token.last_used_at < timedelta(minutes=1):
        return False  # a burst of reads writes nothing more
    token.last_used_at = now
    if not write and token.last_audited_at is not None and now - token.last_audited_at < AUDIT_READS_EVERY:
        return False
    token.last_audited_at = now
    record(
        "api_token.use",
        actor=token.user,
        object_type="api_token",
        object_id=token.id,
        after={"method": method, "path": path[:200], "write": write},
    )
    return True
