"""What a unit does, from a signed link or from its dashboard: acknowledge a schedule
notice, send its self-assessment report, report on a corrective action, ask for a fresh
link. Services flush, never commit; every change is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import IO

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from inspections.audit.services import record, snapshot
from inspections.db import utcnow
from inspections.errors import Conflict, InvalidInput
from inspections.extensions import db
from inspections.files import check_upload, store
from inspections.links.models import ActionLink
from inspections.links.services import (
    Actor,
    audit_refusal,
    audit_use,
    issue,
    link_path,
    target_of,
    visit_unit,
)
from inspections.links.tokens import read_link_token
from inspections.outbox.models import Notification
from inspections.outbox.services import enqueue
from inspections.portal.mail import FRESH_LINK
from inspections.portal.models import Acknowledgement, UnitUpload, UploadKind
from inspections.remediation import services as remediation
from inspections.remediation.models import CorrectiveAction
from inspections.units.models import UnitContact
from inspections.visits.models import Visit, VisitStatus

UPLOAD_FOLDER = "unit_uploads"


def acknowledge(visit: Visit, *, actor: Actor, link: ActionLink | None = None) -> Acknowledgement:
    """The unit has seen the visit's notice: one acknowledgement per visit. Acknowledging
    again (another contact, the dashboard after the link, a double click) answers the one
    already stored."""
    unit_id = visit_unit(visit)
    if unit_id is None:
        raise InvalidInput(_l("This notice can no longer be acknowledged."))
    if link is not None:
        link.used_at = utcnow()
        audit_use(link, "acknowledge")
    existing = acknowledged(visit.id)
    if existing is not None:
        db.session.flush()
        return existing
    ack = Acknowledgement(
        visit_id=visit.id, unit_id=unit_id, contact_id=actor.contact_id, user_id=actor.user_id
    )
    try:
        with db.session.begin_nested():
            db.session.add(ack)
    except sa.exc.IntegrityError:  # acknowledged at the same moment by another request
        return acknowledged(visit.id)  # type: ignore[return-value]
    record(
        "visit.acknowledge",
        actor=actor.user,
        object_type="visit",
        object_id=visit.id,
        after={"contact_id": actor.contact_id, "link_id": link.id if link else None},
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
    kind: UploadKind, *, unit_id: int, stream: IO[bytes], filename: str | None, actor: Actor, **on: int
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
        contact_id=actor.contact_id,
        user_id=actor.user_id,
        **on,
    )
    db.session.add(upload)
    db.session.flush()
    record(
        "unit_upload.create",
        actor=actor.user,
        object_type="unit_upload",
        object_id=upload.id,
        after=snapshot(
            upload, "kind", "unit_id", "visit_id", "action_id", "filename", "sha256", "contact_id"
        ),
    )
    return upload


def upload_self_assessment(
    visit: Visit, *, stream: IO[bytes], filename: str | None, actor: Actor, now: datetime | None = None
) -> UnitUpload:
    unit_id = visit_unit(visit)
    if unit_id is None or visit.starts_at <= (now or utcnow()):
        raise Conflict(_l("The self-assessment report is sent before the visit; the visit has started."))
    return _upload(
        UploadKind.SELF_ASSESSMENT,
        unit_id=unit_id,
        stream=stream,
        filename=filename,
        actor=actor,
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
    actor: Actor,
) -> CorrectiveAction:
    """The report and its files, all or nothing: a refused file refuses the report."""
    remediation.report(action, text=text, actor=actor.user)
    for stream, filename in files:
        _upload(
            UploadKind.REMEDIATION,
            unit_id=action.unit_id,
            stream=stream,
            filename=filename,
            actor=actor,
            action_id=action.id,
        )
    return action


def visit_is_upcoming(visit: Visit, now: datetime | None = None) -> bool:
    return visit.status == VisitStatus.APPROVED and visit.starts_at > (now or utcnow())


def request_fresh(token: str, email: str, *, now: datetime | None = None) -> bool:
    """Mail a new link for the same purpose and object, if `email` is an active contact of
    the link's unit. The caller answers the same whatever this returns."""
    now = now or utcnow()
    read = read_link_token(token)
    old = db.session.get(ActionLink, read.link_id) if read.link_id is not None else None
    # A withdrawn link is withdrawn for good: it gets no fresh one either.
    if old is None:
        return False
    if old.revoked_at is not None:
        audit_refusal("revoked", old)
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
