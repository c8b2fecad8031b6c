"""Eight writers append to the audit chain at once: web requests and worker tasks.

On the embedded SQLite default the web process and the worker append at the same moment;
before appends took the write lock first, one of them failed with
`UNIQUE constraint failed: audit_events.prev_hash` and the user's change was lost. Run with
`-s` to print the figures (the PostgreSQL run uses its advisory lock).
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.audit.services import record, verify_chain
from inspections.auth.models import Role
from inspections.extensions import db as _db
from tests.conftest import IsolatedClient, csrf_token
from tests.factories import PASSWORD

WRITERS = 8
EACH = 500


@pytest.fixture
def audit_task(app):
    """A worker task that appends one event, run through the real Celery task class."""
    celery = app.extensions["celery"]

    @celery.task(name="tests.audit_append", bind=True)
    def append(self, n: int) -> int:
        event = record("test.worker", actor=None, object_type="test", object_id=n)
        _db.session.commit()
        return event.id

    return append


def _web_writer(app, username: str, results: Counter, failures: list[str]) -> None:
    app.test_client_class = IsolatedClient
    client = app.test_client()
    token = csrf_token(client)
    for _ in range(EACH):
        form = {"csrf_token": token, "username": username, "password": PASSWORD}
        response = client.post("/login", data=form)
        if response.status_code == 302:
            results["web"] += 1
            # A fresh session after each login: log out the cheap way, keep the token's session.
            client.delete_cookie("session")
            token = csrf_token(client)
        else:
            failures.append(f"login answered {response.status_code}")


def _worker_writer(task, results: Counter, failures: list[str]) -> None:
    for n in range(EACH):
        outcome = task.apply(args=(n,))
        if outcome.successful():
            results["worker"] += 1
        else:
            failures.append(repr(outcome.result))


def test_eight_writers_append_without_a_failure(app, db, make, audit_task):
    users = [make.user(Role.OBSERVER) for _ in range(WRITERS // 2)]
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    results: Counter = Counter()
    failures: list[str] = []
    threads = [threading.Thread(target=_web_writer, args=(app, u.username, results, failures)) for u in users]
    threads += [
        threading.Thread(target=_worker_writer, args=(audit_task, results, failures))
        for _ in range(WRITERS - len(users))
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    db.session.expire_all()
    total = db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) - before
    report = verify_chain()
    print(
        f"\naudit concurrency on {db.engine.dialect.name}: {WRITERS} writers x {EACH}, "
        f"{total} events in {elapsed:.1f} s, failures {len(failures)}, verify {'OK' if report.ok else report}"
    )
    assert failures[:3] == []
    assert results == {"web": WRITERS // 2 * EACH, "worker": (WRITERS - WRITERS // 2) * EACH}
    assert total == WRITERS * EACH
    assert report.ok
