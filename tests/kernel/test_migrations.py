"""The models and the migrations describe the same schema."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from inspections.extensions import db as _db


def test_models_and_migrations_agree(db):
    """The test database was built by `flask db upgrade`; autogenerate must find nothing."""
    with _db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, _db.metadata)
    assert diff == []


def test_the_database_holds_the_rules(db, make):
    """A few rules are enforced by the database itself, not just by the code."""
    plan = make.plan()
    db.session.commit()
    for statement in (
        "UPDATE plans SET window_end = '2019-01-01' WHERE id = :id",
        "UPDATE plans SET status = 'bogus' WHERE id = :id",
        "UPDATE plan_targets SET count = -1 WHERE plan_id = :id",
    ):
        try:
            with db.session.begin_nested():
                db.session.execute(sa.text(statement), {"id": plan.id})
        except sa.exc.IntegrityError:
            continue
        raise AssertionError(f"the database accepted: {statement}")
