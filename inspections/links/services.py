"""Signed links: issuing them, checking them, revoking them, auditing every use.

A link names one `ActionLink` row; the row decides whether it may be used now. What a
unit does through a link (acknowledge, upload, report) is the portal's; which page opens
a purpose is said by that page (`register_page`). Services flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from inspections.audit.services import record, snapshot
from inspections.auth.models import Role, User
from inspections.cases.models import Case
from inspections.db import utcnow
from inspections.documents.models import Document, DocumentKind
from inspections.errors import Conflict, DomainError
from inspections.extensions import db
from inspections.findings.models import Finding
from inspections.links.models import ONE_TIME, ActionLink, LinkPurpose
from inspections.links.tokens import link_token, read_link_token
from inspections.remediation.models import CorrectiveAction
from inspections.units.models import UnitContact
from inspections.visits.models import InspectionKind, Visit

READ_DAYS = 180  # a conclusion and its actions stay reachable this long
AFTER_DUE_DAYS = 90

Target = Visit | Document | CorrectiveAction
_OBJECT_TYPES: dict[type, str] = {Visit: "visit", Document: "document", CorrectiveAction: "corrective_action"}
_MODELS = {name: model for model, name in _OBJECT_TYPES.items()}
_PAGES: dict[LinkPurpose, str] = {}


class LinkRefused(DomainError):
    """The link cannot be used; `reason` picks the sentence, never the object."""

    def __init__(self, reason: str, link: ActionLink | None = None) -> None:
        super().__init__(_l("This link cannot be used."))
        self.reason = reason
        self.link = link


@dataclass(frozen=True)
class Actor:
    """Who acts for the unit: the contact a link was sent to, or a logged-in unit contact."""

    contact_id: int | None = None
    user: User | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None


# --- what a link points at --------------------------------------------------------------


def visit_unit(visit: Visit) -> int | None:
    """Visit links exist only for confirmed announced visits (surprise secrecy)."""
    inspection = visit.inspection
    if inspection.kind != InspectionKind.JOINT or not visit.confirmed:
        return None
    return inspection.unit_id


def _document_unit(document: Document) -> int | None:
    if document.kind != DocumentKind.CONCLUSION or not document.issued:
        return None
    if document.visit_id is not None:
        visit = db.session.get(Visit, document.visit_id)
        return visit.inspection.unit_id if visit else None
    case = db.session.get(Case, document.case_id)
    return case.unit_id if case else None


def target_of(link: ActionLink) -> Target | None:
    return db.session.get(_MODELS[link.object_type], link.object_id)


def unit_of(obj: Target) -> int | None:
    """The unit the object belongs to now, or None if the unit may not act on it."""
    if isinstance(obj, Visit):
        return visit_unit(obj)
    if isinstance(obj, Document):
        return _document_unit(obj)
    return obj.unit_id if document_of_action(obj) is not None else None


def document_of_action(action: CorrectiveAction) -> Document | None:
    """The issued conclusion that set the action; before it is issued the unit knows nothing."""
    finding = db.session.get(Finding, action.finding_id)
    where = Document.visit_id == finding.visit_id if finding.visit_id else Document.case_id == finding.case_id
    document = db.session.scalar(sa.select(Document).where(where, Document.kind == DocumentKind.CONCLUSION))
    return document if document is not None and document.issued else None


def expiry_for(purpose: LinkPurpose, obj: Target, now: datetime) -> datetime | None:
    """When a new link would expire; None when no link makes sense any more."""
    if isinstance(obj, Visit):
        # Acknowledging and the self-assessment are for before the visit.
        return obj.starts_at if obj.starts_at > now else None
    if isinstance(obj, CorrectiveAction):
        after_due = datetime.combine(obj.due_on, datetime.min.time(), tzinfo=now.tzinfo)
        return max(now + timedelta(days=READ_DAYS), after_due + timedelta(days=AFTER_DUE_DAYS))
    return now + timedelta(days=READ_DAYS)


# --- issuing ----------------------------------------------------------------------------


def issue(
    purpose: LinkPurpose,
    obj: Target,
    *,
    email: str,
    contact_id: int | None,
    notification_id: int | None = None,
    now: datetime | None = None,
) -> ActionLink | None:
    """A link for `email` to act on `obj`, or None when the unit may not (any more)."""
    now = now or utcnow()
    unit_id = unit_of(obj)
    expires_at = expiry_for(purpose, obj, now)
    if unit_id is None or expires_at is None:
        return None
    link = ActionLink(
        purpose=purpose,
        unit_id=unit_id,
        object_type=_OBJECT_TYPES[type(obj)],
        object_id=obj.id,
        contact_id=contact_id,
        email=email.lower(),
        notification_id=notification_id,
        created_at=now.replace(microsecond=0),  # the token's timestamp has whole seconds
        expires_at=expires_at,
    )
    db.session.add(link)
    db.session.flush()
    record(
        "link.issue",
        actor=None,
        object_type="action_link",
        object_id=link.id,
        after=snapshot(link, "purpose", "unit_id", "object_type", "object_id", "contact_id", "expires_at"),
    )
    return link


def register_page(purpose: LinkPurpose, endpoint: str) -> None:
    """The view that opens links of `purpose`: its URL is what the mails carry."""
    _PAGES[purpose] = endpoint


def link_path(link: ActionLink) -> str:
    return url_for(_PAGES[link.purpose], token=link_token(link))


def link_url(link: ActionLink) -> str:
    return current_app.config["APP_URL"].rstrip("/") + link_path(link)


# --- checking ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    link: ActionLink
    target: Target


def resolve(
    token: str, purpose: LinkPurpose, *, viewer: object = None, now: datetime | None = None
) -> Resolved:
    """The link behind `token` if it may be used for `purpose` now; else LinkRefused."""
    now = now or utcnow()
    read = read_link_token(token)
    link = db.session.get(ActionLink, read.link_id) if read.link_id is not None else None
    if link is None or link.purpose != purpose:
        raise LinkRefused("invalid")
    if link.revoked_at is not None:
        raise LinkRefused("revoked", link)
    if not read.fresh or link.expires_at <= now:
        raise LinkRefused("expired", link)
    if link.purpose in ONE_TIME and link.used_at is not None:
        raise LinkRefused("used", link)
    target = target_of(link)
    if target is None or unit_of(target) != link.unit_id or not _still_contact(link):
        raise LinkRefused("other_unit", link)
    if isinstance(viewer, User) and viewer.is_authenticated and viewer.role == Role.UNIT_CONTACT:
        if viewer.home_unit_id != link.unit_id:
            raise LinkRefused("other_unit", link)
    return Resolved(link, target)


def _still_contact(link: ActionLink) -> bool:
    if link.contact_id is None:
        return True
    contact = db.session.get(UnitContact, link.contact_id)
    return contact is not None and contact.active and contact.unit_id == link.unit_id


def audit_use(link: ActionLink, what: str, **extra: object) -> None:
    record(
        f"link.{what}",
        actor=None,
        object_type="action_link",
        object_id=link.id,
        after={"purpose": link.purpose, "object_type": link.object_type, "object_id": link.object_id} | extra,
    )


def audit_refusal(reason: str, link: ActionLink | None) -> None:
    record(
        "link.refused",
        actor=None,
        object_type="action_link",
        object_id=link.id if link else None,
        after={"reason": reason},
    )


def revoke(link: ActionLink, *, actor: User) -> None:
    if link.revoked_at is not None:
        raise Conflict(_l("This link was already revoked."))
    link.revoked_at = utcnow()
    link.revoked_by_id = actor.id
    db.session.flush()
    record("link.revoke", actor=actor, object_type="action_link", object_id=link.id)
