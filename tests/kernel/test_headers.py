"""Security headers on every answer; nothing dynamic is cached."""

from __future__ import annotations

from inspections.auth.models import Role


def test_every_page_has_the_security_headers(client, login, make, db):
    for response in (client.get("/login"), client.get("/no-such-page")):
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        scripts = csp.split("script-src")[1].split(";")[0]
        assert scripts.strip() == "'self'"  # no inline script, no eval
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "geolocation=()" in headers["Permissions-Policy"]
        assert headers["Cache-Control"] == "no-store"


def test_private_pages_and_exports_are_not_stored(client, login, make, db):
    user = make.user(Role.COORDINATOR)
    db.session.commit()
    login(user.username)
    assert client.get("/plans/").headers["Cache-Control"] == "no-store"
    export = client.get("/units/export.csv")
    assert export.status_code == 200 and export.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached(client):
    assert client.get("/static/app.css").headers.get("Cache-Control") != "no-store"


def test_hsts_only_in_production(app, client):
    app.config["PROFILE"] = "development"  # dev.py run: plain HTTP on 127.0.0.1
    assert "Strict-Transport-Security" not in client.get("/login").headers
    app.config["PROFILE"] = "production"
    assert client.get("/login").headers["Strict-Transport-Security"].startswith("max-age=31536000")
