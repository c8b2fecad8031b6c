from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from inspections.db import UTCDateTime, utcnow
from inspections.extensions import db


class WorkerHeartbeat(db.Model):
    """The last time each Celery worker ran the beat's heartbeat task.

    Lets an admin (and the health check) see that beat and the workers are alive:
    reminders depend on them.
    """

    __tablename__ = "worker_heartbeats"

    worker: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    count: Mapped[int] = mapped_column(default=0)
