from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspections.db import UTCDateTime, str_enum, utcnow
from inspections.extensions import db

if TYPE_CHECKING:
    from inspections.auth.models import User
    from inspections.visits.models import Visit


class TemplateStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class ChecklistTemplate(db.Model):
    """A versioned checklist; a visit keeps the version it started with."""

    __tablename__ = "checklist_templates"
    __table_args__ = (
        sa.UniqueConstraint("code", "version"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    version: Mapped[int]
    name_vi: Mapped[str] = mapped_column(sa.String(255))
    name_en: Mapped[str] = mapped_column(sa.String(255))
    status: Mapped[TemplateStatus] = mapped_column(str_enum(TemplateStatus), default=TemplateStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="template", cascade="all, delete-orphan", order_by="Criterion.position"
    )


class Criterion(db.Model):
    """An area (no parent), a criterion, or a sub-criterion of a checklist template."""

    __tablename__ = "criteria"
    __table_args__ = (
        sa.UniqueConstraint("template_id", "code"),
        sa.CheckConstraint("weight >= 0", name="weight_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_templates.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("criteria.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    text_vi: Mapped[str] = mapped_column(sa.Text)
    text_en: Mapped[str] = mapped_column(sa.Text)
    guidance_vi: Mapped[str] = mapped_column(sa.Text, default="")
    guidance_en: Mapped[str] = mapped_column(sa.Text, default="")
    weight: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), default=Decimal(1))
    position: Mapped[int] = mapped_column(default=0)

    template: Mapped[ChecklistTemplate] = relationship(back_populates="criteria")
    parent: Mapped[Criterion | None] = relationship(remote_side=[id])

    @property
    def is_area(self) -> bool:
        return self.parent_id is None

    def text(self, language: str) -> str:
        return self.text_en if language == "en" else self.text_vi

    def guidance(self, language: str) -> str:
        return self.guidance_en if language == "en" else self.guidance_vi


class FindingResult(StrEnum):
    COMPLIANT = "compliant"
    NON_COMPLIANT = "non_compliant"
    OBSERVATION = "observation"
    GOOD_PRACTICE = "good_practice"
    NOT_APPLICABLE = "not_applicable"


class Severity(StrEnum):
    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Finding(db.Model):
    """What a team found against one criterion, during a visit or for a case."""

    __tablename__ = "findings"
    __table_args__ = (
        sa.CheckConstraint("(visit_id IS NULL) <> (case_id IS NULL)", name="on_visit_or_case"),
        sa.UniqueConstraint("visit_id", "criterion_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("visits.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    criterion_id: Mapped[int | None] = mapped_column(sa.ForeignKey("criteria.id"))
    result: Mapped[FindingResult] = mapped_column(str_enum(FindingResult))
    severity: Mapped[Severity] = mapped_column(str_enum(Severity), default=Severity.NONE)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    # Restricted: shown only to the team, the plan's coordinators and admins.
    named_individuals: Mapped[str] = mapped_column(sa.Text, default="")
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    author: Mapped[User] = relationship()
    criterion: Mapped[Criterion | None] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(back_populates="finding", order_by="Evidence.id")

    __mapper_args__ = {"version_id_col": version}


class Evidence(db.Model):
    """A photo or document attached to a finding, stored under instance/ by content hash."""

    __tablename__ = "evidence"
    __table_args__ = (sa.CheckConstraint("size_bytes > 0", name="not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("findings.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    finding: Mapped[Finding] = relationship(back_populates="evidence")

    @property
    def is_photo(self) -> bool:
        return self.content_type.startswith("image/")


class VisitChecklist(db.Model):
    """The template version a visit started with: later versions never change it."""

    __tablename__ = "visit_checklists"

    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_templates.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    template: Mapped[ChecklistTemplate] = relationship()


class RefusedSave(db.Model):
    """A save the offline queue sent later and the server refused.

    The draft itself stays in the member's browser (IndexedDB), which the server cannot
    see; this row lets the inbox say that a draft waits there, and why it was refused. It
    is removed when that member's finding on the criterion is saved.
    """

    __tablename__ = "refused_saves"
    __table_args__ = (sa.UniqueConstraint("user_id", "visit_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criteria.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(sa.Text)
    refused_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    visit: Mapped[Visit] = relationship()
    criterion: Mapped[Criterion] = relationship()
