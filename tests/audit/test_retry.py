"""A transient database conflict runs the unit of work again, whole: no 500, no double."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.auth import routes as auth_routes
from inspections.auth.models import Role
from tests.factories import PASSWORD


def _locked() -> sa.exc.OperationalError:
    return sa.exc.OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))


def test_a_request_that_meets_a_lock_is_run_again(db, make, client, login, monkeypatch):
    user = make.user(Role.OBSERVER)
    db.session.commit()
    real, calls = auth_routes.authenticate, []

    def conflict_once(username: str, password: str):
        calls.append(username)
        found = real(username, password)
        if len(calls) == 1:
            db.session.flush()  # the change and its event are in the transaction: both must go
            raise _locked()
        return found

    monkeypatch.setattr(auth_routes, "authenticate", conflict_once)
    response = login(user.username, PASSWORD)

    assert response.status_code == 302 and len(calls) == 2
    logins = db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "user.login"))
    assert logins == 1  # the first attempt's event was rolled back with it


def test_a_conflict_that_does_not_pass_ends_as_an_error_page(db, make, client, login, monkeypatch):
    user = make.user(Role.OBSERVER)
    db.session.commit()

    def always(username: str, password: str):
        raise _locked()

    monkeypatch.setattr(auth_routes, "authenticate", always)
    assert login(user.username, PASSWORD).status_code == 500
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "user.login")) == 0


def test_a_worker_task_that_meets_a_lock_is_run_again(app, db):
    celery, calls = app.extensions["celery"], []

    @celery.task(name="tests.conflict_once")
    def conflict_once() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise _locked()
        return len(calls)

    assert conflict_once.apply().get() == 2
