"""Claims: a due row goes to exactly one dispatcher; a dead dispatcher's rows come back;
a dispatcher whose lease ran out is fenced off by the claim token and the database's clock."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from inspections.auth.models import Role
from inspections.db import utcnow
from inspections.outbox.dispatch import (
    _finish,
    _record,
    _release,
    _retry_later,
    claim,
    claim_due,
    dispatch_due,
)
from inspections.outbox.models import Notification, NotificationStatus
from inspections.outbox.services import enqueue
from inspections.reminders.notices import visit_context
from inspections.teams.models import TeamKind
from tests.factories import days_from_now


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


# --- fencing: a dispatcher whose lease ran out changes nothing another has claimed since ---


class _TakenOverMidSend:
    """A transport whose first send takes as long as a partition: meanwhile another
    dispatcher claims the rows again (the lease ran out) and the clock moves past it."""

    def __init__(self, app, clock) -> None:
        self.app, self.clock, self.sent, self.other = app, clock, [], None

    def session(self):
        from contextlib import nullcontext

        return nullcontext(self)

    def send(self, message) -> None:
        self.sent.append(message["Message-ID"])
        if self.other is None:
            lease = timedelta(seconds=self.app.config["OUTBOX_LEASE_SECONDS"])
            self.clock.now += lease + timedelta(seconds=1)
            self.other = claim(now=self.clock.now)  # the other dispatcher


def _reminders(db, make, n: int, **options) -> None:
    """`n` visit reminders that render (the claim tests' rows need not)."""
    team = make.team(make.plan(), TeamKind.JOINT, members=[make.user(Role.INSPECTOR)])
    visit = make.inspection(team, make.unit(), visit_at=days_from_now(10)).visits[0]
    context = visit_context(visit) | {"working_days_before": 3, "audience": "team"}
    for i in range(n):
        enqueue(
            key=f"fence:{i}", kind="visit_reminder", email=f"r{i}@test.example", context=context,
            object_type="visit", object_id=visit.id, **options,
        )  # fmt: skip
    db.session.commit()


class _Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now


def test_a_claim_writes_a_fresh_token_and_a_claim_after_the_lease_replaces_it(app, db):
    _rows(db, 2)
    now = utcnow()
    first = claim(now=now)
    tokens = set(db.session.scalars(sa.select(Notification.claim_token)))
    assert tokens == {first.token} and len(first.token) == 32
    lease = timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"])
    second = claim(now=now + lease + timedelta(seconds=1))
    assert second.ids == first.ids and second.token != first.token
    db.session.expire_all()
    assert set(db.session.scalars(sa.select(Notification.claim_token))) == {second.token}


def test_a_dispatcher_back_after_its_lease_marks_nothing_and_sends_no_more(app, db, make):
    _reminders(db, make, 3)
    clock = _Clock()
    transport = _TakenOverMidSend(app, clock)
    result = dispatch_due(transport=transport, clock=clock)
    # It sent the one mail it was sending when it was cut off, then saw its lease had run
    # out: its outcome is not recorded, the other two rows are not sent by it again.
    assert len(transport.sent) == 1
    assert (result.sent, result.superseded) == (0, 1)
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Notification).order_by(Notification.id)).all()
    # The other dispatcher's claim stands, on every row, untouched by the stale release.
    assert {r.status for r in rows} == {NotificationStatus.SENDING}
    assert {r.claim_token for r in rows} == {transport.other.token}
    assert [r.attempts for r in rows] == [2, 2, 2]
    assert all(r.sent_at is None for r in rows)


def test_a_stale_retry_mark_cannot_reopen_a_row_the_new_claimer_sent(app, db):
    _rows(db, 1)
    now = utcnow()
    stale = claim(now=now)
    lease = timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"])
    fresh = claim(now=now + lease + timedelta(seconds=1))
    row = db.session.get(Notification, fresh.ids[0])
    assert _record(row, fresh.token, _finish(NotificationStatus.SENT, None, now))
    db.session.commit()
    # The stale dispatcher's 451 arrives late: without the token it would put the sent
    # row back to pending, and it would be sent once more.
    values, retry = _retry_later(row, "451 late", now)
    assert retry and not _record(row, stale.token, values)
    _release([row], stale.token)
    db.session.expire_all()
    row = db.session.get(Notification, row.id)
    assert row.status == NotificationStatus.SENT and row.last_error is None


def test_due_and_the_lease_are_the_database_clock_not_the_workers(app, db, make, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite is the embedded single-host database: its host's clock is the clock")
    database_now = db.session.scalar(sa.select(sa.func.now()))
    _reminders(db, make, 2, due_at=database_now + timedelta(minutes=2))
    # This worker's clock runs 5 minutes ahead: by its clock both rows are due.
    ahead = database_now + timedelta(minutes=5)
    monkeypatch.setattr("inspections.outbox.dispatch.utcnow", lambda: ahead)
    assert claim_due() == []
    sent = []

    class Collect:
        def session(self):
            from contextlib import nullcontext

            return nullcontext(self)

        def send(self, message) -> None:
            sent.append(message)

    assert dispatch_due(transport=Collect()).handled == 0 and sent == []
    # Due rows are claimed and stamped with the database's time, not the worker's.
    db.session.execute(sa.update(Notification).values(due_at=database_now - timedelta(seconds=1)))
    db.session.commit()
    result = dispatch_due(transport=Collect())
    assert result.sent == 2 and len(sent) == 2
    db.session.expire_all()
    for row in db.session.scalars(sa.select(Notification)):
        assert row.sent_at - database_now < timedelta(minutes=1)
        assert row.claimed_at - database_now < timedelta(minutes=1)
