"""An import as a job: the stored upload, its check, its application, its progress.

The web stores the file and writes the job; a worker claims it (a fresh `claim_token`,
stamped `heartbeat_at` while it works), checks it, and once the coordinator confirms,
applies it in one transaction. A worker that dies leaves a job whose heartbeat stops:
it is claimed again under a new token and started over; the old worker's outcome
UPDATEs require its own token, so they change nothing.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspections.auth.models import User
from inspections.db import UTCDateTime, json_type, str_enum, utcnow
from inspections.extensions import db


class ImportKind(StrEnum):
    UNITS = "units"
    CONTACTS = "contacts"  # several contacts per unit
    PEOPLE = "people"  # accounts of inspectors and unit officials


class ImportStatus(StrEnum):
    QUEUED = "queued"  # stored, waiting for a worker to check it
    CHECKING = "checking"
    INVALID = "invalid"  # checked, with errors: nothing can be applied
    CHECKED = "checked"  # checked, no error: waiting for the coordinator's confirmation
    CONFIRMED = "confirmed"  # waiting for a worker to apply it
    APPLYING = "applying"
    DONE = "done"
    FAILED = "failed"  # the file could not be read, or applying it failed: nothing applied
    CANCELLED = "cancelled"


# The states a worker owns while it holds the claim; a stale one is claimed again.
WORKING = (ImportStatus.CHECKING, ImportStatus.APPLYING)
# The states that wait for a worker.
WAITING = (ImportStatus.QUEUED, ImportStatus.CONFIRMED)
FINISHED = (ImportStatus.INVALID, ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.CANCELLED)


class ImportJob(db.Model):
    __tablename__ = "import_jobs"
    __table_args__ = (
        sa.Index("ix_import_jobs_status_id", "status", "id"),
        sa.Index("ix_import_jobs_created_by_id_id", "created_by_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ImportKind] = mapped_column(str_enum(ImportKind))
    status: Mapped[ImportStatus] = mapped_column(str_enum(ImportStatus), default=ImportStatus.QUEUED)
    filename: Mapped[str] = mapped_column(sa.String(200))
    fmt: Mapped[str] = mapped_column(sa.String(10))
    sha256: Mapped[str] = mapped_column(sa.String(64))  # the stored copy (inspections/files.py)
    size: Mapped[int]
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rows_total: Mapped[int | None]  # known once the check has read the whole file
    rows_checked: Mapped[int] = mapped_column(default=0)
    rows_applied: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    # What the check found and what the application did: {"create": n, "update": n, ...}.
    counts: Mapped[dict[str, Any] | None] = mapped_column(json_type())
    message: Mapped[str | None] = mapped_column(sa.Text)  # why the file or the job failed
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)

    created_by: Mapped[User] = relationship()

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


class ImportRowError(db.Model):
    """One problem of the file (the first few hundred are kept; `error_count` has them all)."""

    __tablename__ = "import_row_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(sa.ForeignKey("import_jobs.id", ondelete="CASCADE"), index=True)
    row: Mapped[int]
    column: Mapped[str] = mapped_column(sa.String(40))
    message: Mapped[str] = mapped_column(sa.Text)
