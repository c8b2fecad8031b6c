"""Checklist templates: versioned, published one version at a time per code."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from inspections.audit.services import record, snapshot
from inspections.auth.models import User
from inspections.errors import Conflict, InvalidInput, NotFound
from inspections.extensions import db
from inspections.findings import default_checklist
from inspections.findings.models import ChecklistTemplate, Criterion, TemplateStatus, VisitChecklist


def load_default_template(*, actor: User | None = None) -> tuple[ChecklistTemplate, bool]:
    """The default template at its data version, created and published if missing.

    Idempotent: a template with this code and version is left as it is. Returns the
    template and whether it was created now.
    """
    existing = db.session.scalar(
        sa.select(ChecklistTemplate).where(
            ChecklistTemplate.code == default_checklist.CODE,
            ChecklistTemplate.version == default_checklist.VERSION,
        )
    )
    if existing is not None:
        return existing, False
    template = ChecklistTemplate(
        code=default_checklist.CODE,
        version=default_checklist.VERSION,
        name_vi=default_checklist.NAME_VI,
        name_en=default_checklist.NAME_EN,
        status=TemplateStatus.DRAFT,
    )
    db.session.add(template)
    position = 0

    def add(nodes: list[default_checklist.Node], parent: Criterion | None) -> None:
        nonlocal position
        for code, weight, text_vi, text_en, guidance_vi, guidance_en, children in nodes:
            position += 1
            criterion = Criterion(
                template=template,
                parent=parent,
                code=code,
                weight=weight,
                text_vi=text_vi,
                text_en=text_en,
                guidance_vi=guidance_vi,
                guidance_en=guidance_en,
                position=position,
            )
            db.session.add(criterion)
            add(children, criterion)

    add(default_checklist.AREAS, None)
    db.session.flush()
    record(
        "checklist.create",
        actor=actor,
        object_type="checklist_template",
        object_id=template.id,
        after={"code": template.code, "version": template.version, "criteria": position},
    )
    publish(template, actor=actor)
    return template, True


def publish(template: ChecklistTemplate, *, actor: User | None) -> None:
    """Publish this version; the version published before it is retired (visits keep it)."""
    if template.status == TemplateStatus.PUBLISHED:
        return
    if template.status == TemplateStatus.RETIRED:
        raise Conflict(_l("A retired checklist version cannot be published again."))
    previous = db.session.scalars(
        sa.select(ChecklistTemplate).where(
            ChecklistTemplate.code == template.code,
            ChecklistTemplate.status == TemplateStatus.PUBLISHED,
            ChecklistTemplate.id != template.id,
        )
    ).all()
    for old in previous:
        old.status = TemplateStatus.RETIRED
    template.status = TemplateStatus.PUBLISHED
    db.session.flush()
    record(
        "checklist.publish",
        actor=actor,
        object_type="checklist_template",
        object_id=template.id,
        after={"code": template.code, "version": template.version, "retired": [t.id for t in previous]},
    )


def new_version(template: ChecklistTemplate, *, actor: User | None) -> ChecklistTemplate:
    """A draft copy of `template` as the next version of its code, for editing."""
    latest = db.session.scalar(
        sa.select(sa.func.max(ChecklistTemplate.version)).where(ChecklistTemplate.code == template.code)
    )
    copy = ChecklistTemplate(
        code=template.code,
        version=(latest or 0) + 1,
        name_vi=template.name_vi,
        name_en=template.name_en,
        status=TemplateStatus.DRAFT,
    )
    db.session.add(copy)
    copies: dict[int, Criterion] = {}
    for criterion in template.criteria:  # ordered by position: parents come first
        copies[criterion.id] = Criterion(
            template=copy,
            parent=copies.get(criterion.parent_id) if criterion.parent_id else None,
            code=criterion.code,
            weight=criterion.weight,
            text_vi=criterion.text_vi,
            text_en=criterion.text_en,
            guidance_vi=criterion.guidance_vi,
            guidance_en=criterion.guidance_en,
            position=criterion.position,
        )
        db.session.add(copies[criterion.id])
    db.session.flush()
    record(
        "checklist.new_version",
        actor=actor,
        object_type="checklist_template",
        object_id=copy.id,
        after={"code": copy.code, "version": copy.version, "from": template.id},
    )
    return copy


def current_template(code: str = default_checklist.CODE) -> ChecklistTemplate | None:
    return db.session.scalar(
        sa.select(ChecklistTemplate)
        .where(ChecklistTemplate.code == code, ChecklistTemplate.status == TemplateStatus.PUBLISHED)
        .order_by(ChecklistTemplate.version.desc())
        .limit(1)
    )


def template_for_visit(visit_id: int) -> ChecklistTemplate | None:
    """The version the visit started with, else the one it would start with now."""
    kept = db.session.scalar(sa.select(VisitChecklist).where(VisitChecklist.visit_id == visit_id))
    return kept.template if kept is not None else current_template()


def start_checklist(visit_id: int) -> ChecklistTemplate:
    """Fix the visit's template version (on its first finding)."""
    kept = db.session.get(VisitChecklist, visit_id)
    if kept is not None:
        return kept.template
    template = current_template()
    if template is None:
        raise NotFound(_l("No checklist is published yet: an administrator must load one."))
    db.session.add(VisitChecklist(visit_id=visit_id, template_id=template.id))
    db.session.flush()
    return template


@dataclass
class AreaTree:
    area: Criterion
    items: list[tuple[Criterion, int]] = field(default_factory=list)  # (criterion, depth)


def tree(criteria: list[Criterion]) -> list[AreaTree]:
    """Areas in order, each with its criteria and sub-criteria flattened (depth 1 or 2)."""
    children: dict[int | None, list[Criterion]] = {}
    for c in sorted(criteria, key=lambda c: c.position):
        children.setdefault(c.parent_id, []).append(c)
    areas = []
    for area in children.get(None, []):
        node = AreaTree(area)

        def walk(parent_id: int, depth: int, node: AreaTree = node) -> None:
            for child in children.get(parent_id, []):
                node.items.append((child, depth))
                walk(child.id, depth + 1)

        walk(area.id, 1)
        areas.append(node)
    return areas


def area_of(criteria: list[Criterion]) -> dict[int, Criterion]:
    """Each criterion's area (its top ancestor)."""
    by_id = {c.id: c for c in criteria}
    result = {}
    for c in criteria:
        top = c
        while top.parent_id is not None:
            top = by_id[top.parent_id]
        result[c.id] = top
    return result


CRITERION_FIELDS = ("code", "text_vi", "text_en", "guidance_vi", "guidance_en", "weight")


def _ensure_draft(template: ChecklistTemplate) -> None:
    if template.status != TemplateStatus.DRAFT:
        raise Conflict(_l("Only a draft version can be edited: make a new version first."))


def save_criterion(
    template: ChecklistTemplate,
    *,
    criterion: Criterion | None = None,
    parent_id: int | None = None,
    code: str,
    text_vi: str,
    text_en: str,
    guidance_vi: str = "",
    guidance_en: str = "",
    weight: Decimal,
    actor: User | None,
) -> Criterion:
    """Add a criterion to a draft (an area without a parent) or change one of its criteria."""
    _ensure_draft(template)
    code, text_vi, text_en = code.strip(), text_vi.strip(), text_en.strip()
    if not code or not text_vi or not text_en:
        raise InvalidInput(_l("A criterion needs a code and its Vietnamese and English texts."))
    if not Decimal(weight).is_finite():  # NaN and Infinity (a signalling NaN raises when compared)
        raise InvalidInput(_l("The weight must be a number."))
    if weight < 0:
        raise InvalidInput(_l("A weight cannot be negative."))
    if parent_id is not None:
        parent = db.session.get(Criterion, parent_id)
        if parent is None or parent.template_id != template.id:
            raise InvalidInput(_l("Choose a parent from the same checklist."))
    before = snapshot(criterion, *CRITERION_FIELDS) if criterion else None
    if criterion is None:
        last = db.session.scalar(
            sa.select(sa.func.max(Criterion.position)).where(Criterion.template_id == template.id)
        )
        criterion = Criterion(template=template, parent_id=parent_id, position=(last or 0) + 1)
        db.session.add(criterion)
    elif criterion.template_id != template.id:
        raise InvalidInput(_l("Choose a parent from the same checklist."))
    criterion.code, criterion.text_vi, criterion.text_en = code, text_vi, text_en
    criterion.guidance_vi, criterion.guidance_en, criterion.weight = guidance_vi, guidance_en, weight
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise Conflict(
            _l("Another criterion of this checklist already has the code %(code)s.", code=code)
        ) from None
    record(
        "checklist.criterion",
        actor=actor,
        object_type="checklist_template",
        object_id=template.id,
        before=before,
        after=snapshot(criterion, *CRITERION_FIELDS) | {"criterion_id": criterion.id},
    )
    return criterion
