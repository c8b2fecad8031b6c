"""Settings, read from the environment with defaults that need nothing but Python.

`settings_from_env` is called by `create_app`; tests pass overrides on top of it.
Unset variables fall back to embedded services:

- DATABASE_URL: a SQLite file in instance/
- REDIS_URL: Celery's broker becomes kombu's SQLAlchemy transport on a SQLite file
- SMTP_URL: mails are written as .eml files into instance/mail/
- SECRET_KEY: generated once into instance/secret_key by create_app (never in the repository)
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

DISPLAY_TIMEZONE = "Asia/Ho_Chi_Minh"
VISIBILITY_TIMEOUT = 3600  # seconds; no task may run longer


def database_url(raw: str | None, instance_path: Path) -> str:
    if not raw:
        return f"sqlite:///{instance_path / 'inspections.sqlite3'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants an explicit driver.
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def load_secret_key(instance_path: Path) -> str:
    """Read instance/secret_key, creating it (mode 0600) the first time."""
    path = instance_path / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def celery_settings(
    broker_url: str, *, dispatch_every: float = 20.0, anchor_every: float = 3600.0
) -> dict[str, Any]:
    """Celery settings, chosen after its reliability notes.

    Tasks are idempotent through database state, so they acknowledge late and take one
    message at a time: a worker killed mid-task leaves the message to be redelivered.
    """
    settings: dict[str, Any] = {
        "broker_url": broker_url,
        "broker_connection_retry_on_startup": True,
        "task_ignore_result": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "timezone": "UTC",
        "enable_utc": True,
        "beat_schedule": {
            "system-heartbeat": {"task": "system.heartbeat", "schedule": 60.0},
            # The audit chain's head, written outside the database (and mailed daily).
            "audit-anchor": {"task": "audit.anchor", "schedule": anchor_every},
            # The outbox: time-based rows written idempotently each minute, and a
            # dispatcher tick; the rows live in the database, the ticks may be lost.
            "reminders-schedule": {"task": "reminders.schedule_due", "schedule": 60.0},
            # The opt-in daily digest of what waits (inspections/inbox/digest.py): hourly
            # ticks, one mail per person and day (the key holds the day).
            "inbox-digest": {"task": "inbox.send_digests", "schedule": 3600.0},
            "reminders-dispatch": {
                "task": "reminders.dispatch_due",
                "schedule": dispatch_every,
                # A tick older than the next one is worth nothing: drop it.
                "options": {"expires": dispatch_every},
            },
            # Import jobs (inspections/imports): waiting ones whose task was lost, and ones
            # whose worker died (their heartbeat stopped), handed out again.
            "imports-recover": {
                "task": "imports.recover",
                "schedule": 60.0,
                "options": {"expires": 60.0},
            },
            # Webhook deliveries (inspections/webhooks): claimed and retried in the database.
            "webhooks-deliver": {
                "task": "webhooks.deliver_due",
                "schedule": 15.0,
                "options": {"expires": 15.0},
            },
        },
    }
    if broker_url.startswith(("redis://", "rediss://")):
        # The visibility timeout must outlast the longest task, or Redis redelivers a
        # message that is still being worked on. (The SQLAlchemy transport has none and
        # would pass the option on to create_engine.)
        settings["broker_transport_options"] = {"visibility_timeout": VISIBILITY_TIMEOUT}
    return settings


def settings_from_env(instance_path: Path, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    env = os.environ if env is None else env
    profile = env.get("INSPECTIONS_PROFILE", "production")
    redis_url = env.get("REDIS_URL") or None
    broker = redis_url or f"sqla+sqlite:///{instance_path / 'celery-broker.sqlite3'}"
    secure_cookies = profile == "production"
    return {
        "PROFILE": profile,
        "SECRET_KEY": env.get("SECRET_KEY") or None,  # None: create_app reads instance/secret_key
        "SQLALCHEMY_DATABASE_URI": database_url(env.get("DATABASE_URL"), instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "SMTP_URL": env.get("SMTP_URL") or None,
        "MAIL_FOLDER": str(instance_path / "mail"),
        "MAIL_FROM": env.get("MAIL_FROM", "Kiểm tra CCHC <no-reply@inspections.example>"),
        # The outbox (inspections/outbox): links in mail point at APP_URL; a row
        # claimed longer than the lease ago by a worker that died is claimed again.
        "APP_URL": env.get("APP_URL", "http://127.0.0.1:5000"),
        # The domain of Message-IDs, List-Id and calendar UIDs (default: APP_URL's host),
        # so that two deployments never mint the same ones.
        "MAIL_DOMAIN": env.get("MAIL_DOMAIN") or None,
        # Reply-To of every mail: an address ("Văn phòng <vp@example.gov.vn>"), "none" for
        # no Reply-To; unset, the person the mail is about answers: the team head or the
        # plan's coordinator, whichever MAIL_REPLY_TO_ROLE ("team_head" or "coordinator")
        # puts first.
        "MAIL_REPLY_TO": env.get("MAIL_REPLY_TO") or None,
        "MAIL_REPLY_TO_ROLE": env.get("MAIL_REPLY_TO_ROLE", "team_head"),
        "SMTP_TIMEOUT": float(env.get("SMTP_TIMEOUT", "30")),
        "OUTBOX_LEASE_SECONDS": float(env.get("OUTBOX_LEASE_SECONDS", "300")),
        "OUTBOX_BACKOFF_BASE": float(env.get("OUTBOX_BACKOFF_BASE", "30")),
        "OUTBOX_BACKOFF_CAP": float(env.get("OUTBOX_BACKOFF_CAP", "3600")),
        "CELERY": celery_settings(
            broker,
            dispatch_every=float(env.get("OUTBOX_DISPATCH_EVERY", "20")),
            anchor_every=float(env.get("AUDIT_ANCHOR_EVERY", "3600")),
        ),
        # Where the audit chain's head is appended (default instance/audit-anchors.jsonl):
        # storage the database server cannot rewrite.
        "AUDIT_ANCHOR_FILE": env.get("AUDIT_ANCHOR_FILE") or None,
        # Sessions: a signed browser-session cookie; auth ends it on the server (session
        # version), after PERMANENT_SESSION_LIFETIME idle or SESSION_ABSOLUTE_LIFETIME in all.
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "__Host-session" if secure_cookies else "session",
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=int(env.get("IDLE_TIMEOUT_MINUTES", "30"))),
        "SESSION_REFRESH_EACH_REQUEST": True,
        "SESSION_ABSOLUTE_LIFETIME": timedelta(hours=int(env.get("ABSOLUTE_TIMEOUT_HOURS", "12"))),
        "REMEMBER_COOKIE_DURATION": timedelta(0),
        # Throttling (Flask-Limiter): refused logins per account and per client address.
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_KEY_PREFIX": "inspections-limits",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_LIMIT_PER_ACCOUNT": env.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per minute; 20 per hour"),
        "LOGIN_LIMIT_PER_ADDRESS": env.get("LOGIN_LIMIT_PER_ADDRESS", "30 per minute; 200 per hour"),
        # Requests for a fresh link (each may mail), per client address and per email typed;
        # the unit's uploads (self-assessment, remediation files), per client address.
        "FRESH_LINK_LIMIT_PER_ADDRESS": env.get("FRESH_LINK_LIMIT_PER_ADDRESS", "10 per minute; 30 per hour"),
        "FRESH_LINK_LIMIT_PER_EMAIL": env.get("FRESH_LINK_LIMIT_PER_EMAIL", "3 per minute; 10 per hour"),
        "UPLOAD_LIMIT": env.get("UPLOAD_LIMIT", "20 per minute; 120 per hour"),
        # Behind this many reverse proxies the client's address comes from X-Forwarded-For.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        # Request limits: whole body (uploads) and any single non-file form field.
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": DISPLAY_TIMEZONE,
        "LANGUAGES": ("vi", "en"),
        "PREFERRED_URL_SCHEME": "https" if secure_cookies else "http",
        **open_interface_settings(env),
    }


# --- open interfaces: the JSON API, its tokens, webhooks, single sign-on, two-factor login ---


def _roles(raw: str | None) -> tuple[str, ...] | None:
    if raw is None:
        return None
    return tuple(r.strip() for r in raw.split(",") if r.strip())


def open_interface_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Settings of inspections/api, inspections/webhooks and the auth additions."""
    return {
        # The JSON API (/api/v1): requests per token (or client address), Flask-Limiter syntax.
        "API_LIMIT": env.get("API_LIMIT", "300 per minute; 5000 per hour"),
        "API_TOKEN_MAX_DAYS": int(env.get("API_TOKEN_MAX_DAYS", "366")),
        # Two-factor login: the roles that must use it. Unset: admins and coordinators in
        # production, nobody for the demo (INSPECTIONS_PROFILE=development) or the tests.
        "TOTP_REQUIRED_ROLES": _roles(env.get("TOTP_REQUIRED_ROLES")),
        "TOTP_ISSUER": env.get("TOTP_ISSUER", "Kiểm tra CCHC"),
        "TWO_FACTOR_LIMIT_PER_ACCOUNT": env.get("TWO_FACTOR_LIMIT_PER_ACCOUNT", "5 per minute; 20 per hour"),
        # Single sign-on (OpenID Connect): all three set, the login page offers it.
        "OIDC_ISSUER": env.get("OIDC_ISSUER") or None,
        "OIDC_CLIENT_ID": env.get("OIDC_CLIENT_ID") or None,
        "OIDC_CLIENT_SECRET": env.get("OIDC_CLIENT_SECRET") or None,
        "OIDC_SCOPES": env.get("OIDC_SCOPES", "openid email profile"),
        # A claim holding the user's groups or roles, and "value=role,value=role" to map them.
        "OIDC_ROLE_CLAIM": env.get("OIDC_ROLE_CLAIM") or None,
        "OIDC_ROLE_MAP": env.get("OIDC_ROLE_MAP", ""),
        # Bearer tokens of the IdP on the API: the audience they must carry (default the
        # client id) and the scope that allows writes.
        "OIDC_API_AUDIENCE": env.get("OIDC_API_AUDIENCE") or None,
        "OIDC_WRITE_SCOPE": env.get("OIDC_WRITE_SCOPE", "inspections:write"),
        # Webhooks: delivery timeout, attempts and backoff (seconds), lease of a claim.
        "WEBHOOK_TIMEOUT": float(env.get("WEBHOOK_TIMEOUT", "10")),
        "WEBHOOK_MAX_ATTEMPTS": int(env.get("WEBHOOK_MAX_ATTEMPTS", "8")),
        "WEBHOOK_BACKOFF_BASE": float(env.get("WEBHOOK_BACKOFF_BASE", "30")),
        "WEBHOOK_BACKOFF_CAP": float(env.get("WEBHOOK_BACKOFF_CAP", "3600")),
        "WEBHOOK_LEASE_SECONDS": float(env.get("WEBHOOK_LEASE_SECONDS", "120")),
    }
