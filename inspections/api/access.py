"""Who is calling: the bearer token of the request, resolved once per request.

A personal access token (`ikt_…`, inspections.auth.tokens) or, when single sign-on is
configured, an access token (a JWT) of the identity provider, checked against its JWKS.
The session cookie is never read: `g.api_user` is the only identity of an API view, and
every view passes it to `policy` and to the services explicitly.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import g, request
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address

from inspections.api.problems import ApiProblem
from inspections.auth import oidc, tokens
from inspections.auth.models import ApiToken, TokenScope, User
from inspections.extensions import db


@dataclass
class Caller:
    user: User
    scope: TokenScope
    token: ApiToken | None = None  # None: an identity provider's token


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def limit_key() -> str:
    """Throttling per token (hashed), else per client address."""
    raw = _bearer()
    if raw:
        return "api:" + hashlib.sha256(raw.encode()).hexdigest()[:32]
    return "api-address:" + get_remote_address()


def authenticate() -> Caller | None:
    raw = _bearer()
    if raw is None:
        return None
    if raw.startswith(tokens.PREFIX):
        token = tokens.resolve(raw)
        return Caller(token.user, token.scope, token) if token is not None else None
    found = oidc.verify_access_token(raw)
    if found is None:
        return None
    user, can_write = found
    return Caller(user, TokenScope.WRITE if can_write else TokenScope.READ)


def caller() -> Caller:
    """The authenticated caller, or a 401 problem."""
    found: Caller | None = g.get("api_caller")
    if found is None:
        raise ApiProblem(401)
    return found


def current() -> User:
    return caller().user


def require_write() -> User:
    """A write: the token must have the write scope; its use is audited with the change."""
    found = caller()
    if found.scope != TokenScope.WRITE:
        raise ApiProblem(403, _l("This token may only read: make one with the write scope."))
    if found.token is not None:
        tokens.note_use(found.token, write=True, method=request.method, path=request.path)
    return found.user


def note_read() -> None:
    """After authenticating a read: mark the token used (audited at most once an hour), and
    commit that (and a provider account linked on first use) before the answer is made."""
    found: Caller | None = g.get("api_caller")
    if found is None or request.method not in ("GET", "HEAD"):
        return
    if found.token is not None:
        tokens.note_use(found.token, write=False, method=request.method, path=request.path)
    db.session.commit()
