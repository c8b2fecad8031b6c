"""Single sign-on with OpenID Connect (Authlib), and the provider's bearer tokens on the API.

The provider is configured by OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET; its
endpoints and keys come from its discovery document. A login is linked to an account by
the provider's (issuer, subject) once known, else by a *verified* email address; roles are
taken from a claim (OIDC_ROLE_CLAIM, mapped by OIDC_ROLE_MAP) where that is configured,
and only then may a login with no account yet create one.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

import sqlalchemy as sa
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from inspections.audit.services import record
from inspections.auth.models import ExternalIdentity, Role, User
from inspections.auth.services import create_user
from inspections.db import utcnow
from inspections.errors import InvalidInput
from inspections.extensions import db

log = logging.getLogger(__name__)

CLIENT = "idp"
_JWKS_TTL = 3600.0


def configured(app: Flask | None = None) -> bool:
    config = (app or current_app).config
    return bool(
        config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID") and config.get("OIDC_CLIENT_SECRET")
    )


def init_app(app: Flask) -> None:
    """One Authlib client per app, registered when the provider is configured."""
    oauth = OAuth(app)
    if configured(app):
        issuer = app.config["OIDC_ISSUER"].rstrip("/")
        oauth.register(
            CLIENT,
            client_id=app.config["OIDC_CLIENT_ID"],
            client_secret=app.config["OIDC_CLIENT_SECRET"],
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": app.config["OIDC_SCOPES"]},
        )
    app.extensions["inspections_oidc"] = {"oauth": oauth, "jwks": None, "jwks_at": 0.0}


def client() -> Any:
    return current_app.extensions["inspections_oidc"]["oauth"].create_client(CLIENT)


def _role_map() -> dict[str, Role]:
    mapping: dict[str, Role] = {}
    for pair in current_app.config.get("OIDC_ROLE_MAP", "").split(","):
        value, _, role = pair.partition("=")
        if value.strip() and role.strip() in {r.value for r in Role}:
            mapping[value.strip()] = Role(role.strip())
    return mapping


_RANK = [Role.ADMIN, Role.COORDINATOR, Role.OBSERVER, Role.INSPECTOR]


def mapped_role(claims: dict[str, Any]) -> Role | None:
    """The highest role the claim maps to, if role mapping is configured."""
    claim = current_app.config.get("OIDC_ROLE_CLAIM")
    if not claim:
        return None
    values = claims.get(claim)
    if isinstance(values, str):
        values = values.split()
    if not isinstance(values, list):
        return None
    mapping = _role_map()
    roles = {mapping[v] for v in values if isinstance(v, str) and v in mapping}
    return next((r for r in _RANK if r in roles), None)


def _issuer() -> str:
    return current_app.config["OIDC_ISSUER"].rstrip("/")


def user_for_claims(claims: dict[str, Any], *, create: bool) -> User | None:
    """The account these claims (an ID token's, or an access token's) belong to.

    Known (issuer, subject) first; else the account with the same *verified* email, which
    is then linked. With `create` (a login) and a role mapped from the claims, an account
    is made for a new person; with no role mapped, nobody unknown gets in.
    """
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        return None
    issuer = _issuer()
    link = db.session.scalar(
        sa.select(ExternalIdentity).where(
            ExternalIdentity.issuer == issuer, ExternalIdentity.subject == subject
        )
    )
    if link is not None:
        return link.user if link.user.active else None
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") is not True:
        return None
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))
    if user is None:
        role = mapped_role(claims) if create else None
        if role is None:
            return None
        name = claims.get("name") if isinstance(claims.get("name"), str) else email
        user = create_user(
            username=email.split("@")[0][:60] + "." + subject[-6:],
            email=email,
            full_name=str(name)[:160],
            password=secrets.token_urlsafe(32),  # never used: the provider logs them in
            role=role,
            actor=None,
        )
    if not user.active:
        return None
    db.session.add(ExternalIdentity(user_id=user.id, issuer=issuer, subject=subject))
    db.session.flush()
    record("user.link_identity", actor=user, object_type="user", object_id=user.id,
           after={"issuer": issuer, "subject": subject})  # fmt: skip
    return user


def login_with(claims: dict[str, Any]) -> User:
    """The account of a completed sign-on; roles follow the claims where mapped."""
    user = user_for_claims(claims, create=True)
    if user is None:
        raise InvalidInput(
            _l("No account is linked to this sign-in. Ask an administrator to create one with your email.")
        )
    role = mapped_role(claims)
    if role is not None and role != user.role and user.role != Role.UNIT_CONTACT:
        record("user.set_role", actor=None, object_type="user", object_id=user.id,
               before={"role": user.role}, after={"role": role, "source": "identity provider"})  # fmt: skip
        user.role = role
    link = db.session.scalar(
        sa.select(ExternalIdentity).where(
            ExternalIdentity.issuer == _issuer(), ExternalIdentity.subject == claims["sub"]
        )
    )
    now = utcnow()
    if link is not None:
        link.last_login_at = now
    user.last_login_at = now
    record("user.login", actor=user, object_type="user", object_id=user.id, after={"via": "oidc"})
    return user


def _key_set(force: bool = False) -> KeySet | None:
    state = current_app.extensions["inspections_oidc"]
    if state["jwks"] is None or force or time.monotonic() - state["jwks_at"] > _JWKS_TTL:
        try:
            state["jwks"] = KeySet.import_key_set(client().fetch_jwk_set(force=True))
            state["jwks_at"] = time.monotonic()
        except Exception:  # the provider is down: no token of it can be checked
            log.warning("could not fetch the identity provider's JWKS", exc_info=True)
            return None
    return state["jwks"]


def verify_access_token(raw: str) -> tuple[User, bool] | None:
    """The user of a valid JWT access token of the provider, and whether it may write."""
    if not configured() or raw.count(".") != 2 or len(raw) > 8000:
        return None
    keys = _key_set()
    if keys is None:
        return None
    try:
        try:
            token = jwt.decode(raw, keys)
        except JoseError:  # perhaps the provider rotated its keys
            keys = _key_set(force=True)
            if keys is None:
                return None
            token = jwt.decode(raw, keys)
        audience = current_app.config.get("OIDC_API_AUDIENCE") or current_app.config["OIDC_CLIENT_ID"]
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": _issuer()},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            sub={"essential": True},
        ).validate(token.claims)
    except (JoseError, ValueError):
        return None
    user = user_for_claims(dict(token.claims), create=False)
    if user is None:
        return None
    scopes = str(token.claims.get("scope", "")).split()
    return user, current_app.config["OIDC_WRITE_SCOPE"] in scopes
