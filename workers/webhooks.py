"""Webhook deliveries: a beat tick sends the due ones (claims and retries live in the database)."""

from __future__ import annotations

import logging

from celery import shared_task

from inspections.webhooks.dispatch import deliver_due as deliver_webhooks

log = logging.getLogger(__name__)


@shared_task(name="webhooks.deliver_due", ignore_result=True, acks_late=True)
def deliver_due() -> int:
    attempted = deliver_webhooks()
    if attempted:
        log.info("webhooks: %s deliveries attempted", attempted)
    return attempted
