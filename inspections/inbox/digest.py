"""The daily digest: one mail per person who opted in, listing what waits on them, instead of
many reminders. Written by a beat task (`inbox.send_digests`) once a day per person (the key
holds the local day), only when something waits."""

from __future__ import annotations

from datetime import datetime, time

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from inspections import policy
from inspections.audit.services import record
from inspections.auth.models import User
from inspections.extensions import db
from inspections.i18n import local_day, local_moment, show_date
from inspections.inbox.models import DigestSubscription
from inspections.inbox.services import HEADINGS, inbox_of
from inspections.outbox.kinds import register
from inspections.outbox.render import url_context
from inspections.outbox.services import enqueue

INBOX_DIGEST = register("inbox_digest", optional=_l("Daily digest of what waits on you"))
# The digest of a day is written from this local time on (a missed hour is caught up later).
DIGEST_AT = time(7, 0)
ITEMS_LISTED = 20  # of each kind; the inbox page has them all


def subscribed(user: User) -> bool:
    return db.session.get(DigestSubscription, user.id) is not None


def set_digest(user: User, *, wanted: bool) -> bool:
    """Opt in or out of the daily digest; True if it changed."""
    if wanted and not policy.can_use_inbox(user):
        return False
    row = db.session.get(DigestSubscription, user.id)
    if wanted == (row is not None):
        return False
    if wanted:
        db.session.add(DigestSubscription(user_id=user.id))
    else:
        db.session.delete(row)
    db.session.flush()
    record(
        "inbox.digest_on" if wanted else "inbox.digest_off", actor=user, object_type="user", object_id=user.id
    )
    return True


def send_digests(now: datetime) -> int:
    """One digest per subscribed person and local day, from DIGEST_AT on; flushed, not committed."""
    day = local_day(now)
    if now < local_moment(day, DIGEST_AT):
        return 0
    users = db.session.scalars(
        sa.select(User)
        .join(DigestSubscription, DigestSubscription.user_id == User.id)
        .where(User.active.is_(True))
        .order_by(User.id)
    )
    written = 0
    root = current_app.config["APP_URL"].rstrip("/")
    for user in users:
        key = f"inbox_digest:user:{user.id}:{day.isoformat()}"
        if not policy.can_use_inbox(user):
            continue
        with url_context():
            inbox = inbox_of(user, now=now)
            if not inbox.count:
                continue
            sections = [
                {
                    "heading": str(HEADINGS[kind]),
                    "count": len(items),
                    "items": [
                        {"text": i.text, "day": show_date(i.day) if i.day else None, "url": root + i.url}
                        for i in items[:ITEMS_LISTED]
                    ],
                }
                for kind, items in inbox.items.items()
            ]
            inbox_url = root + url_for("inbox.index")
        row = enqueue(
            key=key,
            kind=INBOX_DIGEST,
            email=user.email,
            name=user.full_name,
            language=user.language,
            context={
                "digest_date": day.isoformat(),
                "count": inbox.count,
                "sections": sections,
                "inbox_url": inbox_url,
            },
            user_id=user.id,
            object_type="user",
            object_id=user.id,
        )
        written += row is not None
    db.session.flush()
    return written
