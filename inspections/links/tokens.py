"""The token in a link names one `ActionLink` row, signed with itsdangerous.

The timestamp is the row's creation time rather than the moment of signing, so the token
depends on the row alone: the same link, whenever it is signed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from inspections.links.models import ActionLink

# The salt of every link mailed so far: changing it would break them all.
SALT = "action.link"
# A backstop only: each row has its own, shorter, expiry.
MAX_AGE = 60 * 60 * 24 * 400


def _serializer(timestamp: int | None = None) -> URLSafeTimedSerializer:
    if timestamp is None:
        return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)

    class Pinned(TimestampSigner):
        def get_timestamp(self) -> int:
            return timestamp

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT, signer=Pinned)


def link_token(link: ActionLink) -> str:
    return _serializer(int(link.created_at.timestamp())).dumps({"l": link.id})


@dataclass(frozen=True)
class ReadToken:
    link_id: int | None  # None: tampered or not ours
    fresh: bool  # False: signed by us, but older than the backstop


def read_link_token(token: str) -> ReadToken:
    try:
        data, fresh = _serializer().loads(token, max_age=MAX_AGE), True
    except SignatureExpired:  # signed by us: which link, for a fresh one
        data, fresh = _serializer().loads(token), False
    except BadSignature:
        return ReadToken(None, False)
    if isinstance(data, dict) and isinstance(data.get("l"), int):
        return ReadToken(data["l"], fresh)
    return ReadToken(None, False)
