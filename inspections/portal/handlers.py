"""What the unit is told when other features act: the conclusion, a decision on more time."""

from __future__ import annotations

from inspections.documents.models import Document
from inspections.events import ConclusionIssued, ExtensionDecided, handles
from inspections.extensions import db
from inspections.portal.mail import mail_conclusion, mail_decision
from inspections.remediation.models import ExtensionRequest


@handles(ConclusionIssued)
def conclusion_issued(event: ConclusionIssued) -> None:
    mail_conclusion(db.session.get(Document, event.document_id))  # type: ignore[arg-type]


@handles(ExtensionDecided)
def extension_decided(event: ExtensionDecided) -> None:
    mail_decision(db.session.get(ExtensionRequest, event.request_id))  # type: ignore[arg-type]
