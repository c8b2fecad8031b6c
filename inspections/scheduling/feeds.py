"""Per-user ICS feeds: a secret token in the URL (only its hash is stored), revocable.

A feed is an RFC 5545 calendar published to its owner (METHOD:PUBLISH). Each visit is an
event whose UID is stable (the visit's id at this deployment's domain), whose DTSTAMP and
LAST-MODIFIED are the visit's last change (two fetches give the same bytes), whose
SEQUENCE rises only when its time moves, and whose STATUS says whether it is fixed
(CONFIRMED), only proposed (TENTATIVE) or called off (CANCELLED: it stays in the feed so
that calendars drop it). What is in it is what policy lets the owner know of.
"""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy.orm import selectinload

from inspections import policy
from inspections.audit.services import record
from inspections.auth.models import Role, User
from inspections.db import utcnow
from inspections.documents.models import Document, DocumentKind
from inspections.extensions import db
from inspections.outbox.render import mail_domain
from inspections.scheduling.models import CalendarFeed
from inspections.teams.models import Membership, Team
from inspections.units.models import Unit
from inspections.visits.models import Inspection, InspectionKind, InspectionStatus, Visit, VisitStatus


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


def feed_visits(owner: User) -> list[Visit]:
    """The owner's calendar (`policy.calendar_visits`) and, kept as cancelled events, the
    cancelled visits the owner could know of (`policy.told_cancelled_visits`: for a unit
    contact only an announced visit called off once approved, never a surprise visit)."""
    live = policy.calendar_visits(owner).with_only_columns(Visit.id)
    query = (
        sa.select(Visit)
        .where(sa.or_(Visit.id.in_(live), policy.told_cancelled_visits(owner)))
        .options(
            selectinload(Visit.inspection).selectinload(Inspection.unit).selectinload(Unit.parent),
            selectinload(Visit.inspection).selectinload(Inspection.plan),
            selectinload(Visit.inspection)
            .selectinload(Inspection.team)
            .selectinload(Team.memberships)
            .selectinload(Membership.user),
        )
        .order_by(Visit.starts_at, Visit.id)
    )
    return list(db.session.scalars(query))


def _status(visit: Visit) -> str:
    if visit.status == VisitStatus.CANCELLED or visit.inspection.status == InspectionStatus.CANCELLED:
        return "CANCELLED"
    return "CONFIRMED" if visit.confirmed else "TENTATIVE"


def _location(visit: Visit, venues: dict[int, str]) -> str:
    """Where the minutes say the visit took place; else the unit at its address (or with the
    unit above it, when it has none)."""
    if visit.id in venues:
        return venues[visit.id]
    unit = visit.inspection.unit
    if unit.address:
        return f"{unit.name}, {unit.address}"
    return f"{unit.name}, {unit.parent.name}" if unit.parent else unit.name


def _description(visit: Visit, owner: User) -> str:
    inspection = visit.inspection
    team = inspection.team
    head = team.head.user if team.head else None
    lines = [team.name]  # the team's name says it is an inspection team ("Đoàn kiểm tra ...")
    if head is not None:
        lines.append(_("Head of the team: %(name)s.", name=head.full_name))
    lines.append(_("Plan: %(plan)s", plan=inspection.plan.title))
    if inspection.kind == InspectionKind.JOINT:
        lines.append(
            _(
                "Please prepare the unit's self-assessment report on administrative reform "
                "and send it before the visit."
            )
        )
    elif owner.role != Role.UNIT_CONTACT:
        lines.append(_("Surprise inspection: nothing about it goes to the unit before it starts."))
    return "\n".join(lines)


def _page(visit: Visit, owner: User) -> str:
    """The page that fits the owner: the unit's own page for a unit contact, else the
    visit's page."""
    root = current_app.config["APP_URL"].rstrip("/")
    if owner.role == Role.UNIT_CONTACT:
        return root + url_for("portal.dashboard")
    return root + url_for("findings.visit", visit_id=visit.id)


def ics(visits: list[Visit], *, name: str, owner: User) -> bytes:
    """The owner's feed, in the owner's language; the same rows give the same bytes."""
    venues = (
        dict(
            db.session.execute(
                sa.select(Document.visit_id, Document.venue).where(
                    Document.visit_id.in_([v.id for v in visits]),
                    Document.kind == DocumentKind.MINUTES,
                    Document.venue.is_not(None),
                    Document.venue != "",
                )
            ).all()
        )
        if visits
        else {}
    )
    domain = mail_domain()
    cal = Calendar()
    cal.add("prodid", "-//CCHC inspections//schedule//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    with force_locale(str(owner.language)):
        for visit in visits:
            inspection = visit.inspection
            changed = visit.updated_at or visit.created_at
            event = Event()
            event.add("uid", f"visit-{visit.id}@{domain}")
            event.add("dtstamp", changed)
            event.add("created", visit.created_at)
            event.add("last-modified", changed)
            event.add("dtstart", visit.starts_at)
            event.add("dtend", visit.ends_at)
            event.add("summary", f"{inspection.team.name} — {inspection.unit.name}")
            event.add("location", _location(visit, venues))
            event.add("description", _description(visit, owner))
            event.add("url", _page(visit, owner))
            event.add("status", _status(visit))
            event.add("transp", "OPAQUE")
            event.add("sequence", visit.sequence or 0)
            cal.add_component(event)
    return cal.to_ical()
