"""Tasks hold no rules: open the app context (FlaskTask does), call a service, commit."""

from __future__ import annotations

from celery import shared_task

from inspections.extensions import db
from inspections.system.services import anchor_audit_head, record_heartbeat


@shared_task(name="system.heartbeat", bind=True, ignore_result=True)
def heartbeat(self) -> None:
    record_heartbeat(worker=self.request.hostname or "unknown")
    db.session.commit()


@shared_task(name="audit.anchor", ignore_result=True)
def anchor_audit() -> None:
    anchor_audit_head()
    db.session.commit()
