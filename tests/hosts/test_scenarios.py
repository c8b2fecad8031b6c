"""Several hosts, real faults, no reminder lost (issue 17).

Each scenario queues 1,000 due reminders on the rig (tests/hosts/rig.py: two workers, a
beat, a web host, PostgreSQL, Redis and an SMTP sink, each in its own network namespace),
injects one fault mid-dispatch and holds the run to the single-host fault test's
accounting: every reminder delivered, and only mails in flight at the fault (their rows
claimed then) delivered twice, with the Message-ID of the first copy. Each prints its
figures (`hosts figures: {...}`; also appended to $HOSTS_FIGURES when set).

    REQUIRE_HOSTS=1 .venv/bin/pytest tests/hosts -m hosts_ci -s    # the CI subset, ~4.5 min
    REQUIRE_HOSTS=1 .venv/bin/pytest tests/hosts -s                # all, ~7 min
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from datetime import timedelta

import pytest
import redis

from tests.hosts import rig as hosts
from tests.hosts.conftest import REQUIRE_HOSTS, Scene

WORKER_DONE = re.compile(r"reminders\.dispatch_due\[[^\]]+\] (succeeded|raised)")


def _start(scene: Scene, **w1: str) -> tuple[hosts.Proc, hosts.Proc, hosts.Proc]:
    rig = scene.rig
    return rig.worker("w1", **w1), rig.worker("w2"), rig.beat("beat")


def _dispatch_now(scene: Scene, count: int = 1) -> None:
    """What the web host does after a resend or a resume (send_task: no expiry)."""
    from celery import Celery

    broker = Celery(broker=scene.rig.redis_url)
    try:
        for _ in range(count):
            broker.send_task("reminders.dispatch_due")
    finally:
        broker.close()


def _queued(scene: Scene) -> int:
    return int(redis.Redis.from_url(scene.rig.redis_url, socket_timeout=5).llen("celery"))


def _fenced(scene: Scene, *procs: hosts.Proc) -> int:
    return sum(scene.log_count(p, "claimed by another dispatcher") for p in procs)


@pytest.mark.hosts_ci
def test_a_worker_host_cut_off_from_postgresql_mid_dispatch(scene: Scene) -> None:
    """Its SMTP still works; healed after its leases ran out and w2 took its rows over."""
    rig = scene.rig
    expected = scene.enqueue()
    w1, w2, _ = _start(scene)
    scene.wait_delivered(250)
    w1_address = hosts.address("w1", "svc")
    hosts.wait_for(lambda: any(r["peer"] == w1_address for r in scene.accepted()), 60, "w1 to send", rig)
    rig.link("w1", "db", up=False)  # the switch port: the database is gone, SMTP is not
    cut = time.time()
    in_flight = scene.sending()
    w1_log = w1.log.stat().st_size
    hosts.wait_for(lambda: scene.taken_over(in_flight), 120, "w2 to take the cut-off rows over", rig)
    rig.link("w1", "db", up=True)
    heal = time.time()
    all_sent = scene.wait_all_sent(180)
    # w1 comes back with its stale batch: wait until its hung task ends, so whatever it
    # does with the rows it held (a late mark, a send) is in the accounting.
    hosts.wait_for(
        lambda: bool(WORKER_DONE.search(w1.log.read_text(errors="replace")[w1_log:])),
        120, "w1's cut-off task to end", rig,
    )  # fmt: skip
    scene.settle(3)
    after_heal = [r for r in scene.accepted() if r["at"] > heal and r["peer"] == w1_address]
    scene.account(
        expected, set(in_flight), heal_at=heal, all_sent_at=all_sent,
        partitioned_s=round(heal - cut, 1), fenced_marks=_fenced(scene, w1, w2),
        sent_by_w1_after_heal=len(after_heal),
    )  # fmt: skip


@pytest.mark.hosts_ci
def test_postgresql_restarted_mid_dispatch(scene: Scene) -> None:
    """An immediate shutdown (a crash: the marks not yet flushed are lost), down 5 s."""
    rig = scene.rig
    expected = scene.enqueue()
    _start(scene)
    scene.wait_delivered(250)
    before = scene.sending()
    crash = scene.db_now()
    health: list[int] = []
    heal = rig.pg_crash_restart(down_for=5, during=lambda: (time.sleep(2), health.append(rig.healthz()[0])))
    # In flight: claimed at the crash, as the recovered database says (a mark that was
    # acknowledged but not yet on disk is undone by the crash: its row is in flight again).
    in_flight = set(before) | set(scene.sending(claimed_before=crash))
    all_sent = scene.wait_all_sent(180)
    scene.settle(3)
    assert health == [503]  # the web host's /healthz said so while the database was away
    assert rig.healthz()[0] == 200
    scene.account(expected, in_flight, heal_at=heal, all_sent_at=all_sent, healthz_during_outage=health[0])


@pytest.mark.hosts_ci
def test_redis_restarted_with_jobs_queued(scene: Scene) -> None:
    """Jobs waiting in Redis (AOF on, so not flushed) when it restarts; down 5 s."""
    rig = scene.rig
    expected = scene.enqueue()
    _start(scene)
    scene.wait_delivered(250)
    _dispatch_now(scene, 30)  # the web host's dispatch-now jobs, queued behind the ticks
    queued_before = _queued(scene)
    in_flight = scene.sending()
    heal = rig.redis_restart(down_for=5)
    queued_after = _queued(scene)
    all_sent = scene.wait_all_sent(180)
    scene.settle(3)
    assert queued_before > 0
    scene.account(
        expected, set(in_flight), heal_at=heal, all_sent_at=all_sent,
        queued_before=queued_before, queued_after_restart=queued_after,
    )  # fmt: skip


def test_the_smtp_relay_answers_451_for_two_minutes(scene: Scene) -> None:
    outage = float(os.environ.get("HOSTS_SMTP_OUTAGE", "120"))
    rig = scene.rig
    expected = scene.enqueue()
    _start(scene)
    scene.wait_delivered(250)
    rig.sink_mode("451")
    in_flight = scene.sending()
    time.sleep(outage)
    refused = sum(1 for r in rig.received() if r["reply"] == "451")
    rig.sink_mode("accept")
    heal = time.time()
    all_sent = scene.wait_all_sent(240)
    scene.settle(3)
    scene.account(
        expected, set(in_flight), heal_at=heal, all_sent_at=all_sent, outage_s=outage, answered_451=refused
    )


@pytest.mark.hosts_ci
def test_the_smtp_relay_hangs(scene: Scene) -> None:
    """It takes the mail and says nothing (SMTP_TIMEOUT=3 on the workers), then recovers."""
    hang = float(os.environ.get("HOSTS_SMTP_HANG", "30"))
    rig = scene.rig
    expected = scene.enqueue()
    _start(scene)
    scene.wait_delivered(250)
    rig.sink_mode("hang")
    in_flight = scene.sending()
    time.sleep(hang)
    rig.sink_mode("accept")
    heal = time.time()
    all_sent = scene.wait_all_sent(240)
    scene.settle(3)
    hung = sum(1 for r in rig.received() if r["reply"] == "hang")
    scene.account(expected, set(in_flight), heal_at=heal, all_sent_at=all_sent, hang_s=hang, hung_mails=hung)


@pytest.mark.hosts_ci
def test_two_beats_at_once(scene: Scene) -> None:
    """A second beat started by mistake on the web host, both ticking for the whole run
    (the reminders fall due over 30 s); each tick is harmless: claims are in the database."""
    rig = scene.rig
    expected = scene.enqueue(due=lambda now, i: now + timedelta(seconds=i * 0.03))
    w1, w2, beat = _start(scene)
    second = rig.beat("web", tag="-second")
    last_due = max(expected.values()).timestamp()
    all_sent = scene.wait_all_sent(180)
    scene.settle(3)
    assert beat.alive() and second.alive()
    ticks = [scene.log_count(b, "Scheduler: Sending due task reminders-dispatch") for b in (beat, second)]
    assert all(ticks), "both beats ticked"
    received = sum(scene.log_count(w, "Task reminders.dispatch_due[") for w in (w1, w2)) // 2
    scene.account(
        expected, set(), heal_at=None, all_sent_at=all_sent, beats=2, dispatch_ticks_per_beat=ticks,
        last_due_to_all_sent_s=round(all_sent - last_due, 1), dispatch_tasks_run=received,
    )  # fmt: skip


@pytest.mark.hosts_ci
def test_a_worker_host_whose_clock_runs_5_minutes_ahead(scene: Scene) -> None:
    """w1's wall clock is 5 minutes ahead (libfaketime); the reminders fall due over 15 s
    from 15 s on, by the database's clock: none may reach the relay before its due time."""
    if not hosts.faketime_available():
        reason = f"libfaketime is not installed ({hosts.FAKETIME_LIB}; Debian: apt-get install faketime)"
        if REQUIRE_HOSTS:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    rig = scene.rig
    offset = _clock_offset(rig)
    assert 290 < offset < 310, f"w1's clock is {offset:.1f} s ahead"
    expected = scene.enqueue(due=lambda now, i: now + timedelta(seconds=15 + i * 0.015))
    w1, w2, _ = _start(scene, clock_ahead="+5m")
    # Beat's ticks expire after OUTBOX_DISPATCH_EVERY seconds and Celery judges that by
    # the worker's clock, so w1 (5 minutes ahead) discards those it takes as expired; the
    # web host's dispatch-now jobs (no expiry, as after a resend) reach it, once a second,
    # so that w1 really dispatches.
    deadline = time.monotonic() + 180
    while scene.left() and time.monotonic() < deadline:
        _dispatch_now(scene)
        time.sleep(1)
    all_sent = scene.wait_all_sent(10)
    scene.settle(3)
    records = scene.accepted()
    early = [r for r in records if r["at"] < expected[r["message_id"]].timestamp()]
    w1_address = hosts.address("w1", "svc")
    by_w1 = sum(1 for r in records if r["peer"] == w1_address)
    margin = min(r["at"] - expected[r["message_id"]].timestamp() for r in records)
    figures = scene.account(
        expected, set(), heal_at=None, all_sent_at=all_sent, w1_clock_ahead_s=round(offset, 1),
        sent_by_w1=by_w1, sent_early=len(early), min_delivered_minus_due_s=round(margin, 3),
        w1_ticks_discarded=scene.log_count(w1, "Discarding revoked task"),
    )  # fmt: skip
    assert early == []
    assert figures["sent_by_w1"] > 0


def _clock_offset(rig: hosts.Rig) -> float:
    """How far w1's wall clock is from the controller's, as a process there sees it."""
    env = {"LD_PRELOAD": hosts.FAKETIME_LIB, "FAKETIME": "+5m", "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
    out = subprocess.run(
        ["ip", "netns", "exec", hosts.ns("w1"), "python3", "-c", "import time; print(time.time())"],
        env=os.environ | env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(out.stdout) - time.time()
