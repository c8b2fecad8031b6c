"""The token in a link names one `ActionLink` row, signed with itsdangerous.

The timestamp is the row's creation time rather than the moment of signing, so a mail
rendered again (a retry after a temporary SMTP failure) carries the very same link.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from inspections.links.models import ActionLink
from inspections.notifications.links import read_action_token

PURPOSE = "link"  # the salt is "action.link", as for every action token
# A backstop only: each row has its own, shorter, expiry.
MAX_AGE = 60 * 60 * 24 * 400


def _serializer(timestamp: int | None = None) -> URLSafeTimedSerializer:
    if timestamp is None:
        return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"action.{PURPOSE}")

    class Pinned(TimestampSigner):
        def get_timestamp(self) -> int:
            return timestamp

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"action.{PURPOSE}", signer=Pinned)


def link_token(link: ActionLink) -> str:
    return _serializer(int(link.created_at.timestamp())).dumps({"l": link.id})


@dataclass(frozen=True)
class ReadToken:
    link_id: int | None  # None: tampered or not ours
    fresh: bool  # False: signed by us, but older than the backstop


def read_link_token(token: str) -> ReadToken:
    data = read_action_token(PURPOSE, token, max_age=MAX_AGE)
    if isinstance(data, dict) and isinstance(data.get("l"), int):
        return ReadToken(data["l"], True)
    try:
        old = _serializer().loads(token)  # signature only: which link, for a fresh one
    except BadSignature:
        return ReadToken(None, False)
    if isinstance(old, dict) and isinstance(old.get("l"), int):
        return ReadToken(old["l"], False)
    return ReadToken(None, False)
