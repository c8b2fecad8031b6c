"""Per-user ICS feeds: a secret token in the URL (only its hash is stored), revocable."""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from icalendar import Calendar, Event

from inspections.audit.services import record
from inspections.auth.models import User
from inspections.db import utcnow
from inspections.extensions import db
from inspections.scheduling.models import CalendarFeed
from inspections.visits.models import Visit


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_feed(user: User) -> CalendarFeed | None:
    return db.session.scalar(
        sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
    )


def revoke_feed(user: User) -> bool:
    feed = active_feed(user)
    if feed is None:
        return False
    feed.revoked_at = utcnow()
    db.session.flush()
    record("calendar_feed.revoke", actor=user, object_type="calendar_feed", object_id=feed.id)
    return True


def new_feed(user: User) -> str:
    """A fresh feed address for the user (the old one stops working). Returns the token."""
    revoke_feed(user)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=user.id, token_hash=_hash(token))
    db.session.add(feed)
    db.session.flush()
    record("calendar_feed.create", actor=user, object_type="calendar_feed", object_id=feed.id)
    return token


def feed_owner(token: str) -> User | None:
    feed = db.session.scalar(
        sa.select(CalendarFeed).where(
            CalendarFeed.token_hash == _hash(token), CalendarFeed.revoked_at.is_(None)
        )
    )
    if feed is None:
        return None
    user = db.session.get(User, feed.user_id)
    return user if user is not None and user.active else None


def ics(visits: list[Visit], *, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//CCHC inspections//schedule//VI")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for visit in visits:
        inspection = visit.inspection
        event = Event()
        event.add("uid", f"visit-{visit.id}@inspections.example")
        event.add("dtstamp", utcnow())
        event.add("dtstart", visit.starts_at)
        event.add("dtend", visit.ends_at)
        event.add("summary", f"{inspection.team.name} — {inspection.unit.name}")
        event.add("sequence", visit.version)
        cal.add_component(event)
    return cal.to_ical()
