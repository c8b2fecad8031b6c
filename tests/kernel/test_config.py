from __future__ import annotations

import stat

from config import database_url, load_secret_key, settings_from_env
from inspections import create_app


def test_defaults_need_nothing_but_python(tmp_path):
    settings = settings_from_env(tmp_path, env={})

    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inspections.sqlite3'}"
    assert settings["CELERY"]["broker_url"] == f"sqla+sqlite:///{tmp_path / 'celery-broker.sqlite3'}"
    assert settings["SMTP_URL"] is None
    assert settings["MAIL_FOLDER"] == str(tmp_path / "mail")


def test_services_come_from_the_environment(tmp_path):
    settings = settings_from_env(
        tmp_path,
        env={
            "DATABASE_URL": "postgres://u@db.internal/inspections",
            "REDIS_URL": "redis://cache.internal:6379/0",
            "SMTP_URL": "smtp://mail.internal:25",
            "SECRET_KEY": "from-env",
        },
    )
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.internal/inspections"
    assert settings["CELERY"]["broker_url"] == "redis://cache.internal:6379/0"
    assert settings["SMTP_URL"] == "smtp://mail.internal:25"
    assert settings["SECRET_KEY"] == "from-env"


def test_database_url_keeps_an_explicit_driver(tmp_path):
    assert database_url("postgresql+psycopg://x/y", tmp_path) == "postgresql+psycopg://x/y"
    assert database_url("sqlite:////var/db.sqlite3", tmp_path) == "sqlite:////var/db.sqlite3"


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    first = load_secret_key(tmp_path)
    second = load_secret_key(tmp_path)

    assert first == second
    assert len(first) >= 48
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_create_app_without_secret_key_uses_the_instance_file(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text()


def test_production_cookies_are_secure_http_only_and_same_site(tmp_path, monkeypatch):
    monkeypatch.delenv("INSPECTIONS_PROFILE", raising=False)
    app = create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))
    client = app.test_client()

    response = client.get("/login", base_url="https://inspections.example")
    cookie = response.headers["Set-Cookie"]

    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 30 * 60
    assert app.config["SESSION_ABSOLUTE_LIFETIME"].total_seconds() == 12 * 3600


def test_create_app_has_no_side_effects_on_the_database(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))
    assert not (tmp_path / "inspections.sqlite3").exists()
