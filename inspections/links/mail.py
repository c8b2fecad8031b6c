"""The links a mail carries, made when the mail is rendered.

A link row is made once per mail (the outbox row's id is part of its key), so a retry
renders the same links, and the row's Message-ID never changes.
"""

from __future__ import annotations

from typing import Any

from inspections.documents.models import Document
from inspections.extensions import db
from inspections.links.models import LinkPurpose
from inspections.links.services import actions_of, issue, link_url
from inspections.notifications.models import Notification
from inspections.visits.models import Visit


def links_for(row: Notification) -> dict[str, Any]:
    if row.id is None or row.object_id is None:  # a preview, not a mail in the outbox
        return {}
    if row.kind == "schedule_notice" and row.object_type == "visit":
        return _schedule_notice(row)
    if row.kind == "conclusion_issued" and row.object_type == "document":
        return _conclusion(row)
    return {}


def _issue(row: Notification, purpose: LinkPurpose, obj: Visit | Document) -> str | None:
    link = issue(
        purpose, obj, email=row.recipient_email, contact_id=row.recipient_contact_id, notification_id=row.id
    )
    return link_url(link) if link else None


def _schedule_notice(row: Notification) -> dict[str, Any]:
    visit = db.session.get(Visit, row.object_id)
    if visit is None:
        return {}
    return {
        "acknowledge_url": _issue(row, LinkPurpose.ACKNOWLEDGE, visit),
        "self_assessment_url": _issue(row, LinkPurpose.SELF_ASSESSMENT, visit),
    }


def _conclusion(row: Notification, context: dict[str, Any] | None = None) -> dict[str, Any]:
    document = db.session.get(Document, row.object_id)
    if document is None:
        return {}
    out: dict[str, Any] = {"conclusion_url": _issue(row, LinkPurpose.CONCLUSION, document)}
    listed = list((row.context or {}).get("actions") or [])
    actions = actions_of(document)
    # The mail lists the actions in the conclusion's order (by id), as actions_of does.
    out["actions"] = [
        dict(item) | {"url": _issue(row, LinkPurpose.REMEDIATION, action)}
        for item, action in zip(listed, actions, strict=False)
    ]
    return out
