from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from inspections.db import utcnow
from inspections.extensions import db
from inspections.system.models import WorkerHeartbeat

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
