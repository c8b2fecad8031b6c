from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from inspections.audit.anchors import Anchor, write_anchor
from inspections.auth.models import Role, User
from inspections.db import utcnow
from inspections.extensions import db
from inspections.i18n import local_day
from inspections.outbox import kinds
from inspections.outbox.services import enqueue
from inspections.system.models import WorkerHeartbeat

# The admins get the audit chain's head once a day: a copy outside the server.
AUDIT_ANCHOR = kinds.register("audit_anchor")

# Beat ticks every minute; three missed ticks mean beat or the workers are down.
STALE_AFTER = timedelta(minutes=3)


def record_heartbeat(worker: str) -> WorkerHeartbeat:
    beat = db.session.get(WorkerHeartbeat, worker, with_for_update=True)
    if beat is None:
        beat = WorkerHeartbeat(worker=worker, count=0)
        db.session.add(beat)
    beat.beat_at = utcnow()
    beat.count += 1
    db.session.flush()
    return beat


def heartbeats() -> list[tuple[WorkerHeartbeat, bool]]:
    """Each worker's last heartbeat and whether it is recent."""
    now = utcnow()
    beats = db.session.scalars(sa.select(WorkerHeartbeat).order_by(WorkerHeartbeat.beat_at.desc()))
    return [(b, now - b.beat_at <= STALE_AFTER) for b in beats]


def anchor_audit_head(now: datetime | None = None) -> Anchor:
    """Write the audit chain's head to the anchor file; the first anchor of each day (in
    Vietnam) is also mailed to every active admin, so a copy lives outside this server."""
    now = now or utcnow()
    anchor = write_anchor(now)
    day = local_day(now).isoformat()
    admins = db.session.scalars(sa.select(User).where(User.role == Role.ADMIN, User.active.is_(True)))
    for admin in admins:
        enqueue(
            key=f"audit_anchor:{day}:user:{admin.id}",
            kind=AUDIT_ANCHOR,
            email=admin.email,
            name=admin.full_name,
            language=admin.language,
            context={"anchored_at": anchor.at, "count": anchor.count, "head_id": anchor.head_id,
                     "head_hash": anchor.head_hash or ""},
            user_id=admin.id,
            deadline_at=now + timedelta(days=1),
        )  # fmt: skip
    db.session.flush()
    return anchor
