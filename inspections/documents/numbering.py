"""Document numbers: each issuing body (an inspection team) keeps a register per year,
shared by its minutes and conclusions."""

from __future__ import annotations

import sqlalchemy as sa

from inspections.documents.models import DocumentKind, DocumentRegister
from inspections.extensions import db
from inspections.teams.models import Team

SYMBOLS = {DocumentKind.MINUTES: "BB", DocumentKind.CONCLUSION: "TB"}


def issuer_code(team: Team) -> str:
    return f"team-{team.id}"


def symbol(kind: DocumentKind, number: int) -> str:
    """The number as written on the document: "02/TB-ĐKT" (ĐKT: đoàn kiểm tra)."""
    return f"{number:02d}/{SYMBOLS[kind]}-ĐKT"


def next_number(issuer: str, year: int) -> tuple[DocumentRegister, int]:
    """Take the next number of the register; the row lock serialises concurrent issues."""
    query = sa.select(DocumentRegister).where(
        DocumentRegister.issuer_code == issuer, DocumentRegister.year == year
    )
    register = db.session.scalar(query.with_for_update())
    if register is None:
        try:
            with db.session.begin_nested():
                db.session.add(DocumentRegister(issuer_code=issuer, year=year, last_number=0))
        except sa.exc.IntegrityError:
            pass
        register = db.session.scalar(query.with_for_update())
    if register is None:  # pragma: no cover - the insert above or a concurrent one made it
        raise RuntimeError("document register row missing")
    register.last_number += 1
    db.session.flush()
    return register, register.last_number
