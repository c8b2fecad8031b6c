"""The charts (static/charts.js over ECharts) on the plan page, the staff home and the
findings report, on a desktop (1366×768) and a phone (390×844), with the page's own CSP:
each chart is an SVG in a figure just before its table, no two labels overlap each other
or a bar (the teams' names are long), the page is no wider than the screen, axe finds
nothing; without JavaScript the tables are all there is, and all that is needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import _axe_violations
from tests.factories import PASSWORD
from tests.reports.test_charts import TEAM_NAMES, ChartWorld, chart_world

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
AXE = "/static/vendor/axe-core-4.14.1/axe.min.js"  # served by the app: the CSP allows it


def _pages(world: ChartWorld) -> dict[str, tuple[str, list[str]]]:
    plan = world.plan.id
    return {
        "plan": (f"/plans/{plan}", ["progress-chart", "team-chart"]),
        "home": ("/", [f"progress-chart-{plan}", f"team-chart-{plan}", "overdue-chart"]),
        "findings": (f"/reports/findings?plan={plan}", ["chart-areas", "chart-districts"]),
    }


# Per chart: the figure and its table, the SVG, and every pair of boxes that must not meet:
# label and label, label and bar (the bars' rectangles from the chart's own layout).
CHART_PROBLEMS = """(ids) => {
  const problems = [];
  const meet = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5
    && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  for (const id of ids) {
    const figure = document.getElementById(id);
    if (!figure || figure.tagName !== "FIGURE") { problems.push(id + ": no figure"); continue; }
    if (figure.getAttribute("role") !== "img" || !figure.getAttribute("aria-label"))
      problems.push(id + ": the figure is not an image with a label");
    const table = figure.nextElementSibling;
    if (!table || table.tagName !== "TABLE" || table.getAttribute("data-chart-id") !== id)
      problems.push(id + ": not just before its table");
    const svg = figure.querySelector("svg");
    if (!svg) { problems.push(id + ": no SVG"); continue; }
    const canvas = figure.querySelector(".chart-canvas");
    const origin = canvas.getBoundingClientRect();
    const bars = [];
    echarts.getInstanceByDom(canvas).getModel().eachSeries((series) => {
      const data = series.getData();
      for (let i = 0; i < data.count(); i++) {
        const l = data.getItemLayout(i);
        if (!l || Math.abs(l.width) < 0.5 || Math.abs(l.height) < 0.5) continue;
        const left = origin.left + Math.min(l.x, l.x + l.width);
        const top = origin.top + Math.min(l.y, l.y + l.height);
        bars.push({left, top, right: left + Math.abs(l.width), bottom: top + Math.abs(l.height)});
      }
    });
    if (!bars.length) problems.push(id + ": no bar drawn");
    const texts = [...svg.querySelectorAll("text")]
      .map((t) => ({text: t.textContent, box: t.getBoundingClientRect()}))
      .filter((t) => t.text.trim() && t.box.width > 0);
    const rows = table.querySelectorAll("tbody th[scope=row]").length;
    if (texts.length < rows) problems.push(id + ": " + texts.length + " labels for " + rows + " rows");
    const frame = svg.getBoundingClientRect();
    texts.forEach((a, i) => {
      if (a.box.left < frame.left - 0.5 || a.box.right > frame.right + 0.5)
        problems.push(id + ": '" + a.text + "' is cut by the chart's edge");
      texts.slice(i + 1).forEach((b) => {
        if (meet(a.box, b.box)) problems.push(id + ": '" + a.text + "' overlaps '" + b.text + "'");
      });
      bars.forEach((bar) => {
        if (meet(a.box, bar)) problems.push(id + ": '" + a.text + "' overlaps a bar");
      });
    });
  }
  return problems;
}"""


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/login" not in page.url


def _wait_for_charts(page: Any, ids: list[str]) -> None:
    for chart_id in ids:
        expect(page.locator(f"figure#{chart_id} svg")).to_be_attached()


def _overflow(page: Any) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("device", VIEWPORTS)
def test_the_charts_are_drawn_without_overlap(app, db, make, live_server, browser, device):
    world = chart_world(make, db)
    context = browser.new_context(viewport=VIEWPORTS[device], locale="vi-VN")
    errors: list[str] = []
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on(
            "console", lambda m: errors.append(m.text) if m.type == "error" and "404" not in m.text else None
        )
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        _log_in(page, live_server, world.admin.username)
        problems = {}
        for name, (path, ids) in _pages(world).items():
            page.goto(live_server + path)
            _wait_for_charts(page, ids)
            found = page.evaluate(CHART_PROBLEMS, ids)
            if _overflow(page) > 0:
                found.append(f"the page is {_overflow(page)} px wider than the screen")
            page.add_script_tag(url=live_server + AXE)
            found += _axe_violations(page)
            if found:
                problems[name] = found
            page.screenshot(path=str(Path(app.instance_path) / f"charts-{name}-{device}.png"), full_page=True)
    finally:
        context.close()
    assert not problems, "\n".join(f"{k}: {p}" for k, v in problems.items() for p in v)
    assert not errors, errors  # the CSP let everything run


def test_a_cut_label_shows_in_full_in_the_tooltip_and_the_chart_follows_the_window(
    app, db, make, live_server, browser
):
    world = chart_world(make, db)
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="vi-VN")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        _log_in(page, live_server, world.admin.username)
        page.goto(f"{live_server}/plans/{world.plan.id}")
        _wait_for_charts(page, ["team-chart"])
        page.set_viewport_size(VIEWPORTS["phone"])
        page.wait_for_function(
            "document.querySelector('#team-chart svg').getBoundingClientRect().width < 390"
        )
        assert not page.evaluate(CHART_PROBLEMS, ["team-chart"])
        assert _overflow(page) <= 0
        # On the phone the second team's name is cut; the tooltip of its row has it whole.
        labels = page.locator("#team-chart svg text").all_text_contents()
        assert TEAM_NAMES[1] not in labels and any(text.endswith("…") for text in labels)
        page.locator("#team-chart").scroll_into_view_if_needed()
        box = page.evaluate(
            """(name) => {
              const canvas = document.querySelector('#team-chart .chart-canvas');
              const chart = echarts.getInstanceByDom(canvas);
              const names = [...document.querySelectorAll('table[data-chart-id=team-chart] tbody th')];
              const row = names.findIndex((th) => th.textContent.trim() === name);
              const l = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(row);
              const o = canvas.getBoundingClientRect();
              return {x: o.left + l.x + 4, y: o.top + l.y + l.height / 2};
            }""",
            TEAM_NAMES[1],
        )
        page.mouse.move(box["x"], box["y"])
        expect(page.locator("#team-chart b", has_text=TEAM_NAMES[1])).to_be_visible()
    finally:
        context.close()


def test_the_findings_charts_follow_a_live_filter(app, db, make, live_server, browser):
    world = chart_world(make, db)
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="vi-VN")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        _log_in(page, live_server, world.admin.username)
        page.goto(f"{live_server}/reports/findings?plan={world.plan.id}")
        _wait_for_charts(page, ["chart-areas"])
        expect(page.locator("table[data-chart-id='chart-areas'] tbody th")).to_have_count(2)
        # htmx replaces the report's region: the new tables get their charts.
        page.select_option("#plan", str(world.secret_plan.id))
        expect(page.locator("table[data-chart-id='chart-areas'] tbody th")).to_have_count(1)
        _wait_for_charts(page, ["chart-areas"])
        expect(page.locator("figure#chart-areas")).to_have_count(1)
        assert not page.evaluate(CHART_PROBLEMS, ["chart-areas"])
    finally:
        context.close()


def test_without_javascript_the_tables_are_there(app, db, make, live_server, browser):
    world = chart_world(make, db)
    context = browser.new_context(viewport=VIEWPORTS["phone"], java_script_enabled=False, locale="vi-VN")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        _log_in(page, live_server, world.admin.username)
        for path, ids in _pages(world).values():
            page.goto(live_server + path)
            for chart_id in ids:
                expect(page.locator(f"table[data-chart-id='{chart_id}']")).to_be_visible()
            expect(page.locator("figure svg")).to_have_count(0)
        page.goto(f"{live_server}/plans/{world.plan.id}")
        expect(page.locator("table[data-chart-id='team-chart']")).to_contain_text(TEAM_NAMES[1])
    finally:
        context.close()
