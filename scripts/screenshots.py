#!/usr/bin/env python3
"""Screenshots of the main pages, desktop (1366×768) and phone (390×844), from the demo.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--only plans]

Builds a throw-away instance (SQLite, migrations, the demo with next year's schedule
approved), serves it on a local port
and drives the system's headless Chromium (Playwright; $CHROMIUM_PATH or `chromium`).
Writes <persona>-<page>-desktop.png and …-phone.png (full pages).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "screenshots demo password"  # noqa: S105 - a throw-away demo instance
VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}

# persona -> [(name, path or a callable finding the path on the listing page)]
# A "first:<list path>" entry opens the list and follows the first row's link.
PAGES: dict[str, list[tuple[str, str]]] = {
    "anonymous": [("login", "/login")],
    "coordinator": [
        ("home", "/"),
        ("plans", "/plans/"),
        ("plan", "first:/plans/"),
        ("units", "/units/"),
        ("unit", "first:/units/"),
        ("cases", "/cases/"),
        ("case", "first:/cases/"),
        ("visits", "/visits/"),
        ("actions", "/actions/"),
        ("extensions", "/actions/extensions/"),
        ("findings", "/reports/findings"),
        ("calendar", "/calendar"),
        ("inbox", "/inbox/"),
        ("imports", "/imports/"),
    ],
    "admin": [
        ("home", "/"),
        ("users", "/admin/users/"),
        ("audit", "/audit/"),
        ("system", "/admin/system"),
        ("outbox", "/admin/outbox"),
        ("checklists", "/checklists/"),
    ],
    # The visit page from the leader's home: its cards link to the visits to come.
    "leader.joint": [
        ("home", "/"),
        ("visits", "/visits/"),
        ("visit", "first:/|main .visit-card a[href^='/visits/']"),
    ],
    "member": [("home", "/"), ("calendar", "/calendar")],
    "contact.q-hadong": [("home", "/"), ("dashboard", "/unit/"), ("actions", "/actions/")],
}


def build_app(instance: Path):
    os.environ["INSPECTIONS_INSTANCE"] = str(instance)
    import flask_migrate

    from inspections import create_app
    from inspections.demo.services import load_demo
    from inspections.extensions import db
    from inspections.i18n import compile_catalogs

    compile_catalogs()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'screens.sqlite3'}",
            "SESSION_COOKIE_SECURE": False,
            "SESSION_COOKIE_NAME": "session",  # the __Host- name needs HTTPS
            "PREFERRED_URL_SCHEME": "http",
            "RATELIMIT_ENABLED": False,
            "TOTP_REQUIRED_ROLES": (),  # a demo on a laptop: no authenticator app at hand
            "PASSWORD_HASH_PROFILE": "CHEAPEST",
            "MAIL_FOLDER": str(instance / "mail"),
        },
        instance_path=str(instance),
    )
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        load_demo(password=PASSWORD)
        db.session.commit()
        approve_next_schedule()
    return app


def approve_next_schedule() -> None:
    """Next year's schedule, proposed and approved as the coordinator would (the worker's
    steps run here), so that the leader's home and the visit page have visits to show."""
    import sqlalchemy as sa

    from inspections.auth.models import User
    from inspections.extensions import db
    from inspections.plans.models import Plan
    from inspections.scheduling import services

    coordinator = db.session.scalar(sa.select(User).where(User.username == "coordinator"))
    plan = db.session.scalar(sa.select(Plan).order_by(Plan.year.desc()).limit(1))
    proposal = services.request_proposal(plan, actor=coordinator)
    db.session.commit()
    services.claim_proposal(proposal.id)
    services.compute_proposal(proposal.id)
    services.approve_proposal(proposal, actor=coordinator)
    db.session.commit()


def serve(app) -> tuple[str, object]:
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator(
        "main form button[type=submit], main form button.primary, main form .btn-primary"
    ).first.click()
    page.wait_for_load_state()


def resolve(page, base: str, target: str) -> str | None:
    if not target.startswith("first:"):
        return target
    # "first:<page>[|<selector>]": the first link on that page (by default in its table).
    where, _, selector = target.removeprefix("first:").partition("|")
    page.goto(base + where)
    link = page.locator(selector or "main table tbody a[href^='/']").first
    if link.count() == 0:
        return None
    return link.get_attribute("href")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--only", help="only pages whose name contains this")
    args = parser.parse_args(argv)
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("google-chrome")
    if chromium is None:
        sys.exit("no Chromium: install it or set CHROMIUM_PATH")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="screens-") as tmp:
        app = build_app(Path(tmp))
        base, server = serve(app)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            for persona, pages in PAGES.items():
                for device, viewport in VIEWPORTS.items():
                    context = browser.new_context(viewport=viewport, locale="vi-VN")
                    page = context.new_page()
                    if persona != "anonymous":
                        log_in(page, base, persona)
                    for name, target in pages:
                        if args.only and args.only not in name:
                            continue
                        path = resolve(page, base, target)
                        if path is None:
                            print(f"skip {persona} {name}: nothing to open")
                            continue
                        page.goto(base + path)
                        page.wait_for_load_state("networkidle")
                        file = out / f"{persona.split('.')[0]}-{name}-{device}.png"
                        page.screenshot(path=str(file), full_page=True)
                        print(file.relative_to(ROOT) if file.is_relative_to(ROOT) else file)
                    context.close()
            browser.close()
        server.shutdown()  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
