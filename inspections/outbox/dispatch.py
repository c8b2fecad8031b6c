"""The dispatcher: claim due outbox rows, send them, record what happened.

A claim is a conditional UPDATE that moves rows to `sending` (PostgreSQL picks them with
`FOR UPDATE SKIP LOCKED`, so concurrent workers take disjoint rows; SQLite serialises
writers, and the UPDATE re-checks the condition, a compare-and-set). Each outcome is
committed right after its send, so a worker killed mid-batch leaves at most the one mail
it was sending to be sent again, with the same Message-ID; its other claimed rows are
claimed again once the lease has run out.
"""

from __future__ import annotations

import logging
import random
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


def _due(now: datetime, lease: timedelta) -> sa.ColumnElement[bool]:
    pending = sa.and_(
        Notification.status == NotificationStatus.PENDING,
        Notification.due_at <= now,
        sa.or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
    )
    # A worker that died mid-send never marked its rows: take them over after the lease.
    abandoned = sa.and_(
        Notification.status == NotificationStatus.SENDING, Notification.claimed_at < now - lease
    )
    return sa.or_(pending, abandoned)


def claim_due(*, now: datetime, limit: int = BATCH) -> list[int]:
    """Move up to `limit` due rows to `sending` and commit; returns their ids."""
    lease = timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    pick = sa.select(Notification.id).where(_due(now, lease)).order_by(Notification.due_at, Notification.id)
    claim = sa.update(Notification).values(
        status=NotificationStatus.SENDING, claimed_at=now, attempts=Notification.attempts + 1
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # A CTE with FOR UPDATE is evaluated once: a subquery under IN may be rescanned
        # and, skipping what is locked, pick more rows than the limit.
        picked = pick.limit(limit).with_for_update(skip_locked=True).cte("picked")
        claim = claim.where(Notification.id == picked.c.id)
    else:
        targets = list(db.session.scalars(pick.limit(limit)))
        if not targets:
            return []
        claim = claim.where(Notification.id.in_(targets), _due(now, lease))  # compare-and-set
    claimed = db.session.scalars(
        claim.returning(Notification.id).execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(claimed)


def backoff(attempts: int) -> float:
    """Capped exponential backoff with jitter (half fixed, half random), in seconds."""
    base = current_app.config["OUTBOX_BACKOFF_BASE"]
    cap = current_app.config["OUTBOX_BACKOFF_CAP"]
    delay = min(cap, base * 2 ** max(attempts - 1, 0))
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not a secret


def _finish(row: Notification, status: NotificationStatus, error: str | None, now: datetime) -> None:
    row.status = status
    row.last_error = error
    row.next_attempt_at = None
    if status == NotificationStatus.SENT:
        row.sent_at = now


def _retry_later(row: Notification, error: str, now: datetime) -> bool:
    """Pending again after a backoff; failed if that would pass the deadline."""
    when = now + timedelta(seconds=backoff(row.attempts))
    if row.deadline_at is not None and when >= row.deadline_at:
        _finish(row, NotificationStatus.FAILED, f"{error} (deadline reached)", now)
        return False
    row.status = NotificationStatus.PENDING
    row.next_attempt_at = when
    row.last_error = error
    return True


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


def _release(rows: list[Notification]) -> None:
    """Claimed rows that were not tried go back untouched (their attempt did not happen);
    only while the claim is still ours (same claimed_at): compare-and-set."""
    for row in rows:
        db.session.execute(
            sa.update(Notification)
            .where(
                Notification.id == row.id,
                Notification.status == NotificationStatus.SENDING,
                Notification.claimed_at == row.claimed_at,
            )
            .values(status=NotificationStatus.PENDING, claimed_at=None, attempts=Notification.attempts - 1)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()


@dataclass
class _Batch:
    """What is looked up once per claimed batch instead of once per row."""

    opt_outs: set[tuple[str, str]]
    stale: dict[tuple[object, ...], str | None]


def _send_one(
    row: Notification, sender: object, now: datetime, result: DispatchResult, batch: _Batch
) -> bool:
    """Returns False when sending must stop (the server refused our login)."""
    if row.deadline_at is not None and now >= row.deadline_at:
        _finish(row, NotificationStatus.FAILED, "deadline passed before sending", now)
        result.failed += 1
        return True
    reason = stale_reason(row, batch.stale)
    if reason is None and not row.mandatory and (row.recipient_email.lower(), row.kind) in batch.opt_outs:
        reason = "recipient opted out"
    if reason is not None:
        _finish(row, NotificationStatus.CANCELLED, reason, now)
        result.cancelled += 1
        return True
    try:
        message = render(row)
    except Exception as exc:  # a template bug: retrying will not fix it
        log.exception("outbox: notification %s (%s) does not render", row.id, row.kind)
        _finish(row, NotificationStatus.FAILED, f"{RENDER_FAILED}{exc!r}"[:1000], now)
        result.failed += 1
        return True
    try:
        sender.send(message)  # type: ignore[attr-defined]
    except smtplib.SMTPAuthenticationError as exc:
        _release([row])
        pause_sending(f"{exc.smtp_code} {exc.smtp_error!r}", now=now)
        result.paused = True
        return False
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        error = f"recipient refused: {exc.recipients!r}"[:1000]
        if all(code >= 500 for code in codes):
            _finish(row, NotificationStatus.FAILED, error, now)
            result.failed += 1
        elif _retry_later(row, error, now):
            result.retried += 1
        else:
            result.failed += 1
    except smtplib.SMTPResponseException as exc:
        error = f"{exc.smtp_code} {exc.smtp_error!r}"[:1000]
        if exc.smtp_code >= 500:
            _finish(row, NotificationStatus.FAILED, error, now)
            result.failed += 1
        elif _retry_later(row, error, now):
            result.retried += 1
        else:
            result.failed += 1
    except (OSError, smtplib.SMTPException) as exc:  # connection refused, reset, timeout
        if _retry_later(row, f"connection: {exc!r}"[:1000], now):
            result.retried += 1
        else:
            result.failed += 1
    else:
        _finish(row, NotificationStatus.SENT, None, now)
        result.sent += 1
    return True


def dispatch_due(
    *,
    transport: Transport | None = None,
    clock: Callable[[], datetime] = utcnow,
    batch: int = BATCH,
    time_budget: float = 50.0,
) -> DispatchResult:
    """Send due rows, batch after batch, until none is due or `time_budget` seconds pass."""
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
    sender: object, clock: Callable[[], datetime], batch: int, result: DispatchResult
) -> bool:
    """Claim and send one batch; False when there is nothing more to do now."""
    # Each batch sees the visits and actions as they are now: rows are checked against them.
    db.session.expire_all()
    if sending_pause() is not None:
        db.session.rollback()
        result.paused = True
        return False
    ids = claim_due(now=clock(), limit=batch)
    if not ids:
        return False
    # The claimed rows are ours alone until marked: they need not be re-read after each
    # commit (expire_on_commit is off for the run).
    rows = list(db.session.scalars(sa.select(Notification).where(Notification.id.in_(ids))))
    rows.sort(key=lambda r: (r.due_at, r.id))
    lookups = _Batch(opt_outs=_opt_outs(rows), stale={})
    # Past half the lease another dispatcher may take our rows over: hand them back
    # rather than race it (a slow server must not turn into duplicates).
    lease = timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    for position, row in enumerate(rows):
        if clock() - row.claimed_at > lease / 2:
            _release(rows[position:])
            return True
        go_on = _send_one(row, sender, clock(), result, lookups)
        _relaxed_commit()
        if not go_on:
            _release(rows[position + 1 :])
            return False
    return True
