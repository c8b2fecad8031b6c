"""The outbox: rules write Notification rows here, in the caller's transaction.

Nothing is sent from a request. A row is rendered from its kind's templates with its
`context`, in the recipient's language, when the dispatcher sends it; the signed links it
carries are issued here, when it is written (`kinds.register(links=...)`).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from inspections.audit.services import record, snapshot
from inspections.auth.models import User
from inspections.db import utcnow
from inspections.errors import Conflict, InvalidInput
from inspections.extensions import db
from inspections.outbox.kinds import is_optional, kind_of
from inspections.outbox.models import Notification, NotificationPreference, NotificationStatus, SendingPause
from inspections.outbox.render import mail_domain, url_context
from inspections.units.models import Language

# A row without a deadline of its own is not worth sending a week after it was due.
DEFAULT_DEADLINE = timedelta(days=7)


def new_message_id() -> str:
    """Fixed when the row is written and stored with it: a resend, or a change of the
    domain later, never changes the Message-ID of a queued mail."""
    return f"<{uuid.uuid4().hex}@{mail_domain()}>"


def enqueue(
    *,
    key: str,
    kind: str,
    email: str,
    name: str = "",
    language: Language = Language.VI,
    context: dict[str, Any] | None = None,
    due_at: datetime | None = None,
    deadline_at: datetime | None = None,
    user_id: int | None = None,
    contact_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
) -> Notification | None:
    """Add one email to the outbox, once per idempotency `key`.

    Returns the new row, or None when a row with this key already exists (a rule that
    runs twice writes one row). `context` must be JSON: ids, strings, ISO dates.
    The Message-ID is fixed here, so every attempt to send the row carries the same one;
    so are the kind's links, issued once the row has its id (a retry sends the same ones).
    """
    registered = kind_of(kind)
    exists = db.session.scalar(sa.select(Notification.id).where(Notification.idempotency_key == key))
    if exists is not None:
        return None
    notification = Notification(
        idempotency_key=key,
        kind=kind,
        mandatory=registered.mandatory,
        recipient_email=email,
        recipient_name=name,
        recipient_user_id=user_id,
        recipient_contact_id=contact_id,
        language=language,
        object_type=object_type,
        object_id=object_id,
        context=context or {},
        message_id=new_message_id(),
        due_at=due_at or utcnow(),
        deadline_at=deadline_at or (due_at or utcnow()) + DEFAULT_DEADLINE,
    )
    # A savepoint: a concurrent insert of the same key loses quietly instead of failing
    # the caller's whole transaction.
    try:
        with db.session.begin_nested():
            db.session.add(notification)
    except sa.exc.IntegrityError:
        return None
    if registered.links is not None:
        with url_context():
            notification.context = notification.context | registered.links(notification)
    return notification


# --- preferences, resend, pause (called by the routes) ---------------------------------


def opt_out(*, email: str, kind: str) -> bool:
    """Record that `email` wants no more `kind` mail; True if it is new (idempotent)."""
    if not is_optional(kind):
        raise InvalidInput(_l("This notice cannot be unsubscribed."))
    email = email.lower()
    exists = db.session.scalar(
        sa.select(NotificationPreference.id).where(
            NotificationPreference.email == email, NotificationPreference.kind == kind
        )
    )
    if exists is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(NotificationPreference(email=email, kind=kind))
    except sa.exc.IntegrityError:  # a concurrent click won
        return False
    record(
        "notifications.opt_out",
        actor=None,
        object_type="notification_preference",
        after={"email": email, "kind": kind},
    )
    return True


def opt_in(*, email: str, kind: str) -> bool:
    email = email.lower()
    result = db.session.execute(
        sa.delete(NotificationPreference).where(
            NotificationPreference.email == email, NotificationPreference.kind == kind
        )
    )
    if result.rowcount:
        record(
            "notifications.opt_in",
            actor=None,
            object_type="notification_preference",
            after={"email": email, "kind": kind},
        )
    return bool(result.rowcount)


def opted_out_kinds(email: str) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(NotificationPreference.kind).where(NotificationPreference.email == email.lower())
        )
    )


def resend(notification: Notification, *, actor: User) -> None:
    """A failed row goes back to the queue, same Message-ID; not after its deadline."""
    if notification.status != NotificationStatus.FAILED:
        raise Conflict(_l("Only a failed email can be sent again."))
    if notification.deadline_at is not None and notification.deadline_at <= utcnow():
        raise Conflict(_l("This email's deadline has passed; it can no longer be sent."))
    before = snapshot(notification, "status", "attempts", "last_error")
    notification.status = NotificationStatus.PENDING
    notification.next_attempt_at = None
    notification.claimed_at = None
    db.session.flush()
    record(
        "notifications.resend",
        actor=actor,
        object_type="notification",
        object_id=notification.id,
        before=before,
        after=snapshot(notification, "status", "attempts", "last_error"),
    )


def resume_sending(*, actor: User) -> bool:
    pauses = list(db.session.scalars(sa.select(SendingPause).where(SendingPause.resumed_at.is_(None))))
    for pause in pauses:
        pause.resumed_at = utcnow()
        pause.resumed_by_id = actor.id
        db.session.flush()
        record(
            "notifications.resume_sending",
            actor=actor,
            object_type="sending_pause",
            object_id=pause.id,
            before={"reason": pause.reason},
        )
    return bool(pauses)
