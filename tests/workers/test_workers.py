"""Celery: settings, tasks called directly, and a real worker process on the real broker.

Without REDIS_URL the broker is the embedded one (kombu's SQLAlchemy transport on a SQLite
file); in CI REDIS_URL and DATABASE_URL point at this machine's Redis and PostgreSQL, so
the same test proves a worker takes a task from Redis and writes to PostgreSQL.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from celery.app.defaults import NAMESPACES, flatten

from config import VISIBILITY_TIMEOUT
from inspections.system.models import WorkerHeartbeat
from workers.tasks import heartbeat

ROOT = Path(__file__).parents[2]


def test_celery_settings_follow_the_reliability_notes(app):
    conf = app.extensions["celery"].conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_serializer == "json" and conf.result_serializer == "json"
    assert list(conf.accept_content) == ["json"]
    if conf.broker_url.startswith("redis"):
        assert conf.broker_transport_options["visibility_timeout"] == VISIBILITY_TIMEOUT
    assert conf.enable_utc is True
    assert conf.beat_schedule["system-heartbeat"]["task"] == "system.heartbeat"


def test_every_celery_setting_is_one_celery_knows(app):
    """A mis-spelt setting would silently do nothing."""
    known = {name for name, _ in flatten(NAMESPACES)}
    assert set(app.config["CELERY"]) - known == set()


def test_tasks_have_explicit_stable_names(app):
    celery_app = app.extensions["celery"]
    celery_app.loader.import_default_modules()
    ours = {name for name in celery_app.tasks if not name.startswith("celery.")}
    assert "system.heartbeat" in ours
    assert not any(name.startswith("workers.") for name in ours)


def test_heartbeat_task_records_the_worker(app, db):
    heartbeat.apply()
    heartbeat.apply()
    beat = db.session.scalar(sa.select(WorkerHeartbeat))
    assert beat.count == 2


def test_a_real_worker_takes_a_task_from_the_broker_and_writes_to_the_database(
    app, db, instance_dir, migrated
):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    name = f"{queue}@{socket.gethostname()}"
    env = os.environ | {
        "INSPECTIONS_INSTANCE": str(instance_dir),
        "DATABASE_URL": migrated,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "PYTHONPATH": str(ROOT),
    }
    log = instance_dir / f"{queue}.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "--pool=solo",
             "-Q", queue, "-n", name, "--without-mingle", "--without-gossip", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        app.extensions["celery"].send_task("system.heartbeat", queue=queue)
        deadline = time.monotonic() + 90
        beat = None
        while beat is None and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.5)
            db.session.rollback()
            beat = db.session.get(WorkerHeartbeat, name)
        assert beat is not None, "the worker did not run the task:\n" + log.read_text()[-3000:]
        assert beat.count == 1
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
