"""Every persona's main pages, on a desktop (1366×768) and a phone (390×844): axe-core
finds no WCAG 2.1 A/AA violation, no page is wider than its screen, and on the phone the
header leaves the content within the first 120 px.

The pages are those a person reaches: every link of the navigation, and from each list
the first row's page (a plan, a unit, a case, a visit, …). The anonymous visitor sees the
login page and the signed-link pages of a unit contact without an account.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import current_app

from inspections.demo.services import load_demo
from tests import links_world

pytestmark = pytest.mark.browser

PASSWORD = "accessibility demo password"
AXE = Path(__file__).resolve().parents[2] / "inspections/static/vendor/axe-core-4.14.1/axe.min.js"
VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
PHONE_HEADER_MAX = 120
# The demo's personas (README, "Demo accounts").
PERSONAS = {
    "admin": "admin",
    "coordinator": "coordinator",
    "team leader": "leader.joint",
    "team member": "member",
    "unit official": "contact.q-hadong",
}
# Not pages: files, feeds and the offline shell of the field app.
NOT_PAGES = (".pdf", ".docx", ".xlsx", ".csv", ".ics", ".json", "/sw.js", "/field/offline", "/logout")
MAX_PAGES = 40


def _axe_violations(page: Any) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
                resultTypes: ["violations"],
            });
            return r.violations.map(v => ({
                id: v.id, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            }));
        }"""
    )
    return [f"axe {v['id']} ({v['help']}): {', '.join(v['nodes'])}" for v in result]


def _layout_problems(page: Any, device: str) -> list[str]:
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    if width > viewport:
        wide = page.evaluate(
            """(vw) => [...document.querySelectorAll('main *')]
                .filter(e => e.getBoundingClientRect().right > vw + 1)
                .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                    + (typeof e.className === 'string' && e.className
                        ? '.' + e.className.split(' ').join('.') : ''))""",
            viewport,
        )
        problems.append(f"{width} px wide on a {viewport} px screen ({', '.join(wide)})")
    if device == "phone":
        top = page.evaluate("document.querySelector('main').getBoundingClientRect().top + window.scrollY")
        if top > PHONE_HEADER_MAX:
            problems.append(f"the header takes {top:.0f} px before the content")
    return problems


def check_page(page: Any, url: str, device: str) -> list[str]:
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    if response is None or response.status >= 400:
        return [f"answered {response.status if response else 'nothing'}"]
    return _axe_violations(page) + _layout_problems(page, device)


def _is_page(base: str, href: str | None) -> bool:
    if not href:
        return False
    parts = urlsplit(href)
    if parts.netloc and f"{parts.scheme}://{parts.netloc}" != base:
        return False
    return parts.path.startswith("/") and not parts.path.endswith(NOT_PAGES) and "/static/" not in parts.path


def _path(href: str) -> str:
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def visit_all(page: Any, base: str, device: str) -> dict[str, list[str]]:
    """Every navigation link, then the first row of every list found there."""
    page.goto(base + "/")
    nav = page.eval_on_selector_all(
        "header a.nav-link[href], header a.dropdown-item[href]", "els => els.map(e => e.getAttribute('href'))"
    )
    queue = [_path(h) for h in nav if _is_page(base, h)]
    seen: set[str] = set()
    seen_details: set[str] = set()  # one detail page per kind of list, by its first path segment
    report: dict[str, list[str]] = {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        problems = check_page(page, base + path, device)
        if problems:
            report[path] = problems
        first_row = page.eval_on_selector_all(
            "main table tbody a[href], main .list-group a[href]",
            "els => els.map(e => e.getAttribute('href'))",
        )
        for href in first_row:
            if not _is_page(base, href):
                continue
            detail = _path(href)
            kind = detail.split("/")[1] if "/" in detail else detail
            if detail not in seen and kind not in seen_details:
                seen_details.add(kind)
                queue.append(detail)
            break
    assert len(seen) >= 3, f"only {sorted(seen)} were reachable"
    return report


def _format(report: dict[str, list[str]]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=1)


@pytest.fixture
def demo(app, db) -> None:
    load_demo(password=PASSWORD)
    db.session.commit()


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{username} could not log in"


@pytest.mark.parametrize("device", VIEWPORTS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_main_pages_of_each_persona_are_accessible(app, demo, live_server, browser, persona, device):
    context = browser.new_context(viewport=VIEWPORTS[device], bypass_csp=True, locale="vi-VN")
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        _log_in(page, live_server, PERSONAS[persona])
        report = visit_all(page, live_server, device)
    finally:
        context.close()
    assert not report, f"{persona} on a {device}:\n{_format(report)}"


@pytest.mark.parametrize("device", VIEWPORTS)
def test_the_pages_of_an_anonymous_visitor_are_accessible(app, db, make, live_server, browser, device):
    notice = links_world.notice(make, db)
    concluded = links_world.concluded(make, db)
    paths = [
        "/login",
        notice.acknowledge,
        notice.self_assessment,
        concluded.conclusion,
        concluded.remediation[0],
    ]
    assert current_app.config["APP_URL"]
    context = browser.new_context(viewport=VIEWPORTS[device], bypass_csp=True, locale="vi-VN")
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        report = {p: problems for p in paths if (problems := check_page(page, live_server + p, device))}
    finally:
        context.close()
    assert not report, f"anonymous on a {device}:\n{_format(report)}"
