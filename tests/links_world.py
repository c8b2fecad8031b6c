"""Worlds for the signed-link tests: a schedule notice, a conclusion with actions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app

from inspections.documents.models import Document
from inspections.documents.services import Subject, issue_conclusion
from inspections.findings.services import save_visit_finding
from inspections.outbox.models import Notification
from inspections.outbox.render import render
from inspections.remediation.models import CorrectiveAction
from inspections.remediation.services import add_action
from inspections.reminders.notices import schedule_notices
from tests import fieldwork
from tests.factories import Factory, days_from_now

LINK_RE = re.compile(r"https?://\S+?/l/[a-z-]+/[A-Za-z0-9_.\-]+")
FINDING_TEXT = "Bộ phận một cửa chưa niêm yết thủ tục"


def links_in(row: Notification) -> list[str]:
    message = render(row)
    text = message.get_body(("plain",)).get_content()
    return LINK_RE.findall(text)


def path_of(url: str) -> str:
    return url.removeprefix(current_app.config["APP_URL"].rstrip("/"))


@dataclass
class Notice:
    field: fieldwork.Field
    row: Notification
    acknowledge: str  # paths
    self_assessment: str


def notice(make: Factory, db: Any, *, days: int = 10) -> Notice:
    """An announced visit `days` ahead, its schedule notice written (links issued) and rendered."""
    field = fieldwork.build(make, db, visit_at=days_from_now(days))
    [row] = schedule_notices(field.visit)
    db.session.commit()
    urls = links_in(row)
    db.session.commit()
    ack = next(u for u in urls if "/l/acknowledge/" in u)
    upload = next(u for u in urls if "/l/self-assessment/" in u)
    return Notice(field, row, path_of(ack), path_of(upload))


@dataclass
class Issued:
    field: fieldwork.Field
    document: Document
    actions: list[CorrectiveAction]
    row: Notification  # its mail, not rendered yet


def issued(make: Factory, db: Any) -> Issued:
    """A visit yesterday, two non-compliant findings with an action each, the conclusion issued."""
    field = fieldwork.build(make, db, visit_at=days_from_now(-1))
    criteria = field.criteria(db)
    actions = []
    with current_app.test_request_context():
        for i, text in enumerate(("Niêm yết thủ tục hành chính", "Cập nhật quy chế làm việc")):
            finding = save_visit_finding(
                field.visit, criterion_id=criteria[i].id, result="non_compliant", severity="low",
                text=FINDING_TEXT, expected_version=None, actor=field.leader,
            )  # fmt: skip
            actions.append(
                add_action(
                    finding, description=text, working_days=10, unit_id=field.unit.id, actor=field.leader
                )
            )
        document = issue_conclusion(Subject(field.visit, None), actor=field.leader, store_files=False)
    db.session.commit()
    row = db.session.scalar(sa.select(Notification).where(Notification.kind == "conclusion_issued"))
    return Issued(field, document, actions, row)


@dataclass
class Concluded:
    field: fieldwork.Field
    document: Document
    actions: list[CorrectiveAction]
    row: Notification
    conclusion: str  # paths
    remediation: list[str]


def concluded(make: Factory, db: Any) -> Concluded:
    """`issued`, its mail rendered: the paths of its links."""
    world = issued(make, db)
    urls = links_in(world.row)
    db.session.commit()
    conclusion = path_of(next(u for u in urls if "/l/conclusion/" in u))
    remediation = [path_of(u) for u in urls if "/l/action/" in u]
    return Concluded(world.field, world.document, world.actions, world.row, conclusion, remediation)
