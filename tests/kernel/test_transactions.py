"""A savepoint never commits on its own: rolling the request back undoes what it made.

On SQLite the driver opens a transaction only at the first INSERT/UPDATE/DELETE, so a
savepoint issued first used to start (and, when released, commit) a transaction of its
own: a case whose attachment was then refused stayed behind.
"""

from __future__ import annotations

import sqlalchemy as sa

from inspections.units.models import Unit, UnitKind


def _count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) or 0


def test_a_released_savepoint_is_undone_by_the_rollback_of_its_transaction(db):
    db.session.commit()  # start from a fresh transaction, as a request does
    before = _count(db)
    with db.session.begin_nested():
        db.session.add(Unit(code="SP-1", name="Phường Thử", search_name="phuong thu", kind=UnitKind.COMMUNE))
    db.session.rollback()
    assert _count(db) == before


def test_a_committed_savepoint_is_kept(db):
    db.session.commit()
    before = _count(db)
    with db.session.begin_nested():
        db.session.add(Unit(code="SP-2", name="Phường Giữ", search_name="phuong giu", kind=UnitKind.COMMUNE))
    db.session.commit()
    assert _count(db) == before + 1
