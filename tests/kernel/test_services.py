"""In CI (REQUIRE_SERVICES=1) the suite must really run on PostgreSQL and Redis.

Without this a mistyped DATABASE_URL would quietly fall back to SQLite and the "PostgreSQL
run" would prove nothing.
"""

from __future__ import annotations

import os

import pytest
import redis
import sqlalchemy as sa

from inspections.extensions import db as _db

pytestmark = pytest.mark.skipif(
    os.environ.get("REQUIRE_SERVICES") != "1", reason="only when REQUIRE_SERVICES=1 (CI)"
)


def test_the_suite_runs_on_postgresql(db):
    assert _db.engine.dialect.name == "postgresql"
    assert db.session.scalar(sa.text("SELECT 1")) == 1


def test_the_broker_is_redis(app):
    broker = app.extensions["celery"].conf.broker_url
    assert broker.startswith("redis://")
    assert redis.Redis.from_url(broker).ping()
