"""Signed links in mail: one-click unsubscribe and the preferences page, no login needed."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

# The salts keep the names they were given when mailed links were first signed: a token in
# a mail already sent must still verify.
_UNSUBSCRIBE = "notifications.unsubscribe"
_PREFERENCES = "notifications.preferences"


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def unsubscribe_token(email: str, kind: str) -> str:
    # No expiry: RFC 8058 expects the link in an old mail to keep working.
    return _serializer(_UNSUBSCRIBE).dumps({"e": email.lower(), "k": kind})


def read_unsubscribe_token(token: str) -> tuple[str, str] | None:
    try:
        data = _serializer(_UNSUBSCRIBE).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("e"), str) or not isinstance(data.get("k"), str):
        return None
    return data["e"], data["k"]


def preferences_token(email: str) -> str:
    return _serializer(_PREFERENCES).dumps({"e": email.lower()})


def read_preferences_token(token: str) -> str | None:
    try:
        data = _serializer(_PREFERENCES).loads(token)
    except BadSignature:
        return None
    return data["e"] if isinstance(data, dict) and isinstance(data.get("e"), str) else None
