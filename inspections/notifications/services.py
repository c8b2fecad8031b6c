"""The outbox: rules write Notification rows here, in the caller's transaction.

Nothing is sent from a request. A row is rendered from `templates/email/<kind>.subject.txt`,
`<kind>.txt` and `<kind>.html` with its `context`, in the recipient's language, when the
dispatcher sends it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from inspections.db import utcnow
from inspections.extensions import db
from inspections.notifications.models import Notification
from inspections.units.models import Language

MESSAGE_ID_DOMAIN = "inspections.example"


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{MESSAGE_ID_DOMAIN}>"


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
    mandatory: bool = True,
    user_id: int | None = None,
    contact_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
) -> Notification | None:
    """Add one email to the outbox, once per idempotency `key`.

    Returns the new row, or None when a row with this key already exists (a rule that
    runs twice writes one row). `context` must be JSON: ids, strings, ISO dates.
    The Message-ID is fixed here, so every attempt to send the row carries the same one.
    """
    exists = db.session.scalar(sa.select(Notification.id).where(Notification.idempotency_key == key))
    if exists is not None:
        return None
    notification = Notification(
        idempotency_key=key,
        kind=kind,
        mandatory=mandatory,
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
        deadline_at=deadline_at,
    )
    # A savepoint: a concurrent insert of the same key loses quietly instead of failing
    # the caller's whole transaction.
    try:
        with db.session.begin_nested():
            db.session.add(notification)
    except sa.exc.IntegrityError:
        return None
    return notification
