from __future__ import annotations

from datetime import datetime, time
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
        sa.CheckConstraint(
            "opened_at IS NULL OR closed_at IS NULL OR closed_at > opened_at", name="minutes_close_after_open"
        ),
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
    # The minutes' record of the visit (Decree 30's biên bản): where, from when to when, and
    # who spoke for the unit. Unset, the visit's own place and hours are used and the
    # printed minutes leave the unit's representative to be written in by hand.
    venue: Mapped[str | None] = mapped_column(sa.String(255))
    opened_at: Mapped[time | None]  # local wall-clock time on the visit day
    closed_at: Mapped[time | None]
    unit_representative: Mapped[str | None] = mapped_column(sa.String(160))
    unit_representative_title: Mapped[str | None] = mapped_column(sa.String(160))
    unit_participants: Mapped[str | None] = mapped_column(sa.Text)  # one "name, position" a line
    # The digital signature (chữ ký số) of the kept PDF: when, and the certificate's subject.
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signature_subject: Mapped[str | None] = mapped_column(sa.String(255))

    @property
    def issued(self) -> bool:
        return self.status == DocumentStatus.ISSUED
