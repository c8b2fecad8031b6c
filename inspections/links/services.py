"""Issuing and checking signed links, and what a unit does through them.

Services flush, never commit; every change and every use of a link is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import IO

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from inspections.audit.services import record, snapshot
from inspections.auth.models import Role, User
from inspections.db import utcnow
from inspections.documents.models import Document, DocumentKind
from inspections.errors import Conflict, DomainError, InvalidInput
from inspections.extensions import db
from inspections.files import check_upload, store
from inspections.findings.models import Finding
from inspections.links.models import (
    ONE_TIME,
    Acknowledgement,
    ActionLink,
    ExtensionRequest,
    ExtensionStatus,
    LinkPurpose,
    UnitUpload,
    UploadKind,
)
from inspections.links.tokens import link_token, read_link_token
from inspections.notifications.services import enqueue
from inspections.remediation import services as remediation
from inspections.remediation.models import ActionStatus, CorrectiveAction
from inspections.units.models import UnitContact
from inspections.visits.models import InspectionKind, Visit, VisitStatus

READ_DAYS = 180  # a conclusion and its actions stay reachable this long
AFTER_DUE_DAYS = 90
FRESH_LINK = "fresh_link"
EXTENSION_DECIDED = "extension_decided"
UPLOAD_FOLDER = "unit_uploads"

ENDPOINTS = {
    LinkPurpose.ACKNOWLEDGE: "links.acknowledge",
    LinkPurpose.SELF_ASSESSMENT: "links.self_assessment",
    LinkPurpose.CONCLUSION: "links.conclusion",
    LinkPurpose.REMEDIATION: "links.remediation",
}


class LinkRefused(DomainError):
    """The link cannot be used; `reason` picks the sentence, never the object."""

    def __init__(self, reason: str, link: ActionLink | None = None) -> None:
        super().__init__(_l("This link cannot be used."))
        self.reason = reason
        self.link = link


# --- what a link points at --------------------------------------------------------------


def _visit_unit(visit: Visit) -> int | None:
    """Visit links exist only for confirmed announced visits (surprise secrecy)."""
    inspection = visit.inspection
    if inspection.kind != InspectionKind.JOINT or not visit.confirmed:
        return None
    return inspection.unit_id


def _document_unit(document: Document) -> int | None:
    from inspections.cases.models import Case

    if document.kind != DocumentKind.CONCLUSION or not document.issued:
        return None
    if document.visit_id is not None:
        visit = db.session.get(Visit, document.visit_id)
        return visit.inspection.unit_id if visit else None
    case = db.session.get(Case, document.case_id)
    return case.unit_id if case else None


def target_of(link: ActionLink) -> Visit | Document | CorrectiveAction | None:
    model = {"visit": Visit, "document": Document, "corrective_action": CorrectiveAction}[link.object_type]
    return db.session.get(model, link.object_id)


def unit_of(obj: Visit | Document | CorrectiveAction) -> int | None:
    """The unit the object belongs to now, or None if the unit may not act on it."""
    if isinstance(obj, Visit):
        return _visit_unit(obj)
    if isinstance(obj, Document):
        return _document_unit(obj)
    return obj.unit_id if document_of_action(obj) is not None else None


def document_of_action(action: CorrectiveAction) -> Document | None:
    """The issued conclusion that set the action; before it is issued the unit knows nothing."""
    finding = db.session.get(Finding, action.finding_id)
    where = Document.visit_id == finding.visit_id if finding.visit_id else Document.case_id == finding.case_id
    document = db.session.scalar(sa.select(Document).where(where, Document.kind == DocumentKind.CONCLUSION))
    return document if document is not None and document.issued else None


def actions_of(document: Document) -> list[CorrectiveAction]:
    """In id order, as the conclusion lists them."""
    where = (
        Finding.visit_id == document.visit_id if document.visit_id else Finding.case_id == document.case_id
    )
    return list(
        db.session.scalars(
            sa.select(CorrectiveAction)
            .join(Finding, Finding.id == CorrectiveAction.finding_id)
            .where(where)
            .order_by(CorrectiveAction.id)
        )
    )


def expiry_for(
    purpose: LinkPurpose, obj: Visit | Document | CorrectiveAction, now: datetime
) -> datetime | None:
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
    obj: Visit | Document | CorrectiveAction,
    *,
    email: str,
    contact_id: int | None,
    notification_id: int | None = None,
    now: datetime | None = None,
) -> ActionLink | None:
    """A link for `email` to act on `obj`; the same one again for the same mail."""
    now = now or utcnow()
    object_type = {Visit: "visit", Document: "document", CorrectiveAction: "corrective_action"}[type(obj)]
    if notification_id is not None:
        existing = db.session.scalar(
            sa.select(ActionLink).where(
                ActionLink.notification_id == notification_id,
                ActionLink.purpose == purpose,
                ActionLink.object_id == obj.id,
            )
        )
        if existing is not None:
            return existing
    unit_id = unit_of(obj)
    expires_at = expiry_for(purpose, obj, now)
    if unit_id is None or expires_at is None:
        return None
    link = ActionLink(
        purpose=purpose,
        unit_id=unit_id,
        object_type=object_type,
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


def link_path(link: ActionLink) -> str:
    return url_for(ENDPOINTS[link.purpose], token=link_token(link))


def link_url(link: ActionLink) -> str:
    return current_app.config["APP_URL"].rstrip("/") + link_path(link)


# --- checking ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    link: ActionLink
    target: Visit | Document | CorrectiveAction


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


def request_fresh(token: str, email: str, *, now: datetime | None = None) -> bool:
    """Mail a new link for the same purpose and object, if `email` is an active contact of
    the link's unit. The caller answers the same whatever this returns."""
    now = now or utcnow()
    read = read_link_token(token)
    old = db.session.get(ActionLink, read.link_id) if read.link_id is not None else None
    if old is None:
        return False
    contact = db.session.scalar(
        sa.select(UnitContact).where(
            UnitContact.unit_id == old.unit_id,
            UnitContact.active.is_(True),
            sa.func.lower(UnitContact.email) == email.strip().lower(),
        )
    )
    target = target_of(old)
    if contact is None or target is None:
        return False
    # At most one fresh link per old link, contact and hour: the form is not a mail cannon.
    key = f"link:{old.id}:fresh:contact:{contact.id}:{now:%Y-%m-%dT%H}"
    from inspections.notifications.models import Notification

    if db.session.scalar(sa.select(Notification.id).where(Notification.idempotency_key == key)):
        return False
    link = issue(old.purpose, target, email=contact.email, contact_id=contact.id, now=now)
    if link is None:
        return False
    enqueue(
        key=key,
        kind=FRESH_LINK,
        email=contact.email,
        name=contact.name,
        language=contact.language,
        user_id=contact.user_id,
        contact_id=contact.id,
        object_type="action_link",
        object_id=link.id,
        context={
            "action_path": link_path(link),
            "purpose": str(link.purpose),
            "link_expires_at": link.expires_at.isoformat(),
        },
    )
    audit_use(old, "fresh", new_link_id=link.id)
    return True


# --- what the unit does ---------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Who acts for the unit: the contact a link was sent to, or a logged-in unit contact."""

    contact_id: int | None = None
    user: User | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None


def acknowledge(visit: Visit, *, by: Actor, link: ActionLink | None = None) -> Acknowledgement:
    unit_id = _visit_unit(visit)
    if unit_id is None:
        raise InvalidInput(_l("This notice can no longer be acknowledged."))
    ack = Acknowledgement(visit_id=visit.id, unit_id=unit_id, contact_id=by.contact_id, user_id=by.user_id)
    db.session.add(ack)
    if link is not None:
        link.used_at = utcnow()
        audit_use(link, "acknowledge")
    db.session.flush()
    record(
        "visit.acknowledge",
        actor=by.user,
        object_type="visit",
        object_id=visit.id,
        after={"contact_id": by.contact_id, "link_id": link.id if link else None},
    )
    return ack


def acknowledged(visit_id: int) -> Acknowledgement | None:
    return db.session.scalar(
        sa.select(Acknowledgement)
        .where(Acknowledgement.visit_id == visit_id)
        .order_by(Acknowledgement.id)
        .limit(1)
    )


def _upload(
    kind: UploadKind, *, unit_id: int, stream: IO[bytes], filename: str | None, by: Actor, **on: int
) -> UnitUpload:
    checked = check_upload(stream, filename)  # the same content checks as evidence
    store(checked.data, checked.sha256, folder=UPLOAD_FOLDER)
    upload = UnitUpload(
        kind=kind,
        unit_id=unit_id,
        filename=checked.filename,
        content_type=checked.content_type,
        size_bytes=len(checked.data),
        sha256=checked.sha256,
        contact_id=by.contact_id,
        user_id=by.user_id,
        **on,
    )
    db.session.add(upload)
    db.session.flush()
    record(
        "unit_upload.create",
        actor=by.user,
        object_type="unit_upload",
        object_id=upload.id,
        after=snapshot(
            upload, "kind", "unit_id", "visit_id", "action_id", "filename", "sha256", "contact_id"
        ),
    )
    return upload


def upload_self_assessment(
    visit: Visit, *, stream: IO[bytes], filename: str | None, by: Actor, now: datetime | None = None
) -> UnitUpload:
    unit_id = _visit_unit(visit)
    if unit_id is None or visit.starts_at <= (now or utcnow()):
        raise Conflict(_l("The self-assessment report is sent before the visit; the visit has started."))
    return _upload(
        UploadKind.SELF_ASSESSMENT,
        unit_id=unit_id,
        stream=stream,
        filename=filename,
        by=by,
        visit_id=visit.id,
    )


def uploads(*, visit_id: int | None = None, action_id: int | None = None) -> list[UnitUpload]:
    where = UnitUpload.visit_id == visit_id if visit_id is not None else UnitUpload.action_id == action_id
    return list(db.session.scalars(sa.select(UnitUpload).where(where).order_by(UnitUpload.id)))


def report_remediation(
    action: CorrectiveAction,
    *,
    text: str,
    files: list[tuple[IO[bytes], str | None]],
    by: Actor,
) -> CorrectiveAction:
    """The report and its files, all or nothing: a refused file refuses the report."""
    remediation.report(action, text=text, actor=by.user)
    for stream, filename in files:
        _upload(
            UploadKind.REMEDIATION,
            unit_id=action.unit_id,
            stream=stream,
            filename=filename,
            by=by,
            action_id=action.id,
        )
    return action


def pending_extension(action_id: int) -> ExtensionRequest | None:
    return db.session.scalar(
        sa.select(ExtensionRequest).where(
            ExtensionRequest.action_id == action_id, ExtensionRequest.status == ExtensionStatus.PENDING
        )
    )


def request_extension(action: CorrectiveAction, *, until: date, reason: str, by: Actor) -> ExtensionRequest:
    if action.status not in (ActionStatus.OPEN, ActionStatus.RETURNED):
        raise Conflict(_l("More time can be asked only for an action not yet reported on."))
    if pending_extension(action.id) is not None:
        raise Conflict(_l("A request for more time on this action is already waiting for a decision."))
    if until <= action.due_on:
        raise InvalidInput(_l("Ask for a date after the current due date."))
    if until > action.due_on + timedelta(days=365):
        raise InvalidInput(_l("Ask for at most one year more."))
    if not reason.strip():
        raise InvalidInput(_l("Give the reason for asking for more time."))
    req = ExtensionRequest(
        action_id=action.id,
        unit_id=action.unit_id,
        old_due_on=action.due_on,
        requested_on=until,
        reason=reason.strip(),
        contact_id=by.contact_id,
        user_id=by.user_id,
    )
    db.session.add(req)
    db.session.flush()
    record(
        "extension.request",
        actor=by.user,
        object_type="extension_request",
        object_id=req.id,
        after=snapshot(req, "action_id", "old_due_on", "requested_on", "reason", "contact_id"),
    )
    return req


def decide_extension(
    req: ExtensionRequest, *, grant: bool, actor: User, granted_on: date | None = None, note: str = ""
) -> ExtensionRequest:
    """Granting moves the action's due date; the reminders follow it (their keys and the
    dispatcher's send-time check both hold the due date). The decision is mailed to the unit."""
    if req.status != ExtensionStatus.PENDING:
        raise Conflict(_l("This request has already been decided."))
    action = db.session.get(CorrectiveAction, req.action_id)
    before = snapshot(req, "status", "granted_on", "decision_note")
    if grant:
        new_due = granted_on or req.requested_on
        if new_due <= action.due_on:
            raise InvalidInput(_l("The new due date must be after the current one."))
        action_before = snapshot(action, "due_on")
        action.due_on = new_due
        req.granted_on = new_due
        db.session.flush()
        record(
            "action.extend",
            actor=actor,
            object_type="corrective_action",
            object_id=action.id,
            before=action_before,
            after=snapshot(action, "due_on") | {"extension_request_id": req.id},
        )
    elif not note.strip():
        raise InvalidInput(_l("Give the reason for refusing more time."))
    req.status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
    req.decision_note = note.strip() or None
    req.decided_by_id = actor.id
    req.decided_at = utcnow()
    db.session.flush()
    record(
        "extension.decide",
        actor=actor,
        object_type="extension_request",
        object_id=req.id,
        before=before,
        after=snapshot(req, "status", "granted_on", "decision_note"),
    )
    _mail_decision(req, action)
    return req


def _mail_decision(req: ExtensionRequest, action: CorrectiveAction) -> None:
    contacts = db.session.scalars(
        sa.select(UnitContact).where(UnitContact.unit_id == req.unit_id, UnitContact.active.is_(True))
    )
    for contact in contacts:
        link = issue(LinkPurpose.REMEDIATION, action, email=contact.email, contact_id=contact.id)
        enqueue(
            key=f"extension:{req.id}:decided:contact:{contact.id}",
            kind=EXTENSION_DECIDED,
            email=contact.email,
            name=contact.name,
            language=contact.language,
            user_id=contact.user_id,
            contact_id=contact.id,
            object_type="extension_request",
            object_id=req.id,
            context={
                "granted": req.status == ExtensionStatus.GRANTED,
                "description": action.description,
                "old_due_on": req.old_due_on.isoformat(),
                "requested_on": req.requested_on.isoformat(),
                "due_on": action.due_on.isoformat(),
                "decision_note": req.decision_note or "",
                "action_path": link_path(link) if link else "",
            },
        )


def visit_is_upcoming(visit: Visit, now: datetime | None = None) -> bool:
    return visit.status == VisitStatus.APPROVED and visit.starts_at > (now or utcnow())
