"""Checked again at send time: is this row still true?

A row is written when its rule fires; by the time it is sent the visit may have moved or
been cancelled, the findings recorded, the action reported. A stale row is cancelled with
the reason, never sent: this holds even if the service that made the change forgot to
cancel what it superseded. Each kind brings its own check (`kinds.register`).
"""

from __future__ import annotations

from inspections.outbox.kinds import find
from inspections.outbox.models import Notification


def stale_reason(row: Notification, cache: dict[tuple[object, ...], str | None] | None = None) -> str | None:
    """`cache` (one per batch) spares the queries for rows about the same object."""
    kind = find(row.kind)
    if kind is None or kind.relevance is None or row.object_id is None:
        return None
    if cache is None:
        return kind.relevance(row)
    # Everything a check reads from the row itself is in the key.
    key = (
        row.object_type,
        row.object_id,
        row.kind,
        row.recipient_contact_id is not None,
        *(row.context.get(name) for name in kind.reads),
    )
    if key not in cache:
        cache[key] = kind.relevance(row)
    return cache[key]
