"""Import jobs (inspections/imports): run one, and a beat tick that hands out again the
jobs whose task was lost or whose worker died (their heartbeat stopped)."""

from __future__ import annotations

import logging

from celery import shared_task

from inspections.imports.services import due_jobs, run_job

log = logging.getLogger(__name__)


# Not acks_late: a job is resumed from the database (claim, heartbeat, lease), so a
# redelivered message would only find it claimed. The run commits as it goes.
@shared_task(name="imports.run", ignore_result=True, acks_late=False)
def run(job_id: int) -> str | None:
    status = run_job(job_id)
    return status.value if status is not None else None


@shared_task(name="imports.recover", ignore_result=True)
def recover() -> int:
    ids = due_jobs()
    for job_id in ids:
        run.delay(job_id)
    if ids:
        log.info("imports: %s jobs handed out again", len(ids))
    return len(ids)
