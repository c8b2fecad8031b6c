"""Reminders per second through the real dispatcher vs a bare smtplib loop, and the
due-to-delivered latency, to a local SMTP sink (aiosmtpd, started here).

    .venv/bin/python bench/reminders.py                      # SQLite in a temp folder
    .venv/bin/python bench/reminders.py --database-url postgresql://postgres@127.0.0.1:5432/test

With a PostgreSQL URL a scratch database is created beside the one named and dropped at
the end. The dispatcher does everything it does in production: claim a batch, re-check
each row (deadline, supersession, opt-out), render both bodies in the recipient's
language, send over one reused SMTP connection, commit each outcome.
"""

from __future__ import annotations

import argparse
import smtplib
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from config import database_url as normalise  # noqa: E402
from inspections import create_app  # noqa: E402
from inspections.auth.models import Role  # noqa: E402
from inspections.db import utcnow  # noqa: E402
from inspections.extensions import db  # noqa: E402
from inspections.outbox.dispatch import dispatch_due  # noqa: E402
from inspections.outbox.models import Notification  # noqa: E402
from inspections.outbox.render import render  # noqa: E402
from inspections.outbox.services import enqueue  # noqa: E402
from inspections.reminders.notices import visit_context  # noqa: E402
from inspections.teams.models import TeamKind  # noqa: E402
from tests.factories import Factory, days_from_now  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def scratch_database(url: str | None, folder: Path) -> tuple[str, object]:
    if not url or not url.startswith(("postgres", "postgresql")):
        return f"sqlite:///{folder / 'bench.sqlite3'}", None
    server = sa.make_url(normalise(url, folder))
    name = f"bench_reminders_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return server.set(database=name).render_as_string(hide_password=False), drop


def fill(count: int, *, spread: float = 0.0, prefix: str) -> None:
    """`count` visit reminders, due now (or one every `spread` seconds from now)."""
    make = Factory(db)
    team = make.team(make.plan(), TeamKind.JOINT, members=[make.user(Role.INSPECTOR)])
    visit = make.inspection(team, make.unit(name="Quận Ba Đình"), visit_at=days_from_now(10)).visits[0]
    context = visit_context(visit) | {"working_days_before": 3, "audience": "team"}
    start = utcnow()
    for i in range(count):
        enqueue(
            key=f"{prefix}:{i}", kind="visit_reminder", email=f"r{i}@sink.example",
            name=f"Người nhận {i}", context=context,
            due_at=start + timedelta(seconds=i * spread), object_type="visit", object_id=visit.id,
        )  # fmt: skip
    db.session.commit()


def latencies(prefix: str) -> list[float]:
    """Due to delivered: `sent_at` is marked on the server's 250, i.e. when it has the mail."""
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Notification.due_at, Notification.sent_at).where(
            Notification.idempotency_key.like(f"{prefix}:%"), Notification.sent_at.is_not(None)
        )
    )
    return [(sent - due).total_seconds() for due, sent in rows]


@contextmanager
def sink_process() -> Iterator[tuple[str, int]]:
    """The sink in a process of its own, as a mail server would be (no shared GIL)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.smtp_sink"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        url = process.stdout.readline().strip()
        yield url, int(url.rsplit(":", 1)[1])
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
    url, drop = scratch_database(args.database_url, folder)
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "MAIL_FOLDER": str(folder / "mail")},
        instance_path=str(folder),
    )
    try:
        with app.app_context(), sink_process() as (sink_url, sink_port):
            flask_migrate.upgrade(revision="heads")
            app.config["SMTP_URL"] = sink_url
            print(f"database: {db.engine.dialect.name}; {args.count} reminders; sink {sink_url}")

            # 1. The real dispatcher, everything due at once: throughput.
            fill(args.count, prefix="burst")
            started = time.perf_counter()
            while dispatch_due(time_budget=600).handled:
                pass
            elapsed = time.perf_counter() - started
            burst = latencies("burst")
            if len(burst) != args.count:
                raise SystemExit(f"only {len(burst)} of {args.count} delivered")
            dispatcher_rate = args.count / elapsed

            # 2. A bare smtplib loop over one connection, the same (pre-rendered) messages.
            rows = db.session.scalars(sa.select(Notification).limit(args.count)).all()
            messages = []
            for row in rows:
                message = render(row)
                del message["Message-ID"]
                message["Message-ID"] = f"<bare-{row.id}@bench>"
                messages.append(message)
            started = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", sink_port) as client:
                for message in messages:
                    client.send_message(message)
            bare_rate = len(messages) / (time.perf_counter() - started)

            # 3. Steady state: reminders fall due at half the dispatcher's rate while a
            # worker polls; the latency a user sees (beat's tick interval aside).
            paced = min(args.count, 1000)
            spread = 2 / dispatcher_rate
            fill(paced, spread=spread, prefix="paced")
            deadline = time.monotonic() + paced * spread + 30
            while time.monotonic() < deadline:
                if not dispatch_due(time_budget=5).handled:
                    if len(latencies("paced")) >= paced:
                        break
                    time.sleep(0.05)
            steady = latencies("paced")

        print(f"dispatcher: {dispatcher_rate:8.1f} reminders/s  ({args.count} in {elapsed:.2f} s)")
        print(f"bare loop:  {bare_rate:8.1f} mails/s")
        print(f"ratio:      {dispatcher_rate / bare_rate:8.1%} of the bare loop (goal >= 50 %)")
        print(
            f"latency, all due at once: p50 {percentile(burst, 50) * 1000:.0f} ms, "
            f"p99 {percentile(burst, 99) * 1000:.0f} ms"
        )
        print(
            f"latency, steady {1 / spread:.0f}/s with a polling worker ({len(steady)} mails): "
            f"p50 {percentile(steady, 50) * 1000:.0f} ms, p99 {percentile(steady, 99) * 1000:.0f} ms"
        )
    finally:
        with app.app_context():
            db.engine.dispose()
        if drop:
            drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
