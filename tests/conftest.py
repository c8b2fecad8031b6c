"""Fixtures: a database built by the migrations, once per session, emptied after each test.

Without DATABASE_URL the suite runs on a SQLite file; with a PostgreSQL DATABASE_URL it
creates a fresh database beside the one named (dropped at the end), so several runs can
share a server. REDIS_URL, when set, is the Celery broker of the worker tests.
"""

from __future__ import annotations

import contextvars
import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from inspections import create_app
from inspections.extensions import db as _db
from inspections.i18n import compile_catalogs
from tests import factories

# CI sets this so that a missing service fails the run instead of skipping its tests.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_configure(config: pytest.Config) -> None:
    compile_catalogs()
    config.addinivalue_line("markers", "browser: drives a real Chromium through Playwright")


def _is_postgres(url: str | None) -> bool:
    return bool(url) and url.split(":", 1)[0] in {"postgres", "postgresql", "postgresql+psycopg"}


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def database_url(instance_dir: Path) -> Iterator[str]:
    from config import database_url as normalise

    configured = os.environ.get("DATABASE_URL")
    if not _is_postgres(configured):
        yield f"sqlite:///{instance_dir / 'test.sqlite3'}"
        return
    server = sa.make_url(normalise(configured, instance_dir))
    name = f"inspections_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def settings_for(database_url: str, instance_dir: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SESSION_COOKIE_SECURE": False,
        "SESSION_COOKIE_NAME": "session",
        "PREFERRED_URL_SCHEME": "http",
        "PASSWORD_HASH_PROFILE": "CHEAPEST",
        "MAIL_FOLDER": str(instance_dir / "mail"),
        # Throttling is tested on its own (tests/auth/test_throttling.py).
        "RATELIMIT_ENABLED": False,
    }


@pytest.fixture(scope="session")
def migrated(database_url: str, instance_dir: Path) -> str:
    """The schema, built the way production builds it: `flask db upgrade`."""
    app = create_app(settings_for(database_url, instance_dir), instance_path=str(instance_dir))
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        _db.engine.dispose()
    return database_url


def _empty_all_tables() -> None:
    tables = _db.metadata.sorted_tables
    if _db.engine.dialect.name == "postgresql":
        _truncate_postgres(", ".join(f'"{t.name}"' for t in tables))
        return
    for table in reversed(tables):
        _db.session.execute(table.delete())
    _db.session.commit()


# A browser test's page can still be fetching (a service worker's background copy, a thumbnail)
# when the test ends, and a request that takes a table's lock while TRUNCATE waits for the others
# deadlocks with it. That leaves the rows to the next test, so the database's other connections
# (all this test's: the database is the run's own) are ended first, and a clash is retried.
_END_OTHER_CONNECTIONS = sa.text(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


def _truncate_postgres(names: str, attempts: int = 5) -> None:
    for attempt in range(attempts):
        try:
            _db.session.execute(_END_OTHER_CONNECTIONS)
            _db.session.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
            _db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            _db.session.commit()
            return
        except sa.exc.OperationalError:
            _db.session.rollback()
            if attempt == attempts - 1:
                raise


@pytest.fixture
def app(migrated: str, instance_dir: Path) -> Iterator[Flask]:
    app = create_app(settings_for(migrated, instance_dir), instance_path=str(instance_dir))
    yield app
    with app.app_context():
        _db.session.remove()
        _empty_all_tables()
        _db.engine.dispose()
    # The audit anchors live beside the database: emptied with it.
    (instance_dir / "audit-anchors.jsonl").unlink(missing_ok=True)


@pytest.fixture
def db(app: Flask) -> Iterator[Any]:
    """An app context for tests that work with services and models directly."""
    with app.app_context():
        yield _db
        _db.session.rollback()


class IsolatedClient(FlaskClient):
    """Runs each request in an empty context, as a real server would.

    Flask reuses an app context that is already pushed (the `db` fixture's), which would
    share `g` and the database session between the test and its requests.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str | None = None) -> str:
    """The CSRF token of the client's session, read from a page as a browser would."""
    page = client.get(path or "/")
    if path is None and page.status_code == 302:
        page = client.get("/login")
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def login(client: FlaskClient) -> Callable[..., Any]:
    def do_login(username: str, password: str = factories.PASSWORD) -> Any:
        token = csrf_token(client)
        return client.post("/login", data={"csrf_token": token, "username": username, "password": password})

    return do_login


@pytest.fixture
def make(db: Any) -> factories.Factory:
    return factories.Factory(db)


@pytest.fixture
def in_request(app: Flask) -> Iterator[None]:
    """Domain errors translate their message when raised: that needs a request's locale."""
    with app.test_request_context():
        yield
