"""The multi-host rig: one network namespace per host, wired like a small deployment.

Two switches (Linux bridges in the root namespace): `db` carries PostgreSQL only, `svc`
carries Redis, SMTP and the web. Each host has a veth port on the switches it needs:

    host    address          switches   runs
    db      10.231.1.10      db         PostgreSQL 15 (its own cluster, initdb'd here)
    redis   10.231.2.20      svc        redis-server (AOF on: a restart keeps its queue)
    smtp    10.231.2.30      svc        aiosmtpd (tests/hosts/sink_host.py)
    w1, w2  .11, .12         db, svc    celery worker
    beat    .13              db, svc    celery beat
    web     .14              db, svc    gunicorn (and, in one scenario, a second beat)

The controller (this test process) sits on the switches as .1 to enqueue, count and fault.
A partition is a switch port set down (`ip link set ih-w1-db down`): the worker loses the
database and nothing else, as when a link fails between two racks. Nothing listens on
127.0.0.1; every service binds its namespace's address.

Cleanup: every process the rig starts is in a session of its own and killed by process
group; then whatever is left in its namespaces is killed by pid (`ip netns pids`), the
namespaces and switches are deleted and the temp dir removed. The same sweep runs before
a rig comes up, for leftovers of a crashed run. One rig at a time (a lock file).
"""

from __future__ import annotations

import fcntl
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "ihost-"  # namespaces
PORT_PREFIX = "ih-"  # veth ports on the switches
BRIDGE_PREFIX = "ihbr-"
TMP_PREFIX = "ihost-rig-"
LOCK = Path("/run/lock" if Path("/run/lock").is_dir() else tempfile.gettempdir()) / "ihost-rig.lock"

NETS = {"db": "10.231.1", "svc": "10.231.2"}
HOSTS: dict[str, tuple[int, tuple[str, ...]]] = {
    "db": (10, ("db",)),
    "redis": (20, ("svc",)),
    "smtp": (30, ("svc",)),
    "w1": (11, ("db", "svc")),
    "w2": (12, ("db", "svc")),
    "beat": (13, ("db", "svc")),
    "web": (14, ("db", "svc")),
}
PG_PORT, REDIS_PORT, SMTP_PORT, WEB_PORT = 5544, 6390, 2525, 8000
PG_BIN = Path("/usr/lib/postgresql/15/bin")
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


def address(host: str, net: str | None = None) -> str:
    octet, nets = HOSTS[host]
    return f"{NETS[net or nets[-1]]}.{octet}"


def ns(host: str) -> str:
    return f"{PREFIX}{host}"


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, check=check, capture_output=True, text=True)


# --- what the machine must have ------------------------------------------------------------


def unavailable() -> str | None:
    """Why the rig cannot run here, or None."""
    if sys.platform != "linux":
        return "the rig needs Linux network namespaces"
    if os.geteuid() != 0:
        return "the rig needs root (ip netns, veth, bridges)"
    for tool in ("ip", "setpriv", "redis-server"):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed"
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL 15 server binaries are not in {PG_BIN}"
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        return "no `postgres` user to own the rig's PostgreSQL cluster"
    probe = f"{PREFIX}probe{os.getpid()}"
    made = run("ip", "netns", "add", probe, check=False)
    if made.returncode != 0:
        return f"`ip netns add` fails here: {made.stderr.strip()}"
    run("ip", "netns", "del", probe, check=False)
    return None


def faketime_available() -> bool:
    return Path(FAKETIME_LIB).exists()


# --- cleanup -------------------------------------------------------------------------------


def sweep() -> None:
    """Remove every namespace, switch, port and temp dir of a rig (a crashed one's too)."""
    listed = run("ip", "netns", "list", check=False).stdout.split("\n")
    names = [line.split()[0] for line in listed if line.startswith(PREFIX)]
    for name in names:
        pids = run("ip", "netns", "pids", name, check=False).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
    for name in names:
        for _ in range(50):
            if not run("ip", "netns", "pids", name, check=False).stdout.strip():
                break
            time.sleep(0.1)
        run("ip", "netns", "del", name, check=False)
    links = json.loads(run("ip", "-j", "link", "show", check=False).stdout or "[]")
    for link in links:
        name = link.get("ifname", "")
        if name.startswith((PORT_PREFIX, BRIDGE_PREFIX)):
            run("ip", "link", "del", name, check=False)
    for folder in glob.glob(os.path.join(tempfile.gettempdir(), f"{TMP_PREFIX}*")):
        shutil.rmtree(folder, ignore_errors=True)


# --- processes -----------------------------------------------------------------------------


@dataclass
class Proc:
    name: str
    host: str
    popen: subprocess.Popen
    log: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, sig: int) -> None:
        try:
            os.killpg(self.popen.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, timeout: float = 15) -> None:
        if self.alive():
            self.signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
                return
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        try:
            self.popen.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass

    def tail(self, chars: int = 3000) -> str:
        try:
            return f"--- {self.name} ({self.log.name})\n{self.log.read_text(errors='replace')[-chars:]}"
        except FileNotFoundError:
            return f"--- {self.name}: no log"


@dataclass
class Rig:
    tmp: Path
    procs: list[Proc] = field(default_factory=list)
    pg: Proc | None = None
    redis: Proc | None = None
    sink: Proc | None = None
    web: Proc | None = None

    # --- network ---------------------------------------------------------------------------

    def wire(self) -> None:
        for net, prefix in NETS.items():
            bridge = f"{BRIDGE_PREFIX}{net}"
            run("ip", "link", "add", bridge, "type", "bridge")
            run("ip", "addr", "add", f"{prefix}.1/24", "dev", bridge)
            run("ip", "link", "set", bridge, "up")
        for host, (octet, nets) in HOSTS.items():
            run("ip", "netns", "add", ns(host))
            run("ip", "-n", ns(host), "link", "set", "lo", "up")
            for net in nets:
                port, inside = f"{PORT_PREFIX}{host}-{net}", f"{net}0"
                run("ip", "link", "add", port, "type", "veth", "peer", "name", inside, "netns", ns(host))
                run("ip", "link", "set", port, "master", f"{BRIDGE_PREFIX}{net}")
                run("ip", "link", "set", port, "up")
                run("ip", "-n", ns(host), "addr", "add", f"{NETS[net]}.{octet}/24", "dev", inside)
                run("ip", "-n", ns(host), "link", "set", inside, "up")

    def link(self, host: str, net: str, *, up: bool) -> None:
        """The host's port on a switch, up or down (a partition)."""
        run("ip", "link", "set", f"{PORT_PREFIX}{host}-{net}", "up" if up else "down")

    # --- processes -------------------------------------------------------------------------

    def start(self, name: str, host: str, args: list[str], *, env: dict[str, str] | None = None) -> Proc:
        log = self.tmp / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("w") as out:  # one log per start: each scenario reads its own
            popen = subprocess.Popen(
                ["ip", "netns", "exec", ns(host), *args],
                cwd=ROOT, env=env or os.environ.copy(), stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        proc = Proc(name, host, popen, log)
        self.procs.append(proc)
        return proc

    def stop_all(self, *, keep: tuple[Proc | None, ...] = ()) -> None:
        for proc in list(self.procs):
            if proc in keep:
                continue
            proc.kill()
            self.procs.remove(proc)

    def tails(self) -> str:
        return "\n".join(p.tail() for p in self.procs)

    # --- PostgreSQL ------------------------------------------------------------------------

    @property
    def database_url(self) -> str:
        return f"postgresql://postgres@{address('db')}:{PG_PORT}/inspections"

    def pg_init(self) -> None:
        data = self.tmp / "pg"
        data.mkdir()
        shutil.chown(data, "postgres", "postgres")
        user = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
        subprocess.run(
            [*user, str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            check=True, capture_output=True, cwd="/",
        )  # fmt: skip
        with (data / "pg_hba.conf").open("a") as hba:
            hba.write("host all all 10.231.0.0/16 trust\n")

    def pg_start(self) -> Proc:
        data = self.tmp / "pg"
        user = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
        self.pg = self.start(
            "postgres", "db",
            [*user, str(PG_BIN / "postgres"), "-D", str(data), "-p", str(PG_PORT),
             "-c", f"listen_addresses={address('db')}", "-c", f"unix_socket_directories={data}",
             "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=200",
             "-c", "shared_buffers=64MB",
             # deploy/README.md: a session a partitioned worker left in a transaction must
             # not hold its row locks for hours (TCP keepalive) or SKIP LOCKED skips them.
             "-c", "idle_in_transaction_session_timeout=15s",
             "-c", "tcp_keepalives_idle=10", "-c", "tcp_keepalives_interval=5",
             "-c", "tcp_keepalives_count=3"],
        )  # fmt: skip
        wait_for(lambda: tcp_open(address("db"), PG_PORT), 60, "PostgreSQL to listen", self)
        wait_for(self._pg_answers, 60, "PostgreSQL to accept queries", self)
        return self.pg

    def _pg_answers(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(
                f"postgresql://postgres@{address('db')}:{PG_PORT}/postgres", connect_timeout=2
            ):
                return True
        except psycopg.OperationalError:
            return False

    def pg_crash_restart(self, down_for: float = 0.0, during: Callable[[], None] | None = None) -> float:
        """An immediate shutdown (a crash: no checkpoint, WAL recovery at start), then a
        start; returns time.time() when it accepts queries again."""
        assert self.pg is not None
        pid = int((self.tmp / "pg" / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGQUIT)
        self.pg.popen.wait(timeout=60)
        self.procs.remove(self.pg)
        if during:
            during()
        time.sleep(down_for)
        self.pg_start()
        return time.time()

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(
            f"postgresql://postgres@{address('db')}:{PG_PORT}/postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE inspections")

    # --- Redis -----------------------------------------------------------------------------

    @property
    def redis_url(self) -> str:
        return f"redis://{address('redis')}:{REDIS_PORT}/0"

    def redis_start(self) -> Proc:
        folder = self.tmp / "redis"
        folder.mkdir(exist_ok=True)
        self.redis = self.start(
            "redis", "redis",
            ["redis-server", "--bind", address("redis"), "--port", str(REDIS_PORT),
             "--protected-mode", "no", "--save", "", "--appendonly", "yes",
             "--appendfsync", "always", "--dir", str(folder)],
        )  # fmt: skip
        wait_for(self._redis_answers, 30, "Redis to answer", self)
        return self.redis

    def _redis_answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.redis_url, socket_timeout=2).ping())
        except redis.RedisError:
            return False

    def redis_restart(self, down_for: float = 0.0) -> float:
        """SIGTERM (Redis writes its AOF and exits), then start it again on the same files."""
        assert self.redis is not None
        self.redis.signal(signal.SIGTERM)
        self.redis.popen.wait(timeout=30)
        self.procs.remove(self.redis)
        time.sleep(down_for)
        self.redis_start()
        return time.time()

    # --- SMTP ------------------------------------------------------------------------------

    @property
    def smtp_url(self) -> str:
        return f"smtp://{address('smtp')}:{SMTP_PORT}"

    @property
    def sink_log(self) -> Path:
        return self.tmp / "sink.jsonl"

    def sink_mode(self, mode: str) -> None:
        tmp = self.tmp / "sink.mode.tmp"
        tmp.write_text(mode)
        os.replace(tmp, self.tmp / "sink.mode")

    def sink_start(self, delay: float) -> Proc:
        self.sink_log.unlink(missing_ok=True)
        self.sink_mode("accept")
        self.sink = self.start(
            "smtp-sink", "smtp",
            [sys.executable, "-m", "tests.hosts.sink_host", "--bind", address("smtp"),
             "--port", str(SMTP_PORT), "--log", str(self.sink_log), "--mode",
             str(self.tmp / "sink.mode"), "--delay", str(delay)],
            env=os.environ | {"PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        wait_for(lambda: tcp_open(address("smtp"), SMTP_PORT), 30, "the SMTP sink", self)
        return self.sink

    def received(self) -> list[dict]:
        try:
            lines = self.sink_log.read_text().splitlines()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in lines if line.endswith("}")]

    # --- the application's hosts -----------------------------------------------------------

    def env(self, host: str, **extra: str) -> dict[str, str]:
        instance = self.tmp / "hosts" / host
        instance.mkdir(parents=True, exist_ok=True)
        base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SMTP_URL"}}
        return (
            base
            | {
                "INSPECTIONS_INSTANCE": str(instance),
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "SMTP_URL": self.smtp_url,
                "SECRET_KEY": "rig-secret-key-the-same-on-every-host",
                "APP_URL": f"http://{address('web')}:{WEB_PORT}",
                "OUTBOX_DISPATCH_EVERY": "1",
                "OUTBOX_LEASE_SECONDS": "10",  # a lost host's claims come back after 10 s
                "SMTP_TIMEOUT": "3",  # well under half the lease (deploy/README.md)
                "OUTBOX_BACKOFF_BASE": "2",
                "OUTBOX_BACKOFF_CAP": "20",
                "PYTHONPATH": str(ROOT),
                "PYTHONUNBUFFERED": "1",
            }
            | extra
        )

    def worker(self, host: str, *, clock_ahead: str | None = None, tag: str = "") -> Proc:
        env = self.env(host)
        if clock_ahead:  # libfaketime: this host's wall clock (time(), clock_gettime) runs ahead
            env |= {"LD_PRELOAD": FAKETIME_LIB, "FAKETIME": clock_ahead, "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
        return self.start(
            f"worker-{host}{tag}", host,
            [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "--concurrency=2",
             "--without-mingle", "--without-gossip", "--loglevel=INFO", "-n", f"{host}@{ns(host)}"],
            env=env,
        )  # fmt: skip

    def beat(self, host: str, *, tag: str = "") -> Proc:
        schedule = self.tmp / "hosts" / host / f"beat-schedule{tag}"
        return self.start(
            f"beat-{host}{tag}", host,
            [sys.executable, "-m", "celery", "-A", "workers.celery_app", "beat", "--loglevel=INFO",
             "-s", str(schedule)],
            env=self.env(host),
        )  # fmt: skip

    def web_start(self) -> Proc:
        self.web = self.start(
            "web", "web",
            [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"{address('web')}:{WEB_PORT}",
             "--timeout", "30", "wsgi:app"],
            env=self.env("web"),
        )  # fmt: skip
        wait_for(lambda: self.healthz()[0] == 200, 90, "the web host's /healthz", self)
        return self.web

    def healthz(self) -> tuple[int, str]:
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(f"http://{address('web')}:{WEB_PORT}/healthz", timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
        except OSError as exc:
            return 0, repr(exc)

    # --- the whole rig ---------------------------------------------------------------------

    def down(self) -> None:
        for proc in list(self.procs):
            proc.kill()
        self.procs.clear()
        sweep()


def tcp_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def wait_for(condition: Callable[[], bool], timeout: float, what: str, rig: Rig | None = None) -> float:
    """Poll until `condition()`; returns time.time() when it held."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout:.0f} s waiting for {what}\n{rig.tails() if rig else ''}"
            )
        time.sleep(0.1)
    return time.time()


class Lock:
    """One rig at a time on a machine: the names and addresses are fixed."""

    def __init__(self, timeout: float = 600) -> None:
        self.timeout = timeout
        self.file = None

    def __enter__(self) -> Lock:
        self.file = LOCK.open("w")
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)

    def __exit__(self, *exc: object) -> None:
        assert self.file is not None
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()


def up() -> Rig:
    """Sweep leftovers, wire the network, start PostgreSQL and Redis (the caller holds the Lock)."""
    sweep()
    rig = Rig(Path(tempfile.mkdtemp(prefix=TMP_PREFIX)))
    os.chmod(rig.tmp, 0o755)  # noqa: S103 - the postgres user must reach its data folder inside
    try:
        rig.wire()
        rig.pg_init()
        rig.pg_start()
        rig.create_database()
        rig.redis_start()
    except BaseException:
        rig.down()
        raise
    return rig
