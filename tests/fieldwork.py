"""A small world for the field-work tests: a team on a visit, with the default checklist."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from inspections.auth.models import Role, User
from inspections.findings.checklists import load_default_template
from inspections.findings.models import ChecklistTemplate, Criterion, Finding
from inspections.plans.models import Plan
from inspections.teams.models import Team, TeamKind
from inspections.units.models import Unit, UnitContact
from inspections.visits.models import Inspection, Visit
from tests.factories import Factory, days_from_now


@dataclass
class Field:
    leader: User
    member: User
    coordinator: User
    outsider: User
    contact: User
    plan: Plan
    team: Team
    unit: Unit
    inspection: Inspection
    visit: Visit
    template: ChecklistTemplate

    def criteria(self, db: Any) -> list[Criterion]:
        """The criteria a finding can be recorded against (not the areas), in order."""
        return list(
            db.session.scalars(
                sa.select(Criterion)
                .where(Criterion.template_id == self.template.id, Criterion.parent_id.is_not(None))
                .order_by(Criterion.position)
            )
        )

    def visit_findings(self, db: Any) -> list[Finding]:
        return list(db.session.scalars(sa.select(Finding).where(Finding.visit_id == self.visit.id)))

    def areas(self, db: Any) -> list[Criterion]:
        return list(
            db.session.scalars(
                sa.select(Criterion)
                .where(Criterion.template_id == self.template.id, Criterion.parent_id.is_(None))
                .order_by(Criterion.position)
            )
        )


def build(
    make: Factory, db: Any, *, visit_at: datetime | None = None, kind: TeamKind = TeamKind.JOINT
) -> Field:
    leader = make.user(Role.INSPECTOR, home_unit_id=make.unit().id, full_name="Lê Minh Tuấn")
    member = make.user(Role.INSPECTOR, home_unit_id=make.unit().id, full_name="Đỗ Quang Huy")
    coordinator = make.user(Role.COORDINATOR)
    outsider = make.user(Role.INSPECTOR, home_unit_id=make.unit().id)
    plan = make.plan()
    plan.coordinators.append(coordinator)
    team = make.team(plan, kind, members=[leader, member])
    unit = make.unit(name="Quận Hà Đông")
    unit.contacts.append(UnitContact(name="Văn thư Quận Hà Đông", email="vanthu@hadong.example"))
    contact = make.user(Role.UNIT_CONTACT, home_unit_id=unit.id)
    inspection = make.inspection(team, unit, visit_at=visit_at or days_from_now(-1))
    template, _created = load_default_template()
    db.session.commit()
    return Field(
        leader,
        member,
        coordinator,
        outsider,
        contact,
        plan,
        team,
        unit,
        inspection,
        inspection.visits[0],
        template,
    )


def jpeg(taken: str | None = "2019:10:14 09:30:00", size: tuple[int, int] = (32, 24)) -> bytes:
    """A real JPEG, with an EXIF DateTimeOriginal when `taken` is given."""
    from PIL import Image

    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    if taken:
        exif.get_ifd(0x8769)[36867] = taken
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
