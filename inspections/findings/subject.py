"""What findings are recorded on, and documents written about: a visit or a case."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from inspections.cases.models import Case
from inspections.documents.models import Document, DocumentKind
from inspections.extensions import db
from inspections.findings.models import Finding
from inspections.plans.models import Plan
from inspections.teams.models import Team
from inspections.units.models import Unit
from inspections.visits.models import Visit


@dataclass(frozen=True)
class Subject:
    """A visit of an inspection, or a case: exactly one of the two is set."""

    visit: Visit | None
    case: Case | None

    @property
    def team(self) -> Team | None:
        return self.visit.inspection.team if self.visit else self.case.team  # type: ignore[union-attr]

    @property
    def unit(self) -> Unit:
        return self.visit.inspection.unit if self.visit else self.case.unit  # type: ignore[union-attr]

    @property
    def plan(self) -> Plan:
        return self.visit.inspection.plan if self.visit else self.case.plan  # type: ignore[union-attr]

    def where(self) -> sa.ColumnElement[bool]:
        """The subject's documents."""
        if self.visit is not None:
            return Document.visit_id == self.visit.id
        return Document.case_id == self.case.id  # type: ignore[union-attr]

    def finding_filter(self) -> sa.ColumnElement[bool]:
        if self.visit is not None:
            return Finding.visit_id == self.visit.id
        return Finding.case_id == self.case.id  # type: ignore[union-attr]


def documents_of(subject: Subject) -> dict[DocumentKind, Document]:
    """The subject's minutes and conclusion (read here, so the visit and case pages need not
    import the documents feature, which sits above them)."""
    return {d.kind: d for d in db.session.scalars(sa.select(Document).where(subject.where()))}
