"""An issued conclusion as bare rows, for rules that only ask whether one exists (the
documents service would also write its own mail, which these tests do not look at)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from inspections.documents.models import Document, DocumentKind, DocumentRegister, DocumentStatus
from inspections.visits.models import Visit

_seq = itertools.count(1)


def issue_conclusion(db: Any, visit: Visit, *, by: int) -> Document:
    register = DocumentRegister(issuer_code=f"ĐKT-{next(_seq)}", year=2019, last_number=1)
    db.session.add(register)
    db.session.flush()
    document = Document(
        kind=DocumentKind.CONCLUSION,
        status=DocumentStatus.ISSUED,
        visit_id=visit.id,
        register_id=register.id,
        number=1,
        symbol="01/TB-ĐKT",
        place="Hà Nội",
        created_by_id=by,
        issued_by_id=by,
        issued_at=datetime(2019, 10, 2, 2, tzinfo=UTC),
    )
    db.session.add(document)
    db.session.flush()
    return document
