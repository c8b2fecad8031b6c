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
from flask import current_app, url_for

from inspections.auth.models import User
from inspections.cases.models import Case
from inspections.documents.models import Document
from inspections.extensions import db
from inspections.findings.models import Finding
from inspections.links.models import LinkPurpose
from inspections.links.services import Target, issue, link_path, link_url
from inspections.outbox.kinds import register
from inspections.outbox.models import Notification
from inspections.outbox.services import enqueue
from inspections.plans.models import Plan
from inspections.remediation.models import CorrectiveAction, ExtensionRequest, ExtensionStatus
from inspections.teams.models import Team
from inspections.units.models import Unit, UnitContact
from inspections.visits.models import Visit


def _link(row: Notification, purpose: LinkPurpose, obj: Target) -> str | None:
    link = issue(
        purpose, obj, email=row.recipient_email, contact_id=row.recipient_contact_id, notification_id=row.id
    )
    return link_url(link) if link else None


# --- who answers a mail (its Reply-To), and the product's pages it links to -------------


def _person(user: User | None) -> dict[str, str] | None:
    return {"name": user.full_name, "email": user.email} if user is not None and user.active else None


def reply_people(plan: Plan | None, team: Team | None) -> dict[str, Any]:
    """The people a reply may go to, kept in the row's context (the outbox's render picks
    one by MAIL_REPLY_TO / MAIL_REPLY_TO_ROLE): the team's head, the plan's first coordinator."""
    head = team.head.user if team is not None and team.head else None
    coordinator = next((c for c in plan.coordinators if c.active), None) if plan is not None else None
    people = {"reply_team_head": _person(head), "reply_coordinator": _person(coordinator)}
    return {key: value for key, value in people.items() if value}


def _action_home(action: CorrectiveAction) -> tuple[Plan | None, Team | None, Visit | None, Case | None]:
    finding = db.session.get(Finding, action.finding_id)
    if finding is not None and finding.visit_id is not None:
        visit = db.session.get(Visit, finding.visit_id)
        if visit is not None:
            return visit.inspection.plan, visit.inspection.team, visit, None
    case = db.session.get(Case, finding.case_id) if finding is not None and finding.case_id else None
    return (case.plan, case.team, None, case) if case is not None else (None, None, None, None)


def _absolute(path: str) -> str:
    return current_app.config["APP_URL"].rstrip("/") + path


def visit_links(row: Notification) -> dict[str, Any]:
    """A schedule notice's links: acknowledge it, send the self-assessment report; and
    who answers it (the team head, the plan's coordinator)."""
    visit = db.session.get(Visit, row.object_id) if row.object_type == "visit" else None
    if visit is None:
        return {}
    return reply_people(visit.inspection.plan, visit.inspection.team) | {
        "acknowledge_url": _link(row, LinkPurpose.ACKNOWLEDGE, visit),
        "self_assessment_url": _link(row, LinkPurpose.SELF_ASSESSMENT, visit),
    }


def visit_page_links(row: Notification) -> dict[str, Any]:
    """A reminder about a visit: to the team or a coordinator, the visit's page; to a unit
    contact, no page (the schedule notice carried the unit's links); who answers it."""
    visit = db.session.get(Visit, row.object_id) if row.object_type == "visit" else None
    if visit is None:
        return {}
    out = reply_people(visit.inspection.plan, visit.inspection.team)
    if row.recipient_contact_id is None:
        out["visit_url"] = _absolute(url_for("findings.visit", visit_id=visit.id))
    return out


def action_links(row: Notification) -> dict[str, Any]:
    """A corrective action coming due or overdue. A contact of the action's unit gets the
    signed link of the portal's action page (report on it, ask for more time); a contact
    of the unit above (an escalation) none, as that link is the unit's own; a coordinator
    the page the action is on and the plan's overdue actions."""
    action = (
        db.session.get(CorrectiveAction, row.object_id) if row.object_type == "corrective_action" else None
    )
    if action is None:
        return {}
    plan, team, visit, case = _action_home(action)
    out = reply_people(plan, team)
    if row.recipient_contact_id is not None:
        contact = db.session.get(UnitContact, row.recipient_contact_id)
        if contact is not None and contact.unit_id == action.unit_id:
            link = issue(
                LinkPurpose.REMEDIATION,
                action,
                email=row.recipient_email,
                contact_id=row.recipient_contact_id,
                notification_id=row.id,
            )
            if link is not None:
                out["report_url"] = link_url(link)
        return out
    if visit is not None:
        out["page_url"] = _absolute(url_for("findings.visit", visit_id=visit.id))
    elif case is not None:
        out["page_url"] = _absolute(url_for("cases.detail", case_id=case.id))
    if plan is not None:
        out["actions_url"] = _absolute(url_for("remediation.index", plan=plan.id, overdue=1))
    return out


def digest_links(row: Notification) -> dict[str, Any]:
    """A coordinator's weekly digest: the plan's page, its schedule, its overdue actions
    and the requests for more time waiting for a decision."""
    plan = db.session.get(Plan, row.object_id) if row.object_type == "plan" else None
    if plan is None:
        return {}
    return {
        "plan_url": _absolute(url_for("plans.detail", plan_id=plan.id)),
        "schedule_url": _absolute(url_for("scheduling.schedule", plan_id=plan.id)),
        "actions_url": _absolute(url_for("remediation.index", plan=plan.id, overdue=1)),
        "extensions_url": _absolute(url_for("remediation.extensions")),
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
    visit = db.session.get(Visit, document.visit_id) if document.visit_id else None
    case = db.session.get(Case, document.case_id) if document.case_id else None
    people = (
        reply_people(visit.inspection.plan, visit.inspection.team)
        if visit is not None
        else reply_people(case.plan, case.team)
        if case is not None
        else {}
    )
    # The mail lists the actions in the conclusion's order (by id), as actions_of does.
    return people | {
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
    plan, team, _visit, _case = _action_home(action)
    return reply_people(plan, team) | {"action_path": link_path(link) if link else ""}


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
