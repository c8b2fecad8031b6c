#!/usr/bin/env python3
"""Set up and run the product, or its test suite, on a machine with only Python 3.11+.

    python3 dev.py run      install, migrate, load the demo, start web + worker + beat
    python3 dev.py test     install, run the whole test suite (extra arguments go to pytest)
    python3 dev.py messages re-extract the translatable strings into the catalogues

Everything is installed into .venv beside this file; nothing outside it is touched but the
instance folder ($INSPECTIONS_INSTANCE, else instance/ beside this file): the database, logs,
beat schedule and secrets, readable by their owner only.
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
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
# As inspections.auth.services.MIN_PASSWORD_LENGTH (dev.py runs before Flask is installed).
MIN_PASSWORD_LENGTH = 10
DATABASE_FILE = "inspections.sqlite3"  # config.database_url's default


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


def instance_dir(env: Mapping[str, str] | None = None) -> Path:
    """$INSPECTIONS_INSTANCE (made absolute, as the app needs it), else instance/ here."""
    env = os.environ if env is None else env
    return Path(env.get("INSPECTIONS_INSTANCE") or ROOT / "instance").resolve()


def _private_file(path: Path) -> None:
    """The file, created if missing, readable and writable by its owner only."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    path.chmod(0o600)


def prepare_instance(instance: Path, env: Mapping[str, str] | None = None) -> None:
    """The instance folder (0700) and the embedded SQLite database (0600) before first use.

    SQLite gives its WAL and shared-memory files the database file's permissions; files
    the child processes make are owner-only too (`run` sets the umask).
    """
    env = os.environ if env is None else env
    instance.mkdir(parents=True, exist_ok=True)
    instance.chmod(0o700)
    if not env.get("DATABASE_URL"):
        _private_file(instance / DATABASE_FILE)
    for path in instance.glob("*.sqlite3*"):
        path.chmod(0o600)


def demo_password(instance: Path, env: Mapping[str, str] | None = None) -> str:
    """$DEMO_PASSWORD, else one generated on the first run and kept in the instance folder.

    A password the application would refuse stops here with a message (SystemExit), before
    anything is installed or started.
    """
    env = os.environ if env is None else env
    if env.get("DEMO_PASSWORD"):
        password = env["DEMO_PASSWORD"]
        source = "DEMO_PASSWORD"
    else:
        path = instance / "demo_password"
        if not path.exists():
            instance.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(12))
        password = path.read_text().strip()
        source = str(path)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SystemExit(
            f"[dev] the demo password ({source}) has {len(password)} characters; it needs at least "
            f"{MIN_PASSWORD_LENGTH}. Choose a longer one, or unset DEMO_PASSWORD to have one generated."
        )
    return password


def commands(instance: Path, port: str) -> dict[str, list[str]]:
    """The three processes of `run`; beat keeps its schedule in the instance folder."""
    celery = [str(PYTHON), "-m", "celery", "-A", "workers.celery_app"]
    return {
        "worker": [*celery, "worker", "--pool=solo", "--loglevel=INFO"],
        "beat": [*celery, "beat", "--loglevel=INFO", "-s", str(instance / "celerybeat-schedule")],
        "web": [str(PYTHON), "-m", "flask", "run", "--host", "127.0.0.1", "--port", port],
    }


def run() -> int:
    instance = instance_dir()
    password = demo_password(instance)  # a refused password stops before the long steps
    ensure_venv("requirements.txt")
    compile_catalogues()
    port = os.environ.get("PORT", "5000")
    os.umask(0o077)  # the database, logs, mail and uploads of the children: owner-only
    prepare_instance(instance)
    env = os.environ | {
        "INSPECTIONS_PROFILE": "development",  # plain-HTTP cookies for http://127.0.0.1
        "INSPECTIONS_INSTANCE": str(instance),  # the same folder for web, worker and beat
        "DEMO_PASSWORD": password,
        "FLASK_APP": "wsgi",
        "APP_URL": os.environ.get("APP_URL", f"http://127.0.0.1:{port}"),  # links in mail
    }
    python("-m", "flask", "db", "upgrade", env=env)
    python("-m", "flask", "demo", "load", env=env)

    logs = instance / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    for name, command in commands(instance, port).items():
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
    # Every core (pytest-xdist): each worker has its own database, instance folder and browser.
    chosen = any(a.startswith(("-n", "--numprocesses", "--dist")) or a == "no:xdist" for a in pytest_args)
    spread = [] if chosen else ["-n", "auto"]
    return subprocess.run([str(PYTHON), "-m", "pytest", *spread, *pytest_args], cwd=ROOT).returncode


def messages() -> int:
    ensure_venv("requirements.txt", "requirements-dev.txt")
    pot = instance_dir() / "messages.pot"
    pot.parent.mkdir(parents=True, exist_ok=True)
    pybabel = [str(PYTHON), "-m", "babel.messages.frontend"]
    subprocess.run(
        [*pybabel, "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "_plural:1,2",
         "--no-location", "--sort-output", "-o", str(pot), "."],
        cwd=ROOT, check=True,
    )  # fmt: skip
    subprocess.run(
        [*pybabel, "update", "-i", str(pot), "-d", "inspections/translations", "--no-fuzzy-matching"],
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
