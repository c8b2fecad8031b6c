"""Claims: a due row goes to exactly one dispatcher; a dead dispatcher's rows come back."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from inspections.db import utcnow
from inspections.outbox.dispatch import claim_due
from inspections.outbox.models import Notification, NotificationStatus
from inspections.outbox.services import enqueue


def _rows(db, n: int, **options) -> None:
    for i in range(n):
        enqueue(key=f"claim:{i}", kind="visit_reminder", email=f"r{i}@test.example", **options)
    db.session.commit()


def test_a_claim_takes_at_most_its_limit_and_never_a_row_twice(db):
    _rows(db, 120)
    now = utcnow()
    first, second, third = (claim_due(now=now, limit=50) for _ in range(3))
    assert (len(first), len(second), len(third)) == (50, 50, 20)
    assert not set(first) & set(second) and not set(second) & set(third)
    assert claim_due(now=now, limit=50) == []


def test_future_and_backed_off_rows_are_not_due(db):
    _rows(db, 2, due_at=utcnow() + timedelta(hours=1))
    assert claim_due(now=utcnow()) == []
    assert len(claim_due(now=utcnow() + timedelta(hours=2))) == 2


def test_rows_of_a_dispatcher_that_died_are_claimed_again_after_the_lease(app, db):
    _rows(db, 3)
    now = utcnow()
    assert len(claim_due(now=now)) == 3
    lease = app.config["OUTBOX_LEASE_SECONDS"]
    assert claim_due(now=now + timedelta(seconds=lease - 1)) == []
    again = claim_due(now=now + timedelta(seconds=lease + 1))
    assert len(again) == 3
    attempts = db.session.scalars(sa.select(Notification.attempts)).all()
    assert attempts == [2, 2, 2]


def test_concurrent_dispatchers_claim_disjoint_rows(app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the concurrency is PostgreSQL's SKIP LOCKED")
    _rows(db, 400)
    now = utcnow()
    claimed: list[list[int]] = []

    def worker() -> None:
        with app.app_context():
            mine: list[int] = []
            while batch := claim_due(now=now, limit=25):
                mine += batch
            claimed.append(mine)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [i for mine in claimed for i in mine]
    assert len(every) == len(set(every)) == 400
    left = db.session.scalar(
        sa.select(sa.func.count()).where(Notification.status != NotificationStatus.SENDING)
    )
    assert left == 0
