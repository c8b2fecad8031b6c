"""Every main page of every demo persona under gunicorn, at national size and at demo size.

    .venv/bin/python bench/pages.py --duration 5
    .venv/bin/python bench/pages.py --personas coordinator,admin --pages /,/units/ --skip-generate

On PostgreSQL: NATIONAL_URL (default postgresql://postgres@127.0.0.1:5432/national) gets
the demo and `flask demo national`, DEMO_URL (default .../demo_bench) the demo alone; each
is created, migrated and loaded if missing (skip with --skip-generate). For each size the
bench starts gunicorn (2 workers), logs in as each persona (password $DEMO_PASSWORD, which
it sets when it loads the demo), and prints per page: one request's status, time and size;
then requests/s and p50/p95/p99 at 16 clients (wrk, the session cookie set by a Lua
script; --duration seconds per page), beside /healthz measured in the same run, with the
ratios to it. Then national/demo per page, and the EXPLAIN (ANALYZE) of each page's
costliest SQL statement (the page run once in-process on the same database, each statement
timed). Goal figures (reported, never asserted): every page 200, at most 400 kB, at least
25 % of /healthz's throughput, p95 at most 4 x /healthz's, national/demo at most 1.5 x.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = ROOT / ".venv" / "bin"

# --- what is measured: extend here -----------------------------------------------------

PERSONAS = [
    "admin",
    "coordinator",
    "observer",
    "leader.joint",
    "leader.surprise",
    "member",
    "contact.q-hadong",
]
STAFF = ["admin", "coordinator", "observer"]
TEAM = ["leader.joint", "leader.surprise", "member"]
# (path, who opens it). A page a persona is refused (403) is reported as such, not loaded.
PAGES: list[tuple[str, list[str]]] = [
    ("/", PERSONAS),
    ("/visits/", STAFF + TEAM),
    ("/units/", STAFF),
    ("/units/?q=ha", STAFF),
    ("/plans/", STAFF + TEAM),
    ("/plans/1", STAFF),
    ("/actions/", STAFF + TEAM),
    ("/actions/extensions/", ["admin", "coordinator"]),
    ("/cases/", STAFF + TEAM),
    ("/calendar", PERSONAS),
    ("/unit/", ["contact.q-hadong"]),
    ("/audit/", ["admin"]),
    ("/admin/outbox", ["admin"]),
    ("/admin/system", ["admin"]),
    ("/inbox/", ["admin", "coordinator", "leader.joint", "leader.surprise", "member"]),
    ("/reports/findings", STAFF),
]
HEALTHZ = "/healthz"
GOALS = {"max_kb": 400, "min_share": 0.25, "max_p95": 4.0, "max_national": 1.5}

DEFAULT_PASSWORD = "bench demo password"  # noqa: S105 - the demo accounts' on 127.0.0.1
SECRET_KEY = "bench-pages-secret-key-not-for-production"  # noqa: S105
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
# The same browser for every request: Flask-Login's strong protection ends a session whose
# User-Agent changed (and a wrk run would then measure the redirect to the login page).
USER_AGENT = "bench-pages/1"
WRK_SCRIPT = """
wrk.headers["Cookie"] = "%s"
wrk.headers["User-Agent"] = "%s"
done = function(summary, latency, requests)
  io.write(string.format(
    "WRKJSON {\\"requests\\":%%d,\\"duration_us\\":%%d,\\"bytes\\":%%d,\\"p50\\":%%d,\\"p95\\":%%d," ..
    "\\"p99\\":%%d,\\"connect\\":%%d,\\"read\\":%%d,\\"write\\":%%d,\\"status\\":%%d,\\"timeout\\":%%d}\\n",
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
end
"""


@dataclass
class One:
    status: int | str  # an HTTP status, "timeout" or "error: ..."
    ms: float = 0.0
    kb: float = 0.0


@dataclass
class Load:
    rps: float = 0.0
    p50: float = 0.0  # ms
    p95: float = 0.0
    p99: float = 0.0
    errors: str = ""


@dataclass
class Row:
    persona: str
    path: str
    one: One
    load: Load | None = None
    explain: list[str] = field(default_factory=list)


# --- databases --------------------------------------------------------------------------


def flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own venv's flask, fixed arguments
        [str(VENV_BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def ensure_database(url: str, env: dict[str, str], *, national: bool) -> None:
    import sqlalchemy as sa

    from config import database_url as normalise

    target = sa.make_url(normalise(url, Path(env["INSPECTIONS_INSTANCE"])))
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database})
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    started = time.perf_counter()
    flask(env, "db", "upgrade")
    flask(env, "demo", "load")
    if national:
        out = flask(env, "demo", "national")
        print(f"  {out.strip()}")
    print(f"  {target.database}: migrated and loaded in {time.perf_counter() - started:.1f} s")


# --- the server and its clients ---------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_opener(*handlers: Any) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(*handlers)
    opener.addheaders = [("User-Agent", USER_AGENT)]
    return opener


def get(url: str, *, opener: urllib.request.OpenerDirector | None = None, timeout: float) -> One:
    opener = opener or build_opener()
    started = time.perf_counter()
    try:
        with opener.open(url, timeout=timeout) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    except TimeoutError:
        return One("timeout", timeout * 1000)
    except (urllib.error.URLError, OSError) as exc:
        return One(f"error: {exc}")
    return One(status, (time.perf_counter() - started) * 1000, len(body) / 1024)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int):
    command = [str(VENV_BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    command += ["--timeout", "600", "--log-level", "warning", "wsgi:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            if get(base + HEALTHZ, timeout=2).status == 200:
                break
            time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not answer /healthz")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def login(
    base: str, username: str, password: str, timeout: float
) -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    opener = build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    with opener.open(base + "/login", timeout=timeout) as page:
        match = CSRF_RE.search(page.read().decode())
    if match is None:
        raise SystemExit("no CSRF token on /login")
    form = urllib.parse.urlencode({"csrf_token": match.group(1), "username": username, "password": password})
    try:
        opener.open(base + "/login", data=form.encode(), timeout=timeout)
        raise SystemExit(f"login as {username} refused (wrong $DEMO_PASSWORD?)")
    except urllib.error.HTTPError as exc:
        if exc.code != 302:
            raise SystemExit(f"login as {username}: HTTP {exc.code}") from None
    return opener, jar


def cookie_of(jar: http.cookiejar.CookieJar) -> str:
    """The session as a browser holds it now: wrk sends it and keeps none it is sent, so
    it is read again after each page's warm-up (which may have updated it: the inbox count
    is kept in the session for a minute)."""
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def wait_idle(base: str, timeout: float) -> None:
    """Until the workers have drained what the load left queued (a quick /healthz)."""
    deadline = time.monotonic() + max(60.0, timeout * 4)
    while time.monotonic() < deadline:
        one = get(base + HEALTHZ, timeout=timeout)
        if one.status == 200 and one.ms < 200:
            return
        time.sleep(0.5)


def wrk(url: str, cookie: str, *, duration: int, clients: int, timeout: float, folder: Path) -> Load:
    script = folder / "session.lua"
    script.write_text(WRK_SCRIPT % (cookie.replace('"', '\\"'), USER_AGENT))
    threads = min(2, clients)
    command = ["wrk", f"-t{threads}", f"-c{clients}", f"-d{duration}s", f"--timeout={int(timeout)}s"]
    command += ["-s", str(script), url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    match = re.search(r"WRKJSON (\{.*\})", done.stdout)
    if match is None:
        return Load(errors=f"wrk failed: {done.stderr.strip() or done.stdout.strip()}"[:80])
    r = json.loads(match.group(1))
    errors = [f"{n} {what}" for what in ("connect", "read", "write", "status", "timeout") if (n := r[what])]
    rps = r["requests"] / (r["duration_us"] / 1e6) if r["duration_us"] else 0.0
    return Load(rps, r["p50"] / 1000, r["p95"] / 1000, r["p99"] / 1000, ", ".join(errors))


# --- the costliest statement of each page -----------------------------------------------


def explain_pages(url: str, rows: list[Row], password: str, lines: int) -> None:
    """Run each page once in-process, time each statement, EXPLAIN ANALYZE the slowest SELECT."""
    import sqlalchemy as sa

    from config import database_url as normalise
    from inspections import create_app
    from inspections.extensions import db

    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": normalise(url, Path(instance)),
                "SECRET_KEY": SECRET_KEY,
                "TESTING": True,
                "RATELIMIT_ENABLED": False,
                "SESSION_COOKIE_SECURE": False,
                "SESSION_COOKIE_NAME": "session",
                "PREFERRED_URL_SCHEME": "http",
            },
            instance_path=instance,
        )
        timings: list[tuple[float, str, Any]] = []
        with app.app_context():
            engine = db.engine
        # Each request outside this context, in its own (as under gunicorn): a shared one
        # would keep the first persona's user in `g`.

        @sa.event.listens_for(engine, "before_cursor_execute")
        def _before(conn, cursor, statement, parameters, context, executemany) -> None:
            conn.info.setdefault("bench_started", []).append(time.perf_counter())

        @sa.event.listens_for(engine, "after_cursor_execute")
        def _after(conn, cursor, statement, parameters, context, executemany) -> None:
            started = conn.info["bench_started"].pop()
            timings.append((time.perf_counter() - started, statement, parameters))

        clients: dict[str, Any] = {}
        for row in rows:
            if row.one.status != 200:
                continue
            client = clients.get(row.persona)
            if client is None:
                client = clients[row.persona] = app.test_client()
                try:
                    page = client.get("/login").get_data(as_text=True)
                    token = CSRF_RE.search(page).group(1)
                    client.post(
                        "/login", data={"csrf_token": token, "username": row.persona, "password": password}
                    )
                except Exception as exc:  # reported per page below
                    row.explain = [f"login in-process failed: {type(exc).__name__}: {exc}"[:300]]
                    continue
            timings.clear()
            try:
                client.get(row.path)
            except Exception as exc:  # a page that fails in-process is reported, not fatal
                row.explain = [f"error in-process: {type(exc).__name__}: {exc}"[:300]]
                continue
            selects = [t for t in timings if t[1].lstrip().upper().startswith(("SELECT", "WITH"))]
            total = sum(t[0] for t in timings) * 1000
            head = f"{len(timings)} statements, {total:.1f} ms in SQL"
            if not selects:
                row.explain = [head]
                continue
            seconds, statement, parameters = max(selects, key=lambda t: t[0])
            with engine.connect() as conn:
                raw = conn.connection.driver_connection
                with raw.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                    plan = [r[0] for r in cursor.fetchall()]
                raw.rollback()
            sql = " ".join(statement.split())
            row.explain = [f"{head}; the slowest: {seconds * 1000:.1f} ms", f"SQL: {sql[:600]}"]
            row.explain += ["  " + p for p in plan[:lines]]
            if len(plan) > lines:
                row.explain.append(f"  ... ({len(plan) - lines} more lines)")
        engine.dispose()


# --- the run -------------------------------------------------------------------------


def measure(
    name: str, url: str, args: argparse.Namespace, password: str, folder: Path
) -> tuple[One, Load, list[Row]]:
    env = os.environ | {
        "DATABASE_URL": url,
        "DEMO_PASSWORD": password,
        "SECRET_KEY": SECRET_KEY,
        "INSPECTIONS_PROFILE": "development",  # plain-HTTP cookies on 127.0.0.1
        "INSPECTIONS_INSTANCE": str(folder / name),
        "LOGIN_LIMIT_PER_ACCOUNT": "1000 per minute",
        "LOGIN_LIMIT_PER_ADDRESS": "1000 per minute",
        "TOTP_REQUIRED_ROLES": "",  # the demo accounts log in with a password only
    }
    Path(env["INSPECTIONS_INSTANCE"]).mkdir(exist_ok=True)
    if not args.skip_generate:
        print(f"== building the {name} database")
        ensure_database(url, env, national=name == "national")
    rows: list[Row] = []
    print(f"== {name}: gunicorn, {args.workers} workers")
    with gunicorn(env, free_port(), args.workers) as base:
        get(base + HEALTHZ, timeout=args.timeout)
        health = get(base + HEALTHZ, timeout=args.timeout)
        health_load = wrk(
            base + HEALTHZ,
            "",
            duration=args.duration,
            clients=args.clients,
            timeout=args.timeout,
            folder=folder,
        )
        for persona in args.personas:
            opener, jar = login(base, persona, password, args.timeout)
            for path, who in PAGES:
                if persona not in who or (args.pages and path not in args.pages):
                    continue
                get(base + path, opener=opener, timeout=args.timeout)  # warm
                one = get(base + path, opener=opener, timeout=args.timeout)
                row = Row(persona, path, one)
                rows.append(row)
                if one.status == 200:
                    wait_idle(base, args.timeout)
                    get(base + path, opener=opener, timeout=args.timeout)  # the session as it is now
                    row.load = wrk(
                        base + path,
                        cookie_of(jar),
                        duration=args.duration,
                        clients=args.clients,
                        timeout=args.timeout,
                        folder=folder,
                    )
                    wait_idle(base, args.timeout)
                    # wrk counts a redirect as a success: the session must still hold.
                    after = get(base + path, opener=opener, timeout=args.timeout)
                    if after.status != 200:
                        row.load.errors = f"{row.load.errors} then {after.status}".strip()
                print(f"  {persona:<17} {path:<22} {one.status}", flush=True)
    if args.explain:
        print(f"== {name}: the costliest statement of each page (in-process)")
        explain_pages(url, rows, password, args.explain_lines)
    return health, health_load, rows


def goals(row: Row, health: Load, national_ratio: float | None = None) -> str:
    missed = []
    if row.one.status != 200:
        missed.append(str(row.one.status))
    if row.one.kb > GOALS["max_kb"]:
        missed.append(f">{GOALS['max_kb']}kB")
    if row.load and health.rps and row.load.rps < GOALS["min_share"] * health.rps:
        missed.append("rps")
    if row.load and health.p95 and row.load.p95 > GOALS["max_p95"] * health.p95:
        missed.append("p95")
    if row.load and row.load.errors:
        missed.append("errors")
    if national_ratio is not None and national_ratio > GOALS["max_national"]:
        missed.append("nat/demo")
    return ", ".join(missed) or "ok"


def print_table(name: str, health_one: One, health: Load, rows: list[Row]) -> None:
    print()
    print(f"{name}: one request, then {ARGS.clients} clients for {ARGS.duration} s each (wrk)")
    header = f"{'persona':<17}{'page':<22}{'status':>7}{'ms':>9}{'kB':>8}{'req/s':>9}{'p50':>8}{'p95':>9}"
    print(header + f"{'p99':>9}{'%hz':>6}{'p95/hz':>8}  goals / errors")
    print(
        f"{'-':<17}{HEALTHZ:<22}{health_one.status!s:>7}{health_one.ms:>9.1f}{health_one.kb:>8.1f}"
        f"{health.rps:>9.1f}{health.p50:>8.1f}{health.p95:>9.1f}{health.p99:>9.1f}{100:>6}{1:>8.1f}"
        f"  {health.errors}"
    )
    for row in rows:
        one, load = row.one, row.load
        line = f"{row.persona:<17}{row.path:<22}{one.status!s:>7}{one.ms:>9.1f}{one.kb:>8.1f}"
        if load is not None:
            share = 100 * load.rps / health.rps if health.rps else 0
            p95 = load.p95 / health.p95 if health.p95 else 0
            line += (
                f"{load.rps:>9.1f}{load.p50:>8.1f}{load.p95:>9.1f}{load.p99:>9.1f}{share:>6.0f}{p95:>8.1f}"
            )
            line += f"  {goals(row, health)}" + (f" ({load.errors})" if load.errors else "")
        else:
            line += f"{'':>49}  {goals(row, health)}"
        print(line)


def print_ratios(national: list[Row], demo: list[Row]) -> None:
    print()
    print("national / demo, per page (time: p50 under load, else one request; req/s: demo / national)")
    print(
        f"{'persona':<17}{'page':<22}{'time x':>8}{'req/s x':>9}{'kB x':>7}  goal <= {GOALS['max_national']}"
    )
    small = {(r.persona, r.path): r for r in demo}
    for row in national:
        other = small.get((row.persona, row.path))
        if other is None or row.one.status != 200 or other.one.status != 200:
            continue
        if row.load and other.load and other.load.p50:
            time_ratio = row.load.p50 / other.load.p50
        else:
            time_ratio = row.one.ms / other.one.ms if other.one.ms else 0
        rps_ratio = other.load.rps / row.load.rps if row.load and other.load and row.load.rps else 0
        kb = row.one.kb / other.one.kb if other.one.kb else 0
        verdict = "ok" if time_ratio <= GOALS["max_national"] else "slower"
        print(f"{row.persona:<17}{row.path:<22}{time_ratio:>8.2f}{rps_ratio:>9.2f}{kb:>7.2f}  {verdict}")


def print_explains(name: str, rows: list[Row]) -> None:
    print()
    print(f"{name}: the costliest SQL statement of each page, EXPLAIN (ANALYZE, BUFFERS)")
    for row in rows:
        if row.explain:
            print(f"-- {row.persona} {row.path}")
            for line in row.explain:
                print(f"   {line}")


def parse() -> argparse.Namespace:
    server = "postgresql://postgres@127.0.0.1:5432"
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per page (default 5)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--timeout", type=float, default=30, help="per-request timeout, s (default 30)")
    parser.add_argument("--personas", default=",".join(PERSONAS), help="comma-separated usernames")
    parser.add_argument("--pages", default="", help="comma-separated paths (default: every page)")
    parser.add_argument("--skip-generate", action="store_true", help="use the databases as they are")
    parser.add_argument("--demo-only", action="store_true", help="measure the demo-size database only")
    parser.add_argument("--no-explain", dest="explain", action="store_false", help="skip the EXPLAINs")
    parser.add_argument("--explain-lines", type=int, default=25, help="plan lines shown per page")
    parser.add_argument("--national-url", default=os.environ.get("NATIONAL_URL", f"{server}/national"))
    parser.add_argument("--demo-url", default=os.environ.get("DEMO_URL", f"{server}/demo_bench"))
    args = parser.parse_args()
    args.personas = [p for p in args.personas.split(",") if p]
    args.pages = [p for p in args.pages.split(",") if p]
    return args


ARGS: argparse.Namespace


def main() -> None:
    global ARGS
    ARGS = args = parse()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
    sizes = (
        [("demo", args.demo_url)]
        if args.demo_only
        else [("national", args.national_url), ("demo", args.demo_url)]
    )
    results: dict[str, tuple[One, Load, list[Row]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, url in sizes:
            results[name] = measure(name, url, args, password, Path(folder))
            print_table(name, *results[name])  # at once: a later failure keeps these figures
    if "national" in results and "demo" in results:
        print_ratios(results["national"][2], results["demo"][2])
    for name, (_, _, rows) in results.items():
        print_explains(name, rows)


if __name__ == "__main__":
    main()
