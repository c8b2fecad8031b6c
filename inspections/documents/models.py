from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from inspections.db import UTCDateTime, json_type, str_enum, utcnow
from inspections.extensions import db


class DocumentKind(StrEnum):
    MINUTES = "minutes"  # biên bản kiểm tra
    CONCLUSION = "conclusion"  # thông báo kết luận kiểm tra


class DocumentStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"


class DocumentRegister(db.Model):
    """The number book (sổ đăng ký văn bản) of one issuing body for one year."""

    __tablename__ = "document_registers"
    __table_args__ = (
        sa.UniqueConstraint("issuer_code", "year"),
        sa.CheckConstraint("last_number >= 0", name="number_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_code: Mapped[str] = mapped_column(sa.String(60))
    year: Mapped[int]
    last_number: Mapped[int] = mapped_column(default=0)


class Document(db.Model):
    """A numbered document of a visit or a case; an issued one is frozen in `content`."""

    __tablename__ = "documents"
    __table_args__ = (
        sa.CheckConstraint("(visit_id IS NULL) <> (case_id IS NULL)", name="on_visit_or_case"),
        sa.UniqueConstraint("visit_id", "kind"),
        sa.UniqueConstraint("case_id", "kind"),
        sa.UniqueConstraint("register_id", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind))
    status: Mapped[DocumentStatus] = mapped_column(str_enum(DocumentStatus), default=DocumentStatus.DRAFT)
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("visits.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    register_id: Mapped[int] = mapped_column(sa.ForeignKey("document_registers.id"))
    number: Mapped[int]
    symbol: Mapped[str] = mapped_column(sa.String(60))  # e.g. 03/TB-ĐKT
    place: Mapped[str] = mapped_column(sa.String(120))
    signer_name: Mapped[str] = mapped_column(sa.String(160), default="")
    # The rendered text as issued; a draft is rebuilt from the findings each time.
    content: Mapped[dict[str, Any] | None] = mapped_column(json_type())
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    docx_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def issued(self) -> bool:
        return self.status == DocumentStatus.ISSUED
