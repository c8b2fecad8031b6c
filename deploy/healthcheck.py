#!/usr/bin/env python3
"""Health checks for a deployment on several hosts (deploy/README.md, "Health checks").

    python deploy/healthcheck.py web http://10.0.0.14:8000      # /healthz answers 200
    python deploy/healthcheck.py heartbeat --max-age 180        # beat + a worker alive
    python deploy/healthcheck.py clock --max-skew 5             # this host vs the database
    python deploy/healthcheck.py outbox --max-overdue 900       # nothing due waits too long

Each prints one line and exits 0 (ok), 1 (warning/stale) or 2 (cannot tell: the database
or the web host is unreachable), as monitoring agents (Nagios, Zabbix, a systemd timer)
expect. They read DATABASE_URL from the environment (the same environment file as the
services) and need only SQLAlchemy and psycopg, not the app: cheap enough for a timer.
Every age is measured by the database's clock, the one the dispatcher uses.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime

OK, STALE, UNKNOWN = 0, 1, 2


def _engine():
    import sqlalchemy as sa

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise SystemExit("DATABASE_URL is not set")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    args = {"connect_timeout": 5} if url.startswith("postgresql") else {}
    return sa.create_engine(url, connect_args=args, pool_pre_ping=True)


def _query(sql: str, **params: object) -> list[tuple]:
    import sqlalchemy as sa

    with _engine().connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(sql), params)]


def _database_now() -> datetime:
    return _aware(_query("SELECT CURRENT_TIMESTAMP")[0][0])


def _aware(value) -> datetime:
    if isinstance(value, str):  # SQLite
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def web(args: argparse.Namespace) -> int:
    if not args.url.startswith(("http://", "https://")):
        raise SystemExit("the web host's URL must be http:// or https://")
    try:
        url = args.url.rstrip("/") + "/healthz"
        with urllib.request.urlopen(url, timeout=args.timeout) as answer:  # noqa: S310 - checked above
            print(f"OK web: {answer.status} {answer.read().decode()[:200]}")
            return OK
    except urllib.error.HTTPError as exc:
        print(f"STALE web: {exc.code} {exc.read().decode()[:200]}")
        return STALE
    except OSError as exc:
        print(f"UNKNOWN web: {exc!r}")
        return UNKNOWN


def heartbeat(args: argparse.Namespace) -> int:
    """Beat sends `system.heartbeat` every minute and one worker (any) records it: a fresh
    row means beat ticks, Redis carries, a worker runs tasks and reaches the database. Per
    worker, use `celery -A workers.celery_app inspect ping -d NAME` (README)."""
    rows = _query(
        "SELECT worker, beat_at FROM worker_heartbeats WHERE :worker IS NULL OR worker = :worker "
        "ORDER BY beat_at DESC",
        worker=args.worker,
    )
    now = _database_now()
    if not rows:
        print("STALE heartbeat: no heartbeat recorded yet")
        return STALE
    worker, beat_at = rows[0]
    age = (now - _aware(beat_at)).total_seconds()
    state = "OK" if age <= args.max_age else "STALE"
    print(f"{state} heartbeat: newest from {worker}, {age:.0f} s old, database clock (max {args.max_age})")
    return OK if state == "OK" else STALE


def clock(args: argparse.Namespace) -> int:
    """A host whose clock is off still sends nothing early (time is the database's), but
    its beat ticks (and its view of them) are wrong: keep every host on NTP."""
    before = time.time()
    now = _database_now().timestamp()
    after = time.time()
    skew = (before + after) / 2 - now
    state = "OK" if abs(skew) <= args.max_skew else "STALE"
    print(f"{state} clock: this host is {skew:+.1f} s from the database's clock (max {args.max_skew})")
    return OK if state == "OK" else STALE


def outbox(args: argparse.Namespace) -> int:
    """The oldest row that is due and not sent (pending or claimed), by the database's clock."""
    rows = _query(
        "SELECT MIN(due_at) FROM notifications WHERE status IN ('pending', 'sending') "
        "AND due_at <= CURRENT_TIMESTAMP "
        "AND (next_attempt_at IS NULL OR next_attempt_at <= CURRENT_TIMESTAMP)"
    )
    oldest = rows[0][0]
    if oldest is None:
        print("OK outbox: nothing due waits")
        return OK
    overdue = (_database_now() - _aware(oldest)).total_seconds()
    state = "OK" if overdue <= args.max_overdue else "STALE"
    print(f"{state} outbox: the oldest due row waits {overdue:.0f} s (max {args.max_overdue})")
    return OK if state == "OK" else STALE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="check", required=True)
    p = sub.add_parser("web")
    p.add_argument("url")
    p.add_argument("--timeout", type=float, default=5)
    p.set_defaults(run=web)
    p = sub.add_parser("heartbeat")
    p.add_argument("--worker", help="one worker's name (celery@host); default: the newest of any")
    p.add_argument("--max-age", type=float, default=180)
    p.set_defaults(run=heartbeat)
    p = sub.add_parser("clock")
    p.add_argument("--max-skew", type=float, default=5)
    p.set_defaults(run=clock)
    p = sub.add_parser("outbox")
    p.add_argument("--max-overdue", type=float, default=900)
    p.set_defaults(run=outbox)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except Exception as exc:  # the database is unreachable: we cannot tell
        print(f"UNKNOWN {args.check}: {exc!r}"[:500])
        return UNKNOWN


if __name__ == "__main__":
    sys.exit(main())
