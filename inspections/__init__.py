"""The administrative-reform inspection workflow tool."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from importlib import import_module
from pathlib import Path
from typing import Any

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from config import load_secret_key, settings_from_env
from inspections.retry import retrying


def create_app(config: Mapping[str, Any] | None = None, *, instance_path: str | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=instance_path or os.environ.get("INSPECTIONS_INSTANCE") or None,
        instance_relative_config=True,
        template_folder="../templates",
    )
    app.config.update(settings_from_env(Path(app.instance_path)))
    app.config.update(config or {})
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = load_secret_key(Path(app.instance_path))

    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    _limit_request_size(app)  # first: CSRF protection reads the form in its own hook
    _init_extensions(app)
    _register_blueprints(app)
    _register_event_handlers()
    _register_templating(app)
    _version_static_urls(app)
    _register_cli(app)

    from workers.app import celery_init_app

    celery_init_app(app)
    return app


def _version_static_urls(app: Flask) -> None:
    """Every static URL names its file's content (`?v=<sha256 prefix>`): after a release the
    browser, and the offline visit's service worker (which keeps files by URL and answers
    from its copy first), fetch the new file at once instead of on the load after."""
    digests: dict[str, str | None] = {}

    @app.url_defaults
    def add_version(endpoint: str, values: dict[str, Any]) -> None:
        name = values.get("filename")
        if endpoint != "static" or not name or "v" in values:
            return
        if name not in digests or app.debug:
            path = Path(app.static_folder or "") / name
            digests[name] = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else None
        if digests[name]:
            values["v"] = digests[name]


def _init_extensions(app: Flask) -> None:
    from inspections import models  # noqa: F401 - the whole schema, for Alembic
    from inspections.extensions import babel, csrf, db, limiter, login_manager, migrate
    from inspections.i18n import select_locale

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(Path(__file__).parent.parent / "migrations"), render_as_batch=True
    )
    login_manager.init_app(app)
    limiter.init_app(app)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )


def _limit_request_size(app: Flask) -> None:
    """Only multipart requests (uploads) may use the full MAX_CONTENT_LENGTH."""

    @app.before_request
    def limit_plain_bodies() -> None:
        if request.mimetype != "multipart/form-data":
            request.max_content_length = app.config["MAX_FORM_MEMORY_SIZE"]


# Feature packages with views: each has a blueprint `bp` in __init__.py and views in routes.py.
FEATURES = (
    "auth",
    "reports",
    "plans",
    "units",
    "imports",
    "teams",
    "assignments",
    "audit",
    "system",
    "outbox",
    "reminders",
    "scheduling",
    "workdays",
    "visits",
    "findings",
    "documents",
    "remediation",
    "cases",
    "links",
    "portal",
    "inbox",
    "api",
    "webhooks",
    "accounts",
)


# Features that handle domain events (inspections/events.py): each has a handlers.py.
HANDLERS: tuple[str, ...] = ("plans", "portal", "reminders", "webhooks")


class _IdConverter(IntegerConverter):
    """`<int:…>` in every route: ids beyond 32 bits are a 404, not a database overflow."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        from inspections.forms import MAX_ID

        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def _register_blueprints(app: Flask) -> None:
    from inspections import errors_web, headers

    app.url_map.converters["int"] = _IdConverter
    for feature in FEATURES:
        # Importing the routes module attaches the views to the feature's blueprint.
        import_module(f"inspections.{feature}.routes")
        app.register_blueprint(import_module(f"inspections.{feature}").bp)
    errors_web.register(app)
    headers.register(app)
    # Every view is one unit of work, run again whole on a transient database conflict.
    for endpoint, view in app.view_functions.items():
        app.view_functions[endpoint] = retrying(view)


def _register_event_handlers() -> None:
    """A feature that reacts to another's events says so in its `handlers.py`."""
    for feature in HANDLERS:
        import_module(f"inspections.{feature}.handlers")


def _register_templating(app: Flask) -> None:
    from flask_babel import get_locale

    from inspections import policy
    from inspections.auth.forms import LanguageForm, LogoutForm
    from inspections.i18n import show_date, show_datetime, show_number
    from inspections.labels import label

    app.jinja_env.filters["date"] = show_date
    app.jinja_env.filters["day"] = show_date
    app.jinja_env.filters["datetime"] = show_datetime
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["number"] = show_number
    app.jinja_env.globals.update(
        policy=policy, get_locale=get_locale, LanguageForm=LanguageForm, LogoutForm=LogoutForm
    )
    app.jinja_env.globals["has_endpoint"] = lambda endpoint: _has_page(app, endpoint)


def _has_page(app: Flask, endpoint: str) -> bool:
    """Whether a page at `endpoint` exists that takes no argument: the navigation links a
    feature only once its blueprint is there."""
    if endpoint not in app.view_functions:
        return False
    return any(not rule.arguments for rule in app.url_map.iter_rules(endpoint))


def _register_cli(app: Flask) -> None:
    from inspections.assignments.cli import verify_draw_command
    from inspections.audit.cli import cli as audit_cli
    from inspections.auth.cli import cli as users_cli
    from inspections.demo.cli import cli as demo_cli
    from inspections.findings.cli import cli as checklists_cli
    from inspections.plans.cli import cli as plans_cli

    plans_cli.add_command(verify_draw_command)
    for group in (users_cli, audit_cli, demo_cli, plans_cli, checklists_cli):
        app.cli.add_command(group)
