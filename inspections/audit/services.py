"""The hash-chained audit log.

Each event's hash covers its content and the previous event's hash, so changing or
deleting an event breaks every link after it; `verify_chain` finds the first break.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.auth.models import User
from inspections.db import utcnow
from inspections.extensions import db

GENESIS = "0" * 64
# Key of the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK = 0x4155444954  # "AUDIT"


def jsonable(value: Any) -> Any:
    """A JSON-safe copy, so what is stored is exactly what was hashed."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: Any, *fields: str) -> dict[str, Any]:
    return jsonable({name: getattr(obj, name) for name in fields})


def _digest(event: AuditEvent) -> str:
    payload = json.dumps(
        {
            "prev": event.prev_hash,
            "at": event.occurred_at.isoformat(timespec="microseconds"),
            "actor": event.actor_id,
            "action": event.action,
            "type": event.object_type,
            "id": event.object_id,
            "before": event.before,
            "after": event.after,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _lock_chain() -> None:
    """Take the lock that serialises appends, before the head is read.

    Held to the end of the transaction, so the head read next is still the head when the
    event is inserted: two appends can never both follow the same event. PostgreSQL has an
    advisory lock for it. SQLite has only its database write lock: the driver starts a
    transaction at the first write, so a head read before any write would be read without
    it (and another process could append in between): take it now with BEGIN IMMEDIATE,
    unless this transaction already writes (and so already holds it).
    """
    connection = db.session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    elif dialect == "sqlite":
        driver = connection.connection.driver_connection
        if not driver.in_transaction:
            driver.execute("BEGIN IMMEDIATE")  # waits up to the busy timeout for other writers


def record(
    action: str,
    *,
    actor: User | None,
    object_type: str | None = None,
    object_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event in the caller's transaction (flushed, not committed)."""
    session = db.session
    _lock_chain()
    head = session.scalar(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=jsonable(before),
        after=jsonable(after),
        prev_hash=head or GENESIS,
    )
    event.hash = _digest(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None  # id of the first event whose link does not hold
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain() -> ChainReport:
    expected_prev = GENESIS
    checked = 0
    events = db.session.scalars(
        sa.select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=500)
    )
    for event in events:
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.id, "previous hash does not match")
        if _digest(event) != event.hash:
            return ChainReport(checked, event.id, "content does not match its hash")
        expected_prev = event.hash
        checked += 1
    return ChainReport(checked)
