"""A coordinator imports 50,000 units: the check runs in a worker and the page follows it
with a progress bar (htmx, every second), through a reload; once confirmed, the import is
applied in the background and the page says it is done."""

from __future__ import annotations

import csv
import io
import threading
import time
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from inspections.auth.models import Role
from inspections.auth.services import create_user
from inspections.extensions import db as _db
from inspections.imports.services import due_jobs, run_job
from inspections.units.models import Unit
from inspections.units.transfer import COLUMNS
from tests.browser.test_accessibility import _axe_violations

pytestmark = pytest.mark.browser

PASSWORD = "browser import password"
ROWS = 50_000


def _file(path) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(["vn", "Việt Nam", "", "city", "", "", "", "1", "", "", ""])
    for i in range(ROWS - 1):
        writer.writerow([f"c-{i:06d}", f"Phường {i}", "", "commune", "ward", "vn", "", "1",
                         f"Cán bộ {i}", f"cb{i}@p{i}.gov.vn", "vi"])  # fmt: skip
    path.write_text(out.getvalue(), encoding="utf-8")


class Worker:
    """What a Celery worker with its beat does, in a thread: run every job that waits."""

    def __init__(self, app: Any) -> None:
        self.app, self.stop = app, threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self.stop.is_set():
            with self.app.app_context():
                for job_id in due_jobs():
                    run_job(job_id)
                _db.session.remove()
            self.stop.wait(0.3)

    def __enter__(self) -> Worker:
        self.thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop.set()
        self.thread.join(timeout=120)


def test_a_50000_row_import_shows_its_progress_survives_a_reload_and_is_applied(
    app, db, live_server, browser, tmp_path
):
    # axe-core is added as a script tag: the page's CSP would refuse it (as for
    # tests/browser/test_accessibility.py).
    context = browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    create_user(
        username="lan", email="lan@hanoi.example", full_name="Lan", password=PASSWORD, role=Role.COORDINATOR
    )
    db.session.commit()
    upload = tmp_path / "units-50000.csv"
    _file(upload)

    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill("lan")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{live_server}/units/import")  # the old address leads to the new page
    assert page.url.endswith("/imports/?kind=units")
    assert _axe_violations(page) == []
    page.locator("#kind").select_option("units")
    page.locator("#file").set_input_files(str(upload))
    page.locator("#import-upload button[type=submit], #import-upload button").first.click()
    expect(page.locator("#import-progress")).to_have_attribute("data-status", "queued")
    job_url = page.url

    with Worker(app):
        # The bar moves while the worker checks: seen part-way, by the page's own polling.
        bar = page.locator("#import-bar")
        expect(bar).to_be_visible(timeout=60_000)
        seen = set()
        deadline = time.monotonic() + 120
        while (
            time.monotonic() < deadline
            and page.locator("#import-progress").get_attribute("data-status") == "checking"
        ):
            now = bar.get_attribute("aria-valuenow") if bar.count() else None
            if now is not None:
                seen.add(int(now))
            if len(seen) >= 2:
                break
            page.wait_for_timeout(200)
        part_way = [n for n in seen if 0 < n < ROWS]
        assert part_way, f"no progress seen between 0 and {ROWS}: {seen}"
        assert int(bar.get_attribute("aria-valuemax")) == ROWS
        assert _axe_violations(page) == []

        page.reload()  # the page is the job's: it follows it again after a reload
        assert page.url == job_url
        expect(page.locator("#import-progress")).to_have_attribute("data-status", "checked", timeout=120_000)
        expect(page.locator("#import-counts")).to_contain_text("50.000")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 0  # not before the go-ahead

        page.locator("form[action$='/confirm'] button").click()
        dialog = page.locator("#confirm-dialog")
        if dialog.is_visible():
            dialog.locator("button[value=confirm]").click()
        expect(page.locator("#import-progress")).to_have_attribute("data-status", "done", timeout=180_000)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == ROWS
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert _axe_violations(page) == []
    context.close()
