"""The mails that carry a unit's signed links: their kinds, their links, and the mails the
portal writes itself (the conclusion, a decision on more time, a fresh link).

A kind's links are issued once, when `enqueue` has written its row (the row's id is part
of each link), and kept in the row's context: a retry sends the very same links, and
rendering the mail writes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from inspections.cases.models import Case
from inspections.documents.models import Document
from inspections.extensions import db
from inspections.findings.models import Finding
from inspections.links.models import LinkPurpose
from inspections.links.services import Target, issue, link_path, link_url
from inspections.outbox.kinds import register
from inspections.outbox.models import Notification
from inspections.outbox.services import enqueue
from inspections.remediation.models import CorrectiveAction, ExtensionRequest, ExtensionStatus
from inspections.units.models import Unit, UnitContact
from inspections.visits.models import Visit


def _link(row: Notification, purpose: LinkPurpose, obj: Target) -> str | None:
    link = issue(
        purpose, obj, email=row.recipient_email, contact_id=row.recipient_contact_id, notification_id=row.id
    )
    return link_url(link) if link else None


def visit_links(row: Notification) -> dict[str, Any]:
    """A schedule notice's links: acknowledge it, send the self-assessment report."""
    visit = db.session.get(Visit, row.object_id) if row.object_type == "visit" else None
    if visit is None:
        return {}
    return {
        "acknowledge_url": _link(row, LinkPurpose.ACKNOWLEDGE, visit),
        "self_assessment_url": _link(row, LinkPurpose.SELF_ASSESSMENT, visit),
    }


def actions_of(document: Document) -> list[CorrectiveAction]:
    """In id order, as the conclusion lists them."""
    where = (
        Finding.visit_id == document.visit_id if document.visit_id else Finding.case_id == document.case_id
    )
    return list(
        db.session.scalars(
            sa.select(CorrectiveAction)
            .join(Finding, Finding.id == CorrectiveAction.finding_id)
            .where(where)
            .order_by(CorrectiveAction.id)
        )
    )


def conclusion_links(row: Notification) -> dict[str, Any]:
    """A conclusion's links: read it, and report on each of its corrective actions."""
    document = db.session.get(Document, row.object_id) if row.object_type == "document" else None
    if document is None:
        return {}
    listed = list(row.context.get("actions") or [])
    # The mail lists the actions in the conclusion's order (by id), as actions_of does.
    return {
        "conclusion_url": _link(row, LinkPurpose.CONCLUSION, document),
        "actions": [
            dict(item) | {"url": _link(row, LinkPurpose.REMEDIATION, action)}
            for item, action in zip(listed, actions_of(document), strict=False)
        ],
    }


def decision_link(row: Notification) -> dict[str, Any]:
    """A decision on more time links to its action, to report on it."""
    req = db.session.get(ExtensionRequest, row.object_id) if row.object_type == "extension_request" else None
    action = db.session.get(CorrectiveAction, req.action_id) if req else None
    if action is None:
        return {}
    link = issue(
        LinkPurpose.REMEDIATION,
        action,
        email=row.recipient_email,
        contact_id=row.recipient_contact_id,
        notification_id=row.id,
    )
    return {"action_path": link_path(link) if link else ""}


CONCLUSION_ISSUED = register("conclusion_issued", links=conclusion_links)
EXTENSION_DECIDED = register("extension_decided", links=decision_link)
FRESH_LINK = register("fresh_link")


def _active_contacts(unit_id: int) -> list[UnitContact]:
    return list(
        db.session.scalars(
            sa.select(UnitContact).where(UnitContact.unit_id == unit_id, UnitContact.active.is_(True))
        )
    )


def _unit_of(document: Document) -> Unit:
    if document.visit_id is not None:
        return db.session.get(Visit, document.visit_id).inspection.unit  # type: ignore[union-attr]
    return db.session.get(Case, document.case_id).unit  # type: ignore[union-attr]


def mail_conclusion(document: Document) -> None:
    """The issued conclusion to the unit's active contacts, told from its frozen text."""
    content = document.content or {}
    unit = _unit_of(document)
    for contact in _active_contacts(unit.id):
        enqueue(
            key=f"document:{document.id}:{CONCLUSION_ISSUED}:contact:{contact.id}",
            kind=CONCLUSION_ISSUED,
            email=contact.email,
            name=contact.name,
            language=contact.language,
            contact_id=contact.id,
            object_type="document",
            object_id=document.id,
            context={
                "document_id": document.id,
                "symbol": document.symbol,
                "subtitle": content["subtitle"],
                "unit_name": unit.name,
                "issuer": content["issuer"],
                "place_date": content["place_date"],
                "actions": [
                    {
                        "description": a["description"],
                        "due": date.fromisoformat(a["due_on"]).strftime("%d/%m/%Y"),
                    }
                    for a in content["actions"]
                ],
                "action_path": f"/documents/{document.id}",
            },
        )


def mail_decision(req: ExtensionRequest) -> None:
    """The coordinator's decision on more time, to the unit's active contacts."""
    action = db.session.get(CorrectiveAction, req.action_id)
    for contact in _active_contacts(req.unit_id):
        enqueue(
            key=f"extension:{req.id}:decided:contact:{contact.id}",
            kind=EXTENSION_DECIDED,
            email=contact.email,
            name=contact.name,
            language=contact.language,
            user_id=contact.user_id,
            contact_id=contact.id,
            object_type="extension_request",
            object_id=req.id,
            context={
                "granted": req.status == ExtensionStatus.GRANTED,
                "description": action.description,  # type: ignore[union-attr]
                "old_due_on": req.old_due_on.isoformat(),
                "requested_on": req.requested_on.isoformat(),
                "due_on": action.due_on.isoformat(),  # type: ignore[union-attr]
                "decision_note": req.decision_note or "",
            },
        )
