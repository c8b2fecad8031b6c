"""The outbox's Celery side: settings loaded from config, beat entries, tasks run directly."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

from celery.signals import worker_process_init

from config import VISIBILITY_TIMEOUT, settings_from_env
from inspections.auth.models import Role
from inspections.outbox.models import NotificationStatus
from inspections.reminders.notices import schedule_notices
from inspections.teams.models import TeamKind
from inspections.units.models import UnitContact
from tests.factories import days_from_now
from workers.reminders import dispatch_due, schedule_due


def test_settings_loaded_from_config_follow_the_reliability_notes(tmp_path):
    for env in ({}, {"REDIS_URL": "redis://127.0.0.1:6379/0"}):
        conf = settings_from_env(tmp_path, env=env)["CELERY"]
        assert conf["task_acks_late"] is True and conf["task_reject_on_worker_lost"] is True
        assert conf["worker_prefetch_multiplier"] == 1
        assert conf["accept_content"] == ["json"] and conf["task_serializer"] == "json"
        beat = conf["beat_schedule"]
        assert beat["reminders-schedule"] == {"task": "reminders.schedule_due", "schedule": 60.0}
        assert beat["reminders-dispatch"]["task"] == "reminders.dispatch_due"
        assert beat["reminders-dispatch"]["schedule"] <= 60
        if "REDIS_URL" in env:
            # Longer than any task may run (the dispatcher stops itself after 50 s).
            assert conf["broker_transport_options"]["visibility_timeout"] == VISIBILITY_TIMEOUT
            assert VISIBILITY_TIMEOUT > 60


def test_outbox_tasks_are_registered_by_name_and_acknowledge_late(app):
    celery_app = app.extensions["celery"]
    celery_app.loader.import_default_modules()
    for name in ("reminders.schedule_due", "reminders.dispatch_due"):
        task = celery_app.tasks[name]
        assert task.acks_late is True
    assert celery_app.conf.worker_prefetch_multiplier == 1


def test_each_forked_worker_disposes_the_engine(app, db):
    # A forked child reusing the parent's pooled sockets would corrupt both connections.
    pool_before = db.engine.pool
    worker_process_init.send(sender=None)
    assert db.engine.pool is not pool_before


def test_beat_tasks_called_directly_write_the_notice_into_the_mail_folder(app, db, make, tmp_path):
    app.config["SMTP_URL"] = None
    app.config["MAIL_FOLDER"] = str(tmp_path / "mail")
    unit = make.unit(name="Phường Điện Biên")
    db.session.add(UnitContact(unit=unit, name="Phạm Minh", email="minh@dienbien.example"))
    team = make.team(make.plan(), TeamKind.JOINT, members=[make.user(Role.INSPECTOR)])
    visit = make.inspection(team, unit, visit_at=days_from_now(12)).visits[0]
    (row,) = schedule_notices(visit)
    db.session.commit()

    schedule_due.apply()
    dispatch_due.apply()
    dispatch_due.apply()  # again: nothing more

    db.session.refresh(row)
    assert row.status == NotificationStatus.SENT
    files = list(Path(tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1
    mail = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert mail["Message-ID"] == row.message_id
    assert "Phường Điện Biên" in mail["Subject"]
