"""The dispatcher: claim due outbox rows, send them, record what happened.

A claim is a conditional UPDATE that moves rows to `sending` (PostgreSQL picks them with
`FOR UPDATE SKIP LOCKED`, so concurrent workers take disjoint rows; SQLite serialises
writers, and the UPDATE re-checks the condition, a compare-and-set). Each outcome is
committed right after its send, so a worker killed mid-batch leaves at most the one mail
it was sending to be sent again, with the same Message-ID; its other claimed rows are
claimed again once the lease has run out.

Fencing, for workers on several hosts: time is the database's (on PostgreSQL the claim
compares and stamps with the server's statement_timestamp(), never a worker's clock, and
the worker then counts the lease on its monotonic clock from that stamp), and each claim
writes a fresh `claim_token` that every outcome UPDATE requires. A worker that comes back
after its lease ran out (a partition, a pause) finds its rows claimed by another under a
new token: its marks change nothing, and it hands the rest back instead of sending them.
"""

from __future__ import annotations

import logging
import random
import secrets
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from inspections.auth.models import Role, User
from inspections.db import utcnow
from inspections.extensions import db
from inspections.outbox.kinds import SENDING_PAUSED
from inspections.outbox.mailer import Transport, transport_for
from inspections.outbox.models import Notification, NotificationPreference, NotificationStatus, SendingPause
from inspections.outbox.relevance import stale_reason
from inspections.outbox.render import render
from inspections.outbox.services import enqueue

log = logging.getLogger(__name__)

BATCH = 50
# How a row that could not be made into a mail is marked: the admin's pages list them.
RENDER_FAILED = "render: "


@dataclass
class DispatchResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    superseded: int = 0  # outcomes not recorded: another worker had claimed the row since
    paused: bool = False

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.cancelled


def sending_pause() -> SendingPause | None:
    return db.session.scalar(
        sa.select(SendingPause).where(SendingPause.resumed_at.is_(None)).order_by(SendingPause.id).limit(1)
    )


@dataclass(frozen=True)
class RenderFailures:
    count: int
    rows: list[Notification]  # the newest few


def render_failures(*, limit: int = 10) -> RenderFailures:
    """Failed rows that could not even be rendered (a retry cannot help: the template or
    the row's data must be fixed, then the row sent again). Mandatory notices among them
    have not reached the unit: the admin's outbox and system pages show them."""
    unrenderable = sa.and_(
        Notification.status == NotificationStatus.FAILED,
        Notification.last_error.startswith(RENDER_FAILED, autoescape=True),
    )
    count = db.session.scalar(sa.select(sa.func.count()).where(unrenderable)) or 0
    rows: list[Notification] = []
    if count and limit:
        newest = sa.select(Notification).where(unrenderable).order_by(Notification.id.desc()).limit(limit)
        rows = list(db.session.scalars(newest))
    return RenderFailures(count, rows)


def _due(now: datetime | sa.ColumnElement[datetime], lease: timedelta) -> sa.ColumnElement[bool]:
    """Due rows at `now`: a datetime, or the database's clock (a SQL expression)."""
    expired = now - lease if isinstance(now, datetime) else now - sa.literal(lease, sa.Interval())
    pending = sa.and_(
        Notification.status == NotificationStatus.PENDING,
        Notification.due_at <= now,
        sa.or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
    )
    # A worker that died mid-send never marked its rows: take them over after the lease.
    abandoned = sa.and_(Notification.status == NotificationStatus.SENDING, Notification.claimed_at < expired)
    return sa.or_(pending, abandoned)


@dataclass(frozen=True)
class Claim:
    ids: list[int]
    token: str  # written on every claimed row; required by every outcome UPDATE
    at: datetime | None  # the claim's time (the database's on PostgreSQL)
    started: float  # time.monotonic() just before the claim was sent


def database_clock() -> sa.ColumnElement[datetime] | None:
    """The database server's clock as SQL on PostgreSQL (one clock for every host);
    None on SQLite, the embedded single-host database, where the host's clock is it."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.statement_timestamp()
    return None


def claim(*, now: datetime | None = None, limit: int = BATCH) -> Claim:
    """Move up to `limit` due rows to `sending` under a new claim token, and commit.

    Without `now`, "due" and the claim's stamp are the database's clock on PostgreSQL.
    """
    lease = timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    at: datetime | sa.ColumnElement[datetime] | None = now or database_clock()
    if at is None:
        at = utcnow()
    token = secrets.token_hex(16)
    pick = sa.select(Notification.id).where(_due(at, lease)).order_by(Notification.due_at, Notification.id)
    stamp = sa.update(Notification).values(
        status=NotificationStatus.SENDING,
        claimed_at=at,
        claim_token=token,
        attempts=Notification.attempts + 1,
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # A CTE with FOR UPDATE is evaluated once: a subquery under IN may be rescanned
        # and, skipping what is locked, pick more rows than the limit.
        picked = pick.limit(limit).with_for_update(skip_locked=True).cte("picked")
        stamp = stamp.where(Notification.id == picked.c.id)
    else:
        targets = list(db.session.scalars(pick.limit(limit)))
        if not targets:
            db.session.commit()
            return Claim([], token, None, time.monotonic())
        stamp = stamp.where(Notification.id.in_(targets), _due(at, lease))  # compare-and-set
    # Taken before the UPDATE: the stamp is later, so the lease this worker counts from
    # here runs out before the one the database counts (a reply that came back late,
    # after a partition, leaves less of the lease, never more).
    started = time.monotonic()
    claimed = db.session.execute(
        stamp.returning(Notification.id, Notification.claimed_at).execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    stamped = claimed[0].claimed_at if claimed else None
    return Claim(sorted(row.id for row in claimed), token, stamped, started)


def claim_due(*, now: datetime | None = None, limit: int = BATCH) -> list[int]:
    """Move up to `limit` due rows to `sending` and commit; returns their ids."""
    return claim(now=now, limit=limit).ids


def backoff(attempts: int) -> float:
    """Capped exponential backoff with jitter (half fixed, half random), in seconds."""
    base = current_app.config["OUTBOX_BACKOFF_BASE"]
    cap = current_app.config["OUTBOX_BACKOFF_CAP"]
    delay = min(cap, base * 2 ** max(attempts - 1, 0))
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not a secret


def _finish(status: NotificationStatus, error: str | None, now: datetime) -> dict[str, object]:
    """The values of a final outcome (written by _record, fenced by the claim token)."""
    values: dict[str, object] = {"status": status, "last_error": error, "next_attempt_at": None}
    if status == NotificationStatus.SENT:
        values["sent_at"] = now
    return values


def _retry_later(row: Notification, error: str, now: datetime) -> tuple[dict[str, object], bool]:
    """Pending again after a backoff; failed if that would pass the deadline. Returns the
    values to write and whether it is a retry."""
    when = now + timedelta(seconds=backoff(row.attempts))
    if row.deadline_at is not None and when >= row.deadline_at:
        return _finish(NotificationStatus.FAILED, f"{error} (deadline reached)", now), False
    return {"status": NotificationStatus.PENDING, "next_attempt_at": when, "last_error": error}, True


def _record(row: Notification, token: str, values: dict[str, object]) -> bool:
    """Write one outcome only while the claim is still ours: same token, still sending.

    False when another worker has claimed the row since (our lease ran out): its claim
    decides, ours changes nothing.
    """
    fenced = (
        sa.update(Notification)
        .where(
            Notification.id == row.id,
            Notification.status == NotificationStatus.SENDING,
            Notification.claim_token == token,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if db.session.execute(fenced).rowcount == 1:
        return True
    log.warning("outbox: notification %s was claimed by another dispatcher; outcome not recorded", row.id)
    return False


def _opt_outs(rows: list[Notification]) -> set[tuple[str, str]]:
    """The (email, kind) opt-outs among a batch's optional rows, in one query."""
    emails = {r.recipient_email.lower() for r in rows if not r.mandatory}
    if not emails:
        return set()
    found = db.session.execute(
        sa.select(NotificationPreference.email, NotificationPreference.kind).where(
            sa.func.lower(NotificationPreference.email).in_(emails)
        )
    )
    return {(email.lower(), kind) for email, kind in found}


def pause_sending(reason: str, *, now: datetime) -> None:
    """Stop every dispatcher and tell the admins (the row waits for the resume)."""
    if sending_pause() is not None:
        return
    pause = SendingPause(paused_at=now, reason=reason)
    db.session.add(pause)
    db.session.flush()
    log.error("outbox: SMTP login refused, sending paused (pause %s): %s", pause.id, reason)
    for admin in db.session.scalars(sa.select(User).where(User.role == Role.ADMIN, User.active)):
        enqueue(
            key=f"sending_paused:{pause.id}:user:{admin.id}",
            kind=SENDING_PAUSED,
            email=admin.email,
            name=admin.full_name,
            language=admin.language,
            context={"paused_at": now.isoformat(), "error": reason},
            user_id=admin.id,
        )


def _release(rows: list[Notification], token: str) -> None:
    """Claimed rows that were not tried go back untouched (their attempt did not happen);
    only while the claim is still ours (same claim token): compare-and-set."""
    if rows:
        db.session.execute(
            sa.update(Notification)
            .where(
                Notification.id.in_([row.id for row in rows]),
                Notification.status == NotificationStatus.SENDING,
                Notification.claim_token == token,
            )
            .values(
                status=NotificationStatus.PENDING,
                claimed_at=None,
                claim_token=None,
                attempts=Notification.attempts - 1,
            )
            .execution_options(synchronize_session=False)
        )
    db.session.commit()


@dataclass
class _Batch:
    """What is looked up once per claimed batch instead of once per row."""

    opt_outs: set[tuple[str, str]]
    stale: dict[tuple[object, ...], str | None]


def _send_one(
    row: Notification, token: str, sender: object, now: datetime, result: DispatchResult, batch: _Batch
) -> bool:
    """Returns False when sending must stop (the server refused our login)."""
    if row.deadline_at is not None and now >= row.deadline_at:
        values = _finish(NotificationStatus.FAILED, "deadline passed before sending", now)
        return _count(result, "failed", _record(row, token, values))
    reason = stale_reason(row, batch.stale)
    if reason is None and not row.mandatory and (row.recipient_email.lower(), row.kind) in batch.opt_outs:
        reason = "recipient opted out"
    if reason is not None:
        values = _finish(NotificationStatus.CANCELLED, reason, now)
        return _count(result, "cancelled", _record(row, token, values))
    try:
        message = render(row)
    except Exception as exc:  # a template bug: retrying will not fix it
        log.exception("outbox: notification %s (%s) does not render", row.id, row.kind)
        values = _finish(NotificationStatus.FAILED, f"{RENDER_FAILED}{exc!r}"[:1000], now)
        return _count(result, "failed", _record(row, token, values))
    try:
        sender.send(message)  # type: ignore[attr-defined]
    except smtplib.SMTPAuthenticationError as exc:
        _release([row], token)
        pause_sending(f"{exc.smtp_code} {exc.smtp_error!r}", now=now)
        result.paused = True
        return False
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        error = f"recipient refused: {exc.recipients!r}"[:1000]
        if all(code >= 500 for code in codes):
            values, outcome = _finish(NotificationStatus.FAILED, error, now), "failed"
        else:
            values, retry = _retry_later(row, error, now)
            outcome = "retried" if retry else "failed"
    except smtplib.SMTPResponseException as exc:
        error = f"{exc.smtp_code} {exc.smtp_error!r}"[:1000]
        if exc.smtp_code >= 500:
            values, outcome = _finish(NotificationStatus.FAILED, error, now), "failed"
        else:
            values, retry = _retry_later(row, error, now)
            outcome = "retried" if retry else "failed"
    except (OSError, smtplib.SMTPException) as exc:  # connection refused, reset, timeout
        values, retry = _retry_later(row, f"connection: {exc!r}"[:1000], now)
        outcome = "retried" if retry else "failed"
    else:
        values, outcome = _finish(NotificationStatus.SENT, None, now), "sent"
    return _count(result, outcome, _record(row, token, values))


def _count(result: DispatchResult, outcome: str, recorded: bool) -> bool:
    if recorded:
        setattr(result, outcome, getattr(result, outcome) + 1)
    else:
        result.superseded += 1
    return True


def dispatch_due(
    *,
    transport: Transport | None = None,
    clock: Callable[[], datetime] | None = None,
    batch: int = BATCH,
    time_budget: float = 50.0,
) -> DispatchResult:
    """Send due rows, batch after batch, until none is due or `time_budget` seconds pass.

    `clock` is for tests; without it time is the database's (see the module's notes).
    """
    result = DispatchResult()
    config = current_app.config
    transport = transport or transport_for(
        config["SMTP_URL"], config["MAIL_FOLDER"], timeout=config["SMTP_TIMEOUT"]
    )
    started = time.monotonic()
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        # One request context for the whole run: Babel caches its catalogues on it.
        with transport.session() as sender, current_app.test_request_context():
            while time.monotonic() - started < time_budget:
                if not _dispatch_batch(sender, clock, batch, result):
                    break
    finally:
        session.expire_on_commit = expire_on_commit
    return result


def _relaxed_commit() -> None:
    """Commit an outcome without waiting for PostgreSQL's disk flush.

    The mark survives a killed worker (the server has it); only a crash of the database
    server itself can lose the last fraction of a second of marks, and then those rows
    are sent again with their Message-ID: a duplicate, never a loss. The wait for the
    flush was most of the dispatcher's time per mail.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL synchronous_commit TO OFF"))
    db.session.commit()


def _dispatch_batch(
    sender: object, clock: Callable[[], datetime] | None, batch: int, result: DispatchResult
) -> bool:
    """Claim and send one batch; False when there is nothing more to do now."""
    # Each batch sees the visits and actions as they are now: rows are checked against them.
    db.session.expire_all()
    if sending_pause() is not None:
        db.session.rollback()
        result.paused = True
        return False
    claimed = claim(now=clock() if clock else None, limit=batch)
    if not claimed.ids:
        return False
    if clock is None and claimed.at is not None:
        # The database's time at the claim, moved on by this host's monotonic clock: the
        # lease and the deadlines are counted in the database's time, whatever this
        # host's wall clock says, with no query per mail.
        at, started = claimed.at, claimed.started

        def clock() -> datetime:
            return at + timedelta(seconds=time.monotonic() - started)

    # The claimed rows are ours alone until marked: they need not be re-read after each
    # commit (expire_on_commit is off for the run).
    rows = list(db.session.scalars(sa.select(Notification).where(Notification.id.in_(claimed.ids))))
    rows.sort(key=lambda r: (r.due_at, r.id))
    lookups = _Batch(opt_outs=_opt_outs(rows), stale={})
    # Past half the lease another dispatcher may take our rows over: hand them back
    # rather than race it (a slow server must not turn into duplicates).
    lease = timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    for position, row in enumerate(rows):
        if clock() - row.claimed_at > lease / 2:
            _release(rows[position:], claimed.token)
            return True
        go_on = _send_one(row, claimed.token, sender, clock(), result, lookups)
        _relaxed_commit()
        if not go_on:
            _release(rows[position + 1 :], claimed.token)
            return False
    return True
