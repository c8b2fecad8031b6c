"""Fixtures of the multi-host rig (tests/hosts/rig.py).

The rig takes minutes and needs root: it runs on request only, `RUN_HOSTS=1` (skipped with
the reason where the machine cannot: no root, no `ip netns`, no PostgreSQL 15 binaries)
or `REQUIRE_HOSTS=1` (then a machine that cannot run it fails the run instead).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.hosts import rig as hosts

REQUIRE_HOSTS = os.environ.get("REQUIRE_HOSTS") == "1"
RUN_HOSTS = REQUIRE_HOSTS or os.environ.get("RUN_HOSTS") == "1"
REMINDERS = 1000


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "hosts: a fault scenario on the multi-host rig (tests/hosts)")
    config.addinivalue_line("markers", "hosts_ci: the rig's scenarios that .ci/run runs (about 5 minutes)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.hosts)


def cannot_run(reason: str) -> None:
    if REQUIRE_HOSTS:
        pytest.fail(f"REQUIRE_HOSTS=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[hosts.Rig]:
    if not RUN_HOSTS:
        pytest.skip("the multi-host rig runs on request: RUN_HOSTS=1 or REQUIRE_HOSTS=1 (minutes, root)")
    reason = hosts.unavailable()
    if reason:
        cannot_run(reason)
    with hosts.Lock():
        the_rig = hosts.up()
        try:
            the_rig.web_start()
            yield the_rig
        finally:
            # The logs outlive the rig in pytest's own temp folder (kept for the last runs).
            keep = tmp_path_factory.mktemp("hosts-logs")
            shutil.copytree(the_rig.tmp / "logs", keep, dirs_exist_ok=True)
            the_rig.down()


@pytest.fixture(scope="session")
def rig_app(rig: hosts.Rig, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The controller's view of the rig's database: the schema built by the migrations."""
    import flask_migrate

    from config import database_url as normalise
    from inspections import create_app
    from inspections.extensions import db
    from tests.conftest import settings_for

    folder = tmp_path_factory.mktemp("hosts-controller")
    settings = settings_for(normalise(rig.database_url, folder), folder) | {
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5}},
        "CELERY": {"broker_url": rig.redis_url, "broker_connection_retry_on_startup": True},
    }
    app = create_app(settings, instance_path=str(folder))
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


class Scene:
    """One scenario's run: its reminders, its hosts, its accounting."""

    def __init__(self, rig: hosts.Rig, app: Any, name: str) -> None:
        self.rig, self.app, self.name = rig, app, name
        self.started = time.time()
        self.figures: dict[str, Any] = {"scenario": name}

    # --- the database, from the controller -------------------------------------------------

    def query(self, fn: Callable[[Any], Any], attempts: int = 30) -> Any:
        """Run `fn(session)` in a fresh transaction, again while the database is away."""
        from inspections.extensions import db

        with self.app.app_context():
            for attempt in range(attempts):
                try:
                    db.session.rollback()
                    return fn(db.session)
                except sa.exc.OperationalError:
                    db.session.rollback()
                    if attempt == attempts - 1:
                        raise
                    time.sleep(1)
                finally:
                    db.session.remove()
        return None

    def db_now(self) -> datetime:
        return self.query(lambda s: s.scalar(sa.select(sa.func.statement_timestamp())))

    def enqueue(
        self, count: int = REMINDERS, due: Callable[[datetime, int], datetime] | None = None
    ) -> dict[str, datetime]:
        """`count` visit reminders; returns {Message-ID: due_at}."""
        from inspections.auth.models import Role
        from inspections.extensions import db
        from inspections.outbox.models import Notification
        from inspections.outbox.services import enqueue
        from inspections.reminders.notices import visit_context
        from inspections.teams.models import TeamKind
        from tests.factories import Factory, days_from_now

        with self.app.app_context():
            make = Factory(db)
            unit = make.unit(name="Quận Hoàn Kiếm")
            team = make.team(make.plan(), TeamKind.JOINT, members=[make.user(Role.INSPECTOR)])
            visit = make.inspection(team, unit, visit_at=days_from_now(10)).visits[0]
            context = visit_context(visit) | {"working_days_before": 3, "audience": "team"}
            now = db.session.scalar(sa.select(sa.func.statement_timestamp()))
            for i in range(count):
                options = {"due_at": due(now, i)} if due else {"due_at": now}
                enqueue(
                    key=f"hosts:{visit.id}:{i}", kind="visit_reminder", email=f"r{i}@sink.example",
                    context=context, object_type="visit", object_id=visit.id, **options,
                )  # fmt: skip
            db.session.commit()
            rows = dict(db.session.execute(sa.select(Notification.message_id, Notification.due_at)).all())
            db.session.remove()
        assert len(rows) == count
        return rows

    def sending(self, claimed_before: datetime | None = None) -> dict[str, str | None]:
        """{Message-ID: claim token} of the rows claimed (in flight) now."""
        from inspections.outbox.models import Notification, NotificationStatus

        def find(session: Any) -> dict[str, str | None]:
            query = sa.select(Notification.message_id, Notification.claim_token).where(
                Notification.status == NotificationStatus.SENDING
            )
            if claimed_before is not None:
                query = query.where(Notification.claimed_at <= claimed_before)
            return dict(session.execute(query).all())

        return self.query(find)

    def left(self) -> int:
        from inspections.outbox.models import Notification, NotificationStatus

        return self.query(
            lambda s: s.scalar(
                sa.select(sa.func.count(Notification.id)).where(
                    Notification.status != NotificationStatus.SENT
                )
            )
        )

    def taken_over(self, at_fault: dict[str, str | None]) -> bool:
        """Every row claimed at the fault is sent, or claimed again under another token."""
        from inspections.outbox.models import Notification, NotificationStatus

        def check(session: Any) -> bool:
            now = dict(
                session.execute(
                    sa.select(Notification.message_id, Notification.claim_token).where(
                        Notification.message_id.in_(list(at_fault)),
                        Notification.status == NotificationStatus.SENDING,
                    )
                ).all()
            )
            return all(token != at_fault[mid] for mid, token in now.items())

        return self.query(check)

    def wait_all_sent(self, timeout: float) -> float:
        return hosts.wait_for(lambda: self.left() == 0, timeout, "every row to be sent", self.rig)

    # --- the sink --------------------------------------------------------------------------

    def accepted(self) -> list[dict]:
        return [r for r in self.rig.received() if r["accepted"]]

    def wait_delivered(self, count: int, timeout: float = 120) -> float:
        return hosts.wait_for(
            lambda: len(self.accepted()) >= count, timeout, f"{count} mails delivered", self.rig
        )

    def settle(self, seconds: float) -> None:
        time.sleep(seconds)

    # --- logs ------------------------------------------------------------------------------

    def log_count(self, proc: hosts.Proc, text: str) -> int:
        try:
            return proc.log.read_text(errors="replace").count(text)
        except FileNotFoundError:
            return 0

    # --- the accounting --------------------------------------------------------------------

    def account(
        self,
        expected: dict[str, datetime],
        in_flight: set[str],
        *,
        heal_at: float | None,
        all_sent_at: float,
        **extra: Any,
    ) -> dict[str, Any]:
        """The figures, and the assertions of the single-host fault test, for one run."""
        records = self.accepted()
        copies = Counter(r["message_id"] for r in records)
        delivered = set(copies)
        duplicated = {mid for mid, n in copies.items() if n > 1}
        lost = set(expected) - delivered
        self.figures |= {
            "reminders": len(expected),
            "sent": len(delivered & set(expected)),
            "lost": len(lost),
            "duplicated": sum(copies[m] - 1 for m in duplicated),
            "in_flight_at_fault": len(in_flight),
            "heal_to_all_sent_s": round(all_sent_at - heal_at, 1) if heal_at else None,
            "run_s": round(time.time() - self.started, 1),
        } | extra
        line = json.dumps(self.figures)
        print(f"\nhosts figures: {line}")
        if os.environ.get("HOSTS_FIGURES"):
            with open(os.environ["HOSTS_FIGURES"], "a") as out:
                out.write(line + "\n")
        assert lost == set()
        assert delivered == set(expected)
        # A duplicate is a mail in flight at the fault (its row claimed then), and every
        # copy is the same mail: one Message-ID, the same recipients.
        assert duplicated <= in_flight, f"duplicates not in flight at the fault: {duplicated - in_flight}"
        for mid in duplicated:
            same = [r for r in records if r["message_id"] == mid]
            assert all(r["recipients"] == same[0]["recipients"] for r in same)
        assert all(n <= 2 for n in copies.values())
        return self.figures


@pytest.fixture
def scene(rig: hosts.Rig, rig_app: Any, request: pytest.FixtureRequest) -> Iterator[Scene]:
    """A clean rig for one scenario: tables emptied, Redis flushed, a fresh SMTP sink, every
    link up; afterwards every process it started is killed, whatever happened."""
    import redis

    from inspections.extensions import db
    from tests.conftest import _empty_all_tables

    def reset() -> None:
        rig.stop_all(keep=(rig.pg, rig.redis, rig.web))
        for host, (_, nets) in hosts.HOSTS.items():
            for net in nets:
                rig.link(host, net, up=True)
        if rig.pg is None or rig.pg not in rig.procs or not rig.pg.alive():
            rig.pg_start()
        if rig.redis is None or rig.redis not in rig.procs or not rig.redis.alive():
            rig.redis_start()

    reset()
    with rig_app.app_context():
        _empty_all_tables()
        db.session.remove()
    redis.Redis.from_url(rig.redis_url).flushall()
    rig.sink_start(delay=float(os.environ.get("HOSTS_SINK_DELAY", "0.02")))
    try:
        yield Scene(rig, rig_app, request.node.name.removeprefix("test_"))
    finally:
        reset()


def later(seconds: float) -> Callable[[datetime, int], datetime]:
    return lambda now, i: now + timedelta(seconds=seconds)
