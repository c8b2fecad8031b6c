"""dev.py: one instance folder for everything, owner-only files, a clear stop on a short password.

dev.py's functions are called with a temporary instance folder; no server is started.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

import dev


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_instance_folder_is_inspections_instance_when_set(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert dev.instance_dir({"INSPECTIONS_INSTANCE": str(tmp_path / "other")}) == tmp_path / "other"
    # A relative folder is made absolute (Flask wants it so), from where dev.py was started.
    assert dev.instance_dir({"INSPECTIONS_INSTANCE": "mine"}) == tmp_path / "mine"
    assert dev.instance_dir({}) == dev.ROOT / "instance"


def test_beat_keeps_its_schedule_in_the_instance_folder(tmp_path):
    beat = dev.commands(tmp_path / "elsewhere", "5001")["beat"]
    schedule = beat[beat.index("-s") + 1]
    assert schedule == str(tmp_path / "elsewhere" / "celerybeat-schedule")
    every_argument = [a for command in dev.commands(tmp_path, "1").values() for a in command]
    assert not any(a.startswith(str(dev.ROOT / "instance")) for a in every_argument)


def test_run_hands_the_instance_folder_to_every_process_and_logs_there(tmp_path, monkeypatch):
    """`run` up to the point where it would start the processes: what it would start them with."""
    instance = tmp_path / "second-instance"
    monkeypatch.setenv("INSPECTIONS_INSTANCE", str(instance))
    monkeypatch.setenv("DEMO_PASSWORD", "a long enough password")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(dev, "ensure_venv", lambda *files: None)
    monkeypatch.setattr(dev, "compile_catalogues", lambda: None)
    monkeypatch.setattr(dev.os, "umask", lambda mask: 0o022)  # not this test process's umask
    seen: list[dict[str, str]] = []
    monkeypatch.setattr(dev, "python", lambda *args, env=None: seen.append(env))
    started: list[tuple[list[str], object]] = []

    class Stop(Exception):
        pass

    def popen(command, cwd, env, stdout, stderr):
        started.append((command, stdout))
        if stdout is not None:
            stdout.close()
        raise Stop

    monkeypatch.setattr(dev.subprocess, "Popen", popen)
    with pytest.raises(Stop):
        dev.run()
    assert all(env["INSPECTIONS_INSTANCE"] == str(instance) for env in seen)
    _, log = started[0]
    assert Path(log.name) == instance / "logs" / "worker.log"
    assert _mode(instance) == 0o700 and _mode(instance / "inspections.sqlite3") == 0o600


def test_the_database_and_the_instance_folder_are_owner_only(tmp_path):
    instance = tmp_path / "instance"
    dev.prepare_instance(instance, {})
    assert _mode(instance) == 0o700
    assert _mode(instance / "inspections.sqlite3") == 0o600
    # A file left world-readable by an earlier version is closed too, and its WAL with it.
    (instance / "inspections.sqlite3").chmod(0o644)
    (instance / "inspections.sqlite3-wal").write_bytes(b"")
    (instance / "inspections.sqlite3-wal").chmod(0o644)
    dev.prepare_instance(instance, {})
    assert _mode(instance / "inspections.sqlite3") == 0o600
    assert _mode(instance / "inspections.sqlite3-wal") == 0o600


def test_no_sqlite_file_is_made_for_an_external_database(tmp_path):
    dev.prepare_instance(tmp_path / "i", {"DATABASE_URL": "postgresql://db.example/x"})
    assert not (tmp_path / "i" / "inspections.sqlite3").exists()


def test_the_generated_demo_password_is_kept_owner_only(tmp_path):
    password = dev.demo_password(tmp_path / "instance", {})
    path = tmp_path / "instance" / "demo_password"
    assert len(password) >= dev.MIN_PASSWORD_LENGTH
    assert _mode(path) == 0o600
    assert dev.demo_password(tmp_path / "instance", {}) == password


def test_a_short_demo_password_stops_with_a_message(tmp_path):
    with pytest.raises(SystemExit) as stopped:
        dev.demo_password(tmp_path, {"DEMO_PASSWORD": "short"})
    message = str(stopped.value.code)
    assert "DEMO_PASSWORD" in message and "at least 10" in message
    assert "Traceback" not in message


def test_run_stops_on_a_short_password_before_installing_anything(tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECTIONS_INSTANCE", str(tmp_path))
    monkeypatch.setenv("DEMO_PASSWORD", "123456789")
    monkeypatch.setattr(dev, "ensure_venv", lambda *files: pytest.fail("installed before checking"))
    with pytest.raises(SystemExit) as stopped:
        dev.run()
    assert "at least 10" in str(stopped.value.code)
