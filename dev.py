#!/usr/bin/env python3
"""Set up and run the product, or its test suite, on a machine with only Python 3.11+.

    python3 dev.py run      install, migrate, load the demo, start web + worker + beat
    python3 dev.py test     install, run the whole test suite (extra arguments go to pytest)
    python3 dev.py messages re-extract the translatable strings into the catalogues

Everything is installed into .venv beside this file; nothing outside it is touched.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
INSTANCE = ROOT / "instance"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def ensure_venv(*requirement_files: str) -> None:
    """Create .venv and install the pinned requirements, again only when they change."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older Python
        sys.exit("Python 3.11 or newer is needed.")
    if not PYTHON.exists():
        say("creating .venv")
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256()
    for name in requirement_files:
        digest.update((ROOT / name).read_bytes())
    stamp = VENV / f".installed-{'-'.join(Path(n).stem for n in requirement_files)}"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    say(f"installing {', '.join(requirement_files)} into .venv")
    args = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    for name in requirement_files:
        args += ["-r", str(ROOT / name)]
    subprocess.run(args, check=True)
    stamp.write_text(digest.hexdigest())


def python(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(PYTHON), *args], check=True, cwd=ROOT, env=env)


def compile_catalogues() -> None:
    python("-c", "from inspections.i18n import compile_catalogs; compile_catalogs()")


def demo_password() -> str:
    """$DEMO_PASSWORD, else one generated on the first run and kept in instance/."""
    if os.environ.get("DEMO_PASSWORD"):
        return os.environ["DEMO_PASSWORD"]
    path = INSTANCE / "demo_password"
    if not path.exists():
        INSTANCE.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


def run() -> int:
    ensure_venv("requirements.txt")
    compile_catalogues()
    port = os.environ.get("PORT", "5000")
    password = demo_password()
    env = os.environ | {
        "INSPECTIONS_PROFILE": "development",  # plain-HTTP cookies for http://127.0.0.1
        "DEMO_PASSWORD": password,
        "FLASK_APP": "wsgi",
        "APP_URL": os.environ.get("APP_URL", f"http://127.0.0.1:{port}"),  # links in mail
    }
    python("-m", "flask", "db", "upgrade", env=env)
    python("-m", "flask", "demo", "load", env=env)

    logs = INSTANCE / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    celery = [str(PYTHON), "-m", "celery", "-A", "workers.celery_app"]
    commands = {
        "worker": [*celery, "worker", "--pool=solo", "--loglevel=INFO"],
        "beat": [*celery, "beat", "--loglevel=INFO", "-s", str(INSTANCE / "celerybeat-schedule")],
        "web": [str(PYTHON), "-m", "flask", "run", "--host", "127.0.0.1", "--port", port],
    }
    processes: dict[str, subprocess.Popen[bytes]] = {}
    for name, command in commands.items():
        output = None if name == "web" else (logs / f"{name}.log").open("ab")
        processes[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    say(f"worker and beat are running; their logs are in {logs}")
    say(f"open http://127.0.0.1:{port}  (log in as 'coordinator', password: {password})")
    say("the other demo accounts are listed above; press Ctrl+C to stop")
    try:
        while all(p.poll() is None for p in processes.values()):
            time.sleep(1)
        stopped = [name for name, p in processes.items() if p.poll() is not None]
        say(f"{', '.join(stopped)} stopped; stopping the rest")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT if os.name != "nt" else signal.CTRL_C_EVENT)
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def test(pytest_args: list[str]) -> int:
    ensure_venv("requirements.txt", "requirements-dev.txt")
    compile_catalogues()
    return subprocess.run([str(PYTHON), "-m", "pytest", *pytest_args], cwd=ROOT).returncode


def messages() -> int:
    ensure_venv("requirements.txt", "requirements-dev.txt")
    pot = ROOT / "instance" / "messages.pot"
    pot.parent.mkdir(exist_ok=True)
    pybabel = [str(PYTHON), "-m", "babel.messages.frontend"]
    subprocess.run(
        [*pybabel, "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "_plural:1,2",
         "--no-location", "--sort-output", "-o", str(pot), "."],
        cwd=ROOT, check=True,
    )  # fmt: skip
    subprocess.run(
        [*pybabel, "update", "-i", str(pot), "-d", "inspections/translations", "--no-location"],
        cwd=ROOT, check=True,
    )  # fmt: skip
    say("untranslated or fuzzy entries are now in inspections/translations/vi/LC_MESSAGES/messages.po")
    return 0


def main() -> int:
    command, *rest = sys.argv[1:] or ["help"]
    if command == "run":
        return run()
    if command == "test":
        return test(rest)
    if command == "messages":
        return messages()
    print(__doc__)
    return 0 if command in {"help", "-h", "--help"} else 2


if __name__ == "__main__":
    sys.exit(main())
