"""The tables the charts are drawn from (static/charts.js): their rows and data-value cells
hold the hand-counted figures, and a viewer who may not know of a visit counts nothing of it.

The world (`chart_world`, also used by tests/browser/test_charts.py), one 2019 plan:
  team 1 (joint, a long name): Quận Hà Đông concluded, Phường Yết Kiêu visited, Phường Văn
    Khê scheduled -> 3 assigned, 3 scheduled, 2 visited, 1 concluded
  team 2 (joint, a longer name): Huyện Gia Lâm assigned, Sở Tư pháp concluded -> 2, 1, 1, 1
  team 3 (surprise): Xã Kim Sơn assigned -> 1, 0, 0, 0
  findings of Hà Đông's visit: first area high, high, low (and one compliant); second area
    medium, high
  overdue actions (open or returned, past due): Hà Đông 2, Yết Kiêu 1 (a commune: its
    parent's), Văn Khê 1 (names Hà Đông as its district) -> Hà Đông 4; Gia Lâm 1; Sở Tư
    pháp 1 (in no district). Not overdue: one due later, one reported.
And a 2020 plan whose surprise visit to Huyện Sóc Sơn has not started: its finding (high)
and overdue action are the admin's to count, not an observer's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import lxml.html

from inspections.auth.models import Role, User
from inspections.findings.checklists import area_of
from inspections.findings.models import Criterion, Finding, FindingResult, Severity
from inspections.i18n import today
from inspections.plans.models import Plan
from inspections.remediation.models import ActionStatus, CorrectiveAction
from inspections.teams.models import Team, TeamKind
from inspections.units.models import Unit, UnitKind
from inspections.visits.models import InspectionStatus
from tests.conftest import IsolatedClient, csrf_token
from tests.factories import PASSWORD, Factory, days_from_now
from tests.fieldwork import build

TEAM_NAMES = (
    "Đoàn kiểm tra liên ngành số 1 về cải cách thủ tục hành chính",
    "Đoàn kiểm tra liên ngành số 2 về công tác cải cách hành chính và chuyển đổi số của thành phố",
    "Đoàn kiểm tra công vụ đột xuất số 3 về kỷ luật, kỷ cương hành chính",
)


@dataclass
class ChartWorld:
    admin: User
    observer: User
    plan: Plan
    secret_plan: Plan
    teams: list[Team]
    hadong: Unit
    gialam: Unit
    areas: list[Criterion]


def chart_world(make: Factory, db: Any) -> ChartWorld:
    field = build(make, db, visit_at=days_from_now(-3))
    plan, hadong = field.plan, field.unit
    field.team.name = TEAM_NAMES[0]
    field.inspection.status = InspectionStatus.CONCLUDED
    yetkieu = make.unit(name="Phường Yết Kiêu", kind=UnitKind.COMMUNE, parent_id=hadong.id)
    vankhe = make.unit(name="Phường Văn Khê", kind=UnitKind.COMMUNE, district_id=hadong.id)
    gialam = make.unit(name="Huyện Gia Lâm", kind=UnitKind.DISTRICT)
    kimson = make.unit(name="Xã Kim Sơn", kind=UnitKind.COMMUNE, parent_id=gialam.id, district_id=gialam.id)
    tuphap = make.unit(name="Sở Tư pháp", kind=UnitKind.DEPARTMENT)
    make.inspection(field.team, yetkieu, status=InspectionStatus.VISITED)
    make.inspection(field.team, vankhe, status=InspectionStatus.SCHEDULED)
    second = make.team(plan, TeamKind.JOINT)
    second.name = TEAM_NAMES[1]
    make.inspection(second, gialam)
    make.inspection(second, tuphap, status=InspectionStatus.CONCLUDED)
    third = make.team(plan, TeamKind.PUBLIC_SERVICE)
    third.name = TEAM_NAMES[2]
    make.inspection(third, kimson)

    criteria = field.criteria(db)
    top = area_of(field.areas(db) + criteria)
    areas = [field.areas(db)[0], field.areas(db)[2]]  # I and III: three criteria or more each
    under = {area.id: [c for c in criteria if top[c.id].id == area.id] for area in areas}

    def finding(visit_id: int, area: Criterion, n: int, result: FindingResult, severity: Severity) -> Finding:
        made = Finding(
            visit_id=visit_id,
            criterion_id=under[area.id][n].id,
            result=result,
            severity=severity,
            author_id=field.leader.id,
        )
        db.session.add(made)
        db.session.flush()
        return made

    nc = FindingResult.NON_COMPLIANT
    first, other = areas
    high = finding(field.visit.id, first, 0, nc, Severity.HIGH)
    finding(field.visit.id, first, 1, nc, Severity.HIGH)
    finding(field.visit.id, first, 2, nc, Severity.LOW)
    finding(field.visit.id, other, 2, FindingResult.COMPLIANT, Severity.NONE)
    finding(field.visit.id, other, 0, nc, Severity.MEDIUM)
    finding(field.visit.id, other, 1, nc, Severity.HIGH)

    now = today()

    def action(unit: Unit, due_in: int, status: ActionStatus = ActionStatus.OPEN, on: Finding = high) -> None:
        due = now + timedelta(days=due_in)
        db.session.add(
            CorrectiveAction(
                finding_id=on.id, unit_id=unit.id, description="Khắc phục", due_on=due, status=status
            )
        )

    action(hadong, -5)
    action(hadong, -1, ActionStatus.RETURNED)
    action(hadong, 5)  # not yet due
    action(hadong, -5, ActionStatus.REPORTED)  # the unit has reported: the leader's turn
    action(yetkieu, -2)
    action(vankhe, -3)
    action(gialam, -4)
    action(tuphap, -6)

    # A surprise visit that has not started: secret from all but its team, its plan's
    # coordinators and admins (its finding is made here directly, as none could be yet).
    secret_plan = make.plan(year=2020, title="Kế hoạch kiểm tra đột xuất năm 2020")
    secret_team = make.team(secret_plan, TeamKind.PUBLIC_SERVICE, members=[make.user(Role.INSPECTOR)])
    socson = make.unit(name="Huyện Sóc Sơn", kind=UnitKind.DISTRICT)
    secret = make.inspection(secret_team, socson, visit_at=days_from_now(5))
    action(socson, -2, on=finding(secret.visits[0].id, first, 0, nc, Severity.HIGH))

    admin = make.user(Role.ADMIN, username="chart-admin")
    observer = make.user(Role.OBSERVER, username="chart-observer")
    db.session.commit()
    return ChartWorld(admin, observer, plan, secret_plan, [field.team, second, third], hadong, gialam, areas)


def _table(html: str, chart_id: str) -> Any:
    tables = lxml.html.fromstring(html).xpath(f'//table[@data-chart-id="{chart_id}"]')
    assert len(tables) == 1, f"no table for the chart {chart_id}"
    return tables[0]


def _series(table: Any) -> dict[str, dict[str, float]]:
    """{row label: {series key: data-value}} as charts.js reads it."""
    heads = table.xpath("./thead/tr[last()]/th")
    keys = {i: th.get("data-series") for i, th in enumerate(heads) if th.get("data-series")}
    rows = {}
    for tr in table.xpath("./tbody/tr[th[@scope='row']]"):
        cells = tr.xpath("./th|./td")
        label = " ".join(cells[0].text_content().split())
        rows[label] = {key: float(cells[i].get("data-value")) for i, key in keys.items()}
    return rows


def _client(app: Any, username: str) -> IsolatedClient:
    client = IsolatedClient(app, app.response_class)
    client.post("/login", data={"csrf_token": csrf_token(client), "username": username, "password": PASSWORD})
    return client


def _page(app: Any, username: str, path: str) -> str:
    """`path` as `username` sees it, in a client of its own."""
    return _client(app, username).get(path).get_data(as_text=True)


def _labels(table: Any) -> list[str]:
    return [" ".join(th.text_content().split()) for th in table.xpath("./tbody/tr/th[@scope='row']")]


def test_the_plan_page_charts_its_progress_per_kind_and_per_team(db, make, app):
    world = chart_world(make, db)
    html = _page(app, world.admin.username, f"/plans/{world.plan.id}")

    kinds = _table(html, "progress-chart")
    assert kinds.get("data-chart") == "bar" and kinds.get("data-chart-label")
    stages = ("target", "assigned", "scheduled", "visited", "concluded")
    progress = {label: tuple(int(v[k]) for k in stages) for label, v in _series(kinds).items()}
    assert progress == {
        "Kiểm tra liên ngành": (15, 5, 4, 3, 2),
        "Kiểm tra công vụ đột xuất": (28, 1, 0, 0, 0),
        "Vụ việc": (4, 0, 0, 0, 0),
    }
    teams = _table(html, "team-chart")
    counts = {label: tuple(int(v[k]) for k in stages[1:]) for label, v in _series(teams).items()}
    assert counts == {TEAM_NAMES[0]: (3, 3, 2, 1), TEAM_NAMES[1]: (2, 1, 1, 1), TEAM_NAMES[2]: (1, 0, 0, 0)}
    # Only pages with a chart load the library.
    assert "echarts-6.1.0/echarts.min.js" in html and "charts.css" in html
    assert "echarts" not in _page(app, world.admin.username, "/plans/")


def test_the_staff_home_charts_progress_and_overdue_actions_per_district(db, make, app):
    world = chart_world(make, db)
    html = _page(app, world.observer.username, "/")

    kinds = _series(_table(html, f"progress-chart-{world.plan.id}"))
    assert kinds["Kiểm tra liên ngành"] == {
        "target": 15,
        "assigned": 5,
        "scheduled": 4,
        "visited": 3,
        "concluded": 2,
    }
    teams = _series(_table(html, f"team-chart-{world.plan.id}"))
    assert teams[TEAM_NAMES[1]] == {"assigned": 2, "scheduled": 1, "visited": 1, "concluded": 1}

    overdue = _table(html, "overdue-chart")
    rows = overdue.xpath("./tbody/tr")
    assert [tr.get("data-district") for tr in rows] == [str(world.hadong.id), str(world.gialam.id), "none"]
    assert _labels(overdue)[:2] == ["Quận Hà Đông", "Huyện Gia Lâm"]
    assert [v["overdue"] for v in _series(overdue).values()] == [4, 1, 1]
    # Each district links to its overdue actions.
    link = rows[0].xpath(".//a")[0].get("href")
    assert f"district={world.hadong.id}" in link and "overdue=1" in link


def test_a_secret_visit_s_action_is_counted_only_for_who_may_know_of_it(db, make, app):
    world = chart_world(make, db)
    admin = _labels(_table(_page(app, world.admin.username, "/"), "overdue-chart"))
    assert admin[:2] == ["Quận Hà Đông", "Huyện Gia Lâm"] and "Huyện Sóc Sơn" in admin
    observer = _labels(_table(_page(app, world.observer.username, "/"), "overdue-chart"))
    assert "Huyện Sóc Sơn" not in observer and len(observer) == 3


def test_the_findings_report_charts_findings_by_area_and_severity(db, make, app):
    world = chart_world(make, db)
    html = _page(app, world.observer.username, f"/reports/findings?plan={world.plan.id}")
    areas = _table(html, "chart-areas")
    assert areas.get("data-chart") == "bar-stacked"
    by_area = {label.split(".")[0]: v for label, v in _series(areas).items()}
    first, other = (a.code for a in world.areas)
    assert by_area == {first: {"high": 2, "medium": 0, "low": 1}, other: {"high": 1, "medium": 1, "low": 0}}
    districts = _table(html, "chart-districts")
    assert districts.get("data-chart-unit") == "%" and districts.get("data-chart-max") == "100"
    assert _series(districts) == {"Quận Hà Đông": {"rate": 83.3}}  # 5 of the 6 scored
    assert "echarts-6.1.0/echarts.min.js" in html


def test_the_secret_visit_s_findings_are_counted_only_for_who_may_know_of_it(db, make, app):
    world = chart_world(make, db)
    path = f"/reports/findings?plan={world.secret_plan.id}"
    admin = _series(_table(_page(app, world.admin.username, path), "chart-areas"))
    assert {k.split(".")[0]: v for k, v in admin.items()} == {
        world.areas[0].code: {"high": 1, "medium": 0, "low": 0}
    }
    assert _series(_table(_page(app, world.observer.username, path), "chart-areas")) == {}


def test_who_may_not_see_the_plan_sees_none_of_its_figures(db, make, app):
    world = chart_world(make, db)
    make.user(Role.INSPECTOR, username="chart-stranger")
    db.session.commit()
    client = _client(app, "chart-stranger")
    assert client.get(f"/plans/{world.plan.id}").status_code in (403, 404)
    home = client.get("/").get_data(as_text=True)
    assert "data-chart" not in home and TEAM_NAMES[0] not in home
