"""Migration 0010 on a database that already holds repeated acknowledgements: the first of
each visit stays, the copies go, and from then on the database refuses a second one.
Runs on the suite's database kind (SQLite, or PostgreSQL when DATABASE_URL names one)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa

from inspections import create_app
from inspections.extensions import db as _db
from tests.conftest import _is_postgres, settings_for
from tests.factories import days_from_now

BEFORE, AFTER = "0009_session_version", "0010_acknowledgement_unique"
INSERT = sa.text(
    "INSERT INTO notice_acknowledgements (visit_id, unit_id, acknowledged_at) VALUES (:v, :u, :at)"
)


@pytest.fixture
def scratch_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the suite's kind, for this test alone."""
    if not _is_postgres(database_url):
        yield f"sqlite:///{tmp_path / 'migration.sqlite3'}"
        return
    server = sa.make_url(database_url)
    name = f"inspections_mig_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _acks() -> list[tuple[int, int]]:
    rows = _db.session.execute(sa.text("SELECT id, visit_id FROM notice_acknowledgements ORDER BY id"))
    return [tuple(row) for row in rows]


@dataclass(frozen=True)
class _Visit:
    id: int
    unit_id: int


def _row(table: str, **values: object) -> int:
    """A row as the 0009 schema has it: the models know later columns (a unit's address...)."""
    names = ", ".join(values)
    marks = ", ".join(f":{k}" for k in values)
    statement = sa.text(f"INSERT INTO {table} ({names}) VALUES ({marks}) RETURNING id")  # noqa: S608
    return _db.session.execute(statement, values).scalar_one()


def _visit(plan_id: int, n: int, at: datetime) -> _Visit:
    now = days_from_now(0)
    unit_id = _row("units", code=f"u{n}", name=f"Đơn vị {n}", search_name=f"don vi {n}", kind="district",
                   active=True, created_at=now)  # fmt: skip
    team_id = _row("teams", plan_id=plan_id, name=f"Đoàn {n}", kind="joint", visits_per_day=1, created_at=now)
    inspection_id = _row("inspections", plan_id=plan_id, team_id=team_id, unit_id=unit_id, kind="joint",
                         status="scheduled", drawn=False, created_at=now)  # fmt: skip
    visit_id = _row("visits", inspection_id=inspection_id, starts_at=at, ends_at=at + timedelta(hours=4),
                    slot="morning", status="approved", fixed=False, version=1, created_at=at)  # fmt: skip
    return _Visit(visit_id, unit_id)


def test_0010_keeps_the_first_acknowledgement_of_each_visit(scratch_url, tmp_path):
    app = create_app(settings_for(scratch_url, tmp_path), instance_path=str(tmp_path))
    with app.app_context():
        flask_migrate.upgrade(revision=BEFORE)
        plan_id = _row("plans", year=2019, title="Kế hoạch 2019", window_start=date(2019, 3, 1),
                       window_end=date(2019, 12, 20), content_areas="", status="approved",
                       notice_working_days=5, created_at=days_from_now(0))  # fmt: skip
        first = _visit(plan_id, 1, days_from_now(3))
        second = _visit(plan_id, 2, days_from_now(4))
        _db.session.commit()
        at = days_from_now(0)
        for visit in (first, first, second, first, second):
            _db.session.execute(INSERT, {"v": visit.id, "u": visit.unit_id, "at": at})
        _db.session.commit()
        kept = [(1, first.id), (3, second.id)]

        flask_migrate.upgrade(revision=AFTER)
        assert _acks() == kept
        with pytest.raises(sa.exc.IntegrityError):
            _db.session.execute(INSERT, {"v": first.id, "u": first.unit_id, "at": at})
        _db.session.rollback()

        flask_migrate.downgrade(revision=BEFORE)  # and back: the rows stay, the rule goes
        _db.session.execute(INSERT, {"v": first.id, "u": first.unit_id, "at": at})
        _db.session.commit()
        assert len(_acks()) == 3
        _db.session.remove()
        _db.engine.dispose()
