"""The outbox tasks: beat ticks that write the time-based rows and send the due ones.

Both are idempotent through database state (keys, claims), so they acknowledge late and
a tick lost with Redis is only a tick: the next one does the same work.
"""

from __future__ import annotations

import logging

from celery import shared_task

from inspections.db import utcnow
from inspections.extensions import db
from inspections.inbox.digest import send_digests as send_inbox_digests
from inspections.outbox.dispatch import dispatch_due as dispatch_outbox
from inspections.reminders.rules import schedule_due as schedule_reminders

log = logging.getLogger(__name__)


@shared_task(name="reminders.schedule_due", ignore_result=True, acks_late=True)
def schedule_due() -> int:
    written = schedule_reminders(utcnow())
    db.session.commit()
    if written:
        log.info("reminders: %s new outbox rows", written)
        dispatch_due.delay()
    return written


@shared_task(name="reminders.dispatch_due", ignore_result=True, acks_late=True)
def dispatch_due() -> dict[str, int]:
    result = dispatch_outbox()
    if result.handled or result.paused:
        log.info(
            "outbox: sent %s, retry %s, failed %s, cancelled %s, paused %s",
            result.sent, result.retried, result.failed, result.cancelled, result.paused,
        )  # fmt: skip
    return {"sent": result.sent, "retried": result.retried, "failed": result.failed}


@shared_task(name="inbox.send_digests", ignore_result=True, acks_late=True)
def send_digests() -> int:
    """The daily digests of what waits, for those who opted in (once a day each: the key
    holds the day, so an hourly tick writes each one once)."""
    written = send_inbox_digests(utcnow())
    db.session.commit()
    if written:
        log.info("inbox: %s digests written", written)
        dispatch_due.delay()
    return written
