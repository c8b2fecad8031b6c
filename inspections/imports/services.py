"""Import jobs: store the upload, check it in a worker, apply it once confirmed.

The web only stores the file and writes the job (`create_job`, `confirm`); a worker runs
it (`run_job`). A job is claimed with a conditional UPDATE that writes a fresh
`claim_token` (the idea of the outbox's dispatcher, inspections/outbox/dispatch.py); every
later write of the worker requires that token, and stamps `heartbeat_at`. A worker that
dies stops the heartbeat: after the lease, `due_jobs` lists the job again and the next
claim, under a new token, starts it over. The old worker, if it was only slow, finds its
token gone: its writes change nothing.

The check commits its progress batch by batch (it writes nothing else). The application
is one transaction, whatever the file's size: every unit, contact or account and the
job's DONE are committed together, or nothing is (all-or-nothing). Its progress is
written beside it, on a connection of its own, on PostgreSQL; SQLite has one writer at a
time, so there the bar waits for the commit.

Like the outbox's dispatcher, `run_job` commits (several times): it is a worker's loop,
not a step inside someone else's transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import IO, Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from inspections.audit.services import record
from inspections.auth.models import User
from inspections.db import utcnow
from inspections.errors import Conflict, DomainError, InvalidInput
from inspections.extensions import db
from inspections.files import storage_path
from inspections.imports import contacts, people, units
from inspections.imports.checks import RowError
from inspections.imports.models import (
    FINISHED,
    WAITING,
    WORKING,
    ImportJob,
    ImportKind,
    ImportRowError,
    ImportStatus,
)
from inspections.imports.parsing import LAYOUTS, Row, batches, data_rows, max_rows
from inspections.spreadsheets import READ_FORMATS, UnreadableFile, estimate_rows

log = logging.getLogger(__name__)

FOLDER = "imports"  # instance/imports/<aa>/<sha256>: the stored copy of every file
DEFAULT_MAX_BYTES = 100 * 1000 * 1000
DEFAULT_LEASE_SECONDS = 120.0
MAX_ATTEMPTS = 3  # claims of one phase; a job that kills its worker each time stops
ERRORS_KEPT = 500  # errors stored per job (all are counted)
IMPORTERS: dict[ImportKind, ModuleType] = {
    ImportKind.UNITS: units,
    ImportKind.CONTACTS: contacts,
    ImportKind.PEOPLE: people,
}


class LostClaim(Exception):
    """Another worker holds the job now (this one was presumed dead): stop, write nothing."""


class ChangedSinceCheck(Exception):
    """The registry changed between the check and the application: the rows now wrong."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def max_bytes() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def lease() -> timedelta:
    return timedelta(seconds=float(current_app.config.get("IMPORT_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)))


# --- checking and applying a file (no job: also what the benchmark and tests call) --------


@dataclass
class CheckResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first ERRORS_KEPT, by row
    error_count: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and self.rows > 0


def _order(kind: ImportKind) -> Callable[[RowError], tuple[int, int]]:
    names = LAYOUTS[kind].names
    return lambda e: (e.row, names.index(e.column) if e.column in names else 99)


def check_file(
    path: Path,
    fmt: str,
    kind: ImportKind,
    *,
    progress: Callable[[int, list[RowError]], None] | None = None,
    stage: Path | None = None,
) -> CheckResult:
    """Read and check the whole file, a batch at a time; writes nothing to the database.
    `progress` is told the rows read so far and each batch's errors. With `stage`, the
    checked rows (normalised) are also written there, one JSON line each, for
    `apply_file` to read instead of parsing the file again; a file with errors leaves no
    stage behind."""
    _require_file(path)
    importer = IMPORTERS[kind]
    run = importer.start()
    result = CheckResult()
    staging = None
    if stage is not None:
        stage.parent.mkdir(parents=True, exist_ok=True)
        staging = stage.with_suffix(".partial").open("w", encoding="utf-8")
    try:
        for batch in batches(data_rows(path, fmt, LAYOUTS[kind])):
            found, planned = importer.check_batch(batch, run)
            found.sort(key=_order(kind))
            result.rows += len(batch)
            _keep(result, found)
            if staging is not None and not result.error_count:
                staging.writelines(
                    json.dumps({"n": r.number, "v": r.values}, ensure_ascii=False) + "\n"
                    for r, _, _ in planned
                )
            if progress is not None:
                progress(result.rows, found)
    finally:
        if staging is not None:
            staging.close()
    found = sorted(importer.finish_check(run), key=_order(kind))
    _keep(result, found)
    if progress is not None and found:
        progress(result.rows, found)
    result.errors.sort(key=_order(kind))
    result.counts = dict(run.counts)
    if stage is not None:
        partial = stage.with_suffix(".partial")
        if result.ok:
            partial.replace(stage)
        else:
            partial.unlink(missing_ok=True)
    if result.rows == 0:
        raise UnreadableFile(_l("The file has no rows below its header."))
    return result


def _staged_rows(stage: Path) -> Iterator[Row]:
    with stage.open(encoding="utf-8") as f:
        for line in f:
            data = json.loads(line)
            yield Row(data["n"], data["v"])


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise UnreadableFile(_l("The stored copy of the file is missing; upload it again."))


def _keep(result: CheckResult, found: list[RowError]) -> None:
    result.error_count += len(found)
    room = ERRORS_KEPT - len(result.errors)
    if room > 0:
        result.errors += found[:room]


def apply_file(
    path: Path,
    fmt: str,
    kind: ImportKind,
    *,
    actor: User | None,
    progress: Callable[[int], None] | None = None,
    stage: Path | None = None,
) -> dict[str, int]:
    """Check again and write, in the caller's transaction (flushed, never committed).
    Raises ChangedSinceCheck if a row is wrong now: the caller rolls back.

    From the `stage` its check wrote, if it is there: the same rows of the same file
    (stored by its hash), already read and normalised; what the registry decides (known
    codes, references, cycles) is checked again all the same."""
    _require_file(path)
    importer = IMPORTERS[kind]
    run = importer.start()
    applied = 0
    trusted = stage is not None and stage.is_file()
    rows = _staged_rows(stage) if trusted and stage is not None else data_rows(path, fmt, LAYOUTS[kind])
    for batch in batches(rows):
        found, planned = importer.check_batch(batch, run, trusted=trusted)
        if found:
            raise ChangedSinceCheck(sorted(found, key=_order(kind)))
        applied += importer.apply_batch(planned, run, actor=actor)
        if progress is not None:
            progress(applied)
    found = importer.finish_check(run)
    if found:
        raise ChangedSinceCheck(sorted(found, key=_order(kind)))
    counts = importer.finish_apply(run, actor=actor)
    db.session.flush()
    return counts


# --- the stored upload ------------------------------------------------------------------


def _format_of(filename: str | None) -> tuple[str, str]:
    name = (filename or "").strip().replace("\\", "/").rsplit("/", 1)[-1]
    if not name:
        raise InvalidInput(_l("Choose a file to import."))
    fmt = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if fmt not in READ_FORMATS:
        raise InvalidInput(_l("Upload a .csv or .xlsx file."))
    return name[:200], fmt


def store_upload(stream: IO[bytes], filename: str | None) -> tuple[str, str, str, int]:
    """Copy the upload to the store a block at a time, hashing it as it goes: (name,
    format, sha256, size). Nothing stays behind for a refused file."""
    name, fmt = _format_of(filename)
    limit = max_bytes()
    folder = Path(current_app.instance_path) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while block := stream.read(1024 * 1024):
                size += len(block)
                if size > limit:
                    raise InvalidInput(
                        _l(
                            "The file is larger than the %(size)s MB allowed for an import.",
                            size=limit // 1_000_000,
                        )
                    )
                digest.update(block)
                out.write(block)
        if size == 0:
            raise InvalidInput(_l("The file is empty."))
        with open(tmp, "rb") as f:
            head = f.read(4)
        if fmt == "xlsx" and head != b"PK\x03\x04":
            raise InvalidInput(_l("The file is not a valid Excel (.xlsx) workbook."))
        sha256 = digest.hexdigest()
        path = storage_path(sha256, FOLDER)
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return name, fmt, sha256, size


def stored_file(job: ImportJob) -> Path:
    return storage_path(job.sha256, FOLDER)


def stage_file(job: ImportJob) -> Path:
    """The checked rows of the job, as its check left them for its application."""
    return Path(current_app.instance_path) / FOLDER / "staged" / f"{job.id}-{job.sha256[:16]}.jsonl"


# --- the job, as the web sees it ----------------------------------------------------------


def create_job(*, actor: User, kind: ImportKind, stream: IO[bytes], filename: str | None) -> ImportJob:
    """Store the file and queue its check (the caller commits, then sends the task)."""
    name, fmt, sha256, size = store_upload(stream, filename)
    job = ImportJob(kind=kind, filename=name, fmt=fmt, sha256=sha256, size=size, created_by_id=actor.id)
    db.session.add(job)
    db.session.flush()
    return job


def confirm(job: ImportJob, *, actor: User) -> None:
    """The coordinator's go-ahead for a checked file (a compare-and-set: twice is once)."""
    done = db.session.execute(
        sa.update(ImportJob)
        .where(ImportJob.id == job.id, ImportJob.status == ImportStatus.CHECKED)
        .values(status=ImportStatus.CONFIRMED, confirmed_at=utcnow(), attempts=0)
    ).rowcount
    if not done:
        raise Conflict(_l("This import cannot be applied now: only a checked file without errors can."))
    db.session.refresh(job)


def cancel(job: ImportJob, *, actor: User) -> None:
    """Drop a job that is not being applied (what is applied stays: it was all-or-nothing)."""
    cancellable = (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.CHECKED, ImportStatus.INVALID)
    done = db.session.execute(
        sa.update(ImportJob)
        .where(ImportJob.id == job.id, ImportJob.status.in_(cancellable))
        .values(status=ImportStatus.CANCELLED, claim_token=None, finished_at=utcnow())
    ).rowcount
    if not done:
        raise Conflict(_l("This import can no longer be cancelled."))
    db.session.refresh(job)
    stage_file(job).unlink(missing_ok=True)


def row_errors(job: ImportJob, *, limit: int = 200) -> list[ImportRowError]:
    return list(
        db.session.scalars(
            sa.select(ImportRowError)
            .where(ImportRowError.job_id == job.id)
            .order_by(ImportRowError.row, ImportRowError.id)
            .limit(limit)
        )
    )


def recent_jobs(user: User, *, see_all: bool, limit: int = 20) -> list[ImportJob]:
    query = sa.select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)
    if not see_all:
        query = query.where(ImportJob.created_by_id == user.id)
    return list(db.session.scalars(query))


# --- the job, as a worker runs it ------------------------------------------------------------


def _now() -> datetime | sa.ColumnElement[datetime]:
    """The database's clock on PostgreSQL (one clock for workers on several hosts)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.statement_timestamp()
    return utcnow()


def _stale(now: datetime | sa.ColumnElement[datetime]) -> sa.ColumnElement[bool]:
    limit = now - lease() if isinstance(now, datetime) else now - sa.literal(lease(), sa.Interval())
    return sa.and_(ImportJob.status.in_(WORKING), ImportJob.heartbeat_at < limit)


def due_jobs(*, limit: int = 20) -> list[int]:
    """Jobs waiting for a worker (their task may have been lost with the broker) and jobs
    whose worker stopped beating: what a beat tick hands out again."""
    now = _now()
    query = (
        sa.select(ImportJob.id)
        .where(sa.or_(ImportJob.status.in_(WAITING), _stale(now)))
        .order_by(ImportJob.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


_PHASES = (
    # (states it may be claimed from, the state it is worked in)
    ((ImportStatus.QUEUED, ImportStatus.CHECKING), ImportStatus.CHECKING),
    ((ImportStatus.CONFIRMED, ImportStatus.APPLYING), ImportStatus.APPLYING),
)


def claim(job_id: int) -> tuple[ImportJob, str] | None:
    """Take the job for this worker, or None if another has it (or it needs nobody).
    Commits: the claim must be visible to the others before the work starts."""
    now = _now()
    token = secrets.token_hex(16)
    for sources, working in _PHASES:
        waiting = [s for s in sources if s in WAITING]
        claimable = sa.or_(
            ImportJob.status.in_(waiting),
            sa.and_(ImportJob.status == working, _stale(now)),
        )
        claimed = db.session.execute(
            sa.update(ImportJob)
            .where(ImportJob.id == job_id, claimable, ImportJob.attempts < MAX_ATTEMPTS)
            .values(
                status=working,
                claim_token=token,
                heartbeat_at=now,
                attempts=ImportJob.attempts + 1,
                rows_checked=0 if working == ImportStatus.CHECKING else ImportJob.rows_checked,
                rows_applied=0,
            )
        ).rowcount
        if claimed:
            if working == ImportStatus.CHECKING:  # a check starts over: its old errors go
                db.session.execute(sa.delete(ImportRowError).where(ImportRowError.job_id == job_id))
            db.session.commit()
            job = db.session.get(ImportJob, job_id, populate_existing=True)
            assert job is not None  # noqa: S101 - it was just updated
            return job, token
    # A stale job that has used up its attempts: it will not be tried again.
    given_up = db.session.execute(
        sa.update(ImportJob)
        .where(ImportJob.id == job_id, _stale(now), ImportJob.attempts >= MAX_ATTEMPTS)
        .values(
            status=ImportStatus.FAILED,
            claim_token=None,
            finished_at=utcnow(),
            message=str(
                _l("The import stopped %(n)d times without finishing; nothing was applied.", n=MAX_ATTEMPTS)
            ),
        )
    ).rowcount
    db.session.commit()
    if given_up:
        log.warning("import job %s: given up after %s attempts", job_id, MAX_ATTEMPTS)
    return None


def _fenced(job_id: int, token: str) -> sa.Update:
    return sa.update(ImportJob).where(ImportJob.id == job_id, ImportJob.claim_token == token)


def _beat(job_id: int, token: str, connection: sa.Connection | None = None, **values: Any) -> None:
    """Stamp the heartbeat (and progress); LostClaim if the job is no longer ours."""
    statement = _fenced(job_id, token).values(heartbeat_at=_now(), **values)
    result = (connection or db.session).execute(statement)
    if not result.rowcount:
        raise LostClaim(job_id)


def run_job(job_id: int) -> ImportStatus | None:
    """Claim the job and do what it waits for: check it, or apply it. Returns the state it
    was left in, or None if it was not this worker's to run."""
    claimed = claim(job_id)
    if claimed is None:
        return None
    job, token = claimed
    creator = db.session.get(User, job.created_by_id)
    language = creator.language.value if creator is not None else current_app.config["BABEL_DEFAULT_LOCALE"]
    try:
        with force_locale(language):  # the errors are stored in the words of who uploaded it
            if job.status == ImportStatus.CHECKING:
                return _check(job, token)
            return _apply(job, token, creator)
    except LostClaim:
        db.session.rollback()
        log.warning("import job %s: claimed by another worker meanwhile; this one stops", job_id)
        return None


@contextmanager
def _planned_each_time() -> Iterator[None]:
    """On PostgreSQL, no prepared statements in this transaction (and so on its one
    connection): psycopg prepares a query run five times, and the plan PostgreSQL keeps
    for it was made when the table was small; the table grows by the whole file inside
    the application's transaction, and each batch's lookup by code would then scan every
    row written so far (seconds a batch, not milliseconds)."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        yield
        return
    raw = connection.connection.driver_connection
    before = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = before


def _check(job: ImportJob, token: str) -> ImportStatus:
    job_id, kind = job.id, job.kind

    def progress(rows: int, found: list[RowError]) -> None:
        kept = db.session.scalar(
            sa.select(sa.func.count()).select_from(ImportRowError).where(ImportRowError.job_id == job_id)
        )
        room = max(ERRORS_KEPT - (kept or 0), 0)
        if room and found:
            db.session.execute(
                sa.insert(ImportRowError),
                [
                    {"job_id": job_id, "row": e.row, "column": e.column, "message": e.message}
                    for e in found[:room]
                ],
            )
        _beat(job_id, token, rows_checked=rows, error_count=ImportJob.error_count + len(found))
        db.session.commit()

    path = stored_file(job)
    estimate = estimate_rows(path, job.fmt) if path.is_file() else None
    _beat(job_id, token, rows_total=min(estimate, max_rows()) if estimate is not None else None)
    db.session.commit()
    try:
        result = check_file(path, job.fmt, kind, progress=progress, stage=stage_file(job))
    except UnreadableFile as exc:
        db.session.rollback()
        return _finish(job_id, token, ImportStatus.FAILED, message=str(exc.message))
    status = ImportStatus.CHECKED if result.ok else ImportStatus.INVALID
    return _finish(
        job_id, token, status, rows_total=result.rows, error_count=result.error_count, counts=result.counts
    )


def _finish(job_id: int, token: str, status: ImportStatus, **values: Any) -> ImportStatus:
    done = status in FINISHED
    statement = _fenced(job_id, token).values(
        status=status, claim_token=None, attempts=0, finished_at=utcnow() if done else None, **values
    )
    if not db.session.execute(statement).rowcount:
        raise LostClaim(job_id)
    db.session.commit()
    log.info("import job %s: %s", job_id, status.value)
    return status


def _apply(job: ImportJob, token: str, actor: User | None) -> ImportStatus:
    job_id = job.id
    side: sa.Connection | None = None
    if db.session.get_bind().dialect.name == "postgresql":
        side = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def progress(applied: int) -> None:
        if side is not None:
            _beat(job_id, token, side, rows_applied=applied)

    try:
        with _planned_each_time():
            stage = stage_file(job)
            counts = apply_file(
                stored_file(job), job.fmt, job.kind, actor=actor, progress=progress, stage=stage
            )
        rows = sum(counts.values())
        record(
            f"import.{job.kind.value}",
            actor=actor,
            object_type="import_job",
            object_id=job_id,
            after={
                "file": job.filename,
                "sha256": job.sha256,
                "size": job.size,
                "rows": rows,
                "counts": counts,
            },
        )
        status = _finish(job_id, token, ImportStatus.DONE, rows_applied=rows, counts=counts)
        stage.unlink(missing_ok=True)  # the stored file itself stays: the audit names it
        return status
    except ChangedSinceCheck as changed:
        db.session.rollback()
        kept = changed.errors[:ERRORS_KEPT]
        db.session.execute(sa.delete(ImportRowError).where(ImportRowError.job_id == job_id))
        if kept:
            db.session.execute(
                sa.insert(ImportRowError),
                [{"job_id": job_id, "row": e.row, "column": e.column, "message": e.message} for e in kept],
            )
        message = str(_l("The registry changed since the file was checked; nothing was applied."))
        return _finish(
            job_id,
            token,
            ImportStatus.INVALID,
            error_count=len(changed.errors),
            rows_applied=0,
            message=message,
        )
    except (UnreadableFile, DomainError) as exc:  # the stored copy went; a rule refused a row
        db.session.rollback()
        return _finish(job_id, token, ImportStatus.FAILED, message=str(exc.message))
    except BaseException:
        db.session.rollback()
        raise
    finally:
        if side is not None:
            side.close()
