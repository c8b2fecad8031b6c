"""The scheduling task: compute one queued proposal in a worker."""

from __future__ import annotations

import logging

from celery import shared_task

from inspections.extensions import db
from inspections.scheduling.services import claim_proposal, compute_proposal, fail_proposal, progress_writer

log = logging.getLogger(__name__)


@shared_task(name="scheduling.propose", ignore_result=True)
def propose_schedule(proposal_id: int) -> None:
    if not claim_proposal(proposal_id):
        db.session.rollback()
        log.info("proposal %s is not queued; nothing to do", proposal_id)
        return
    db.session.commit()
    try:
        compute_proposal(proposal_id, progress=progress_writer(proposal_id))
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        log.exception("proposal %s failed", proposal_id)
        fail_proposal(proposal_id, repr(exc))
        db.session.commit()
        raise
