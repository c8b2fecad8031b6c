"""A unit of work that meets a transient database conflict is run again, whole.

Appends to the audit chain are serialised (audit.services), so they wait rather than
fail; what can still happen is a lock wait that outlasts SQLite's busy timeout, or a
PostgreSQL serialisation failure or deadlock. The right answer to those is to roll the
whole unit of work back and run it again: the user's change and its audit event commit
together or not at all, and the user never sees a 500 for it. Views and worker tasks are
wrapped by the app and worker factories.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import sqlalchemy as sa

from inspections.extensions import db

log = logging.getLogger(__name__)

ATTEMPTS = 4
P = ParamSpec("P")
T = TypeVar("T")

_SQLITE_TRANSIENT = ("database is locked", "database table is locked", "database is busy")
_POSTGRES_TRANSIENT = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def is_transient_conflict(exc: BaseException) -> bool:
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in _POSTGRES_TRANSIENT:
        return True
    return isinstance(exc, sa.exc.OperationalError) and any(m in str(exc.orig) for m in _SQLITE_TRANSIENT)


def retrying(fn: Callable[P, T]) -> Callable[P, T]:
    """`fn` run again (after a rollback and a short, jittered pause) on a transient conflict."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return fn(*args, **kwargs)
            except sa.exc.DBAPIError as exc:
                if attempt == ATTEMPTS or not is_transient_conflict(exc):
                    raise
                db.session.rollback()
                log.warning("database conflict in %s (attempt %s): %s", fn.__name__, attempt, exc.orig)
                time.sleep(random.uniform(0.01, 0.05) * attempt)  # noqa: S311 - jitter, not a secret
        raise AssertionError("unreachable")

    return run
