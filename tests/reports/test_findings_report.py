"""The findings report against a hand count on a small fixture.

Two districts; 2019 and 2020 plans; the 2020 visits' findings, set by hand:
  Hà Đông (district, its own district): 3 non-compliant (high, high, low), 1 compliant,
    1 not applicable  -> 4 scored, 3 non-compliant, 75.0 %
  Phường Yết Kiêu (commune in Hà Đông): 1 non-compliant (medium), 3 compliant -> 25.0 %
  Gia Lâm (district): 4 compliant -> 0.0 %
In 2019 Hà Đông had 1 non-compliant of 2 scored (50.0 %): its change is +25.0.
"""

from __future__ import annotations

import io
import os
from collections import Counter
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from inspections.auth.models import Role
from inspections.documents.render import pdf_available
from inspections.findings.models import Finding, FindingResult, Severity
from inspections.i18n import today
from inspections.remediation.models import ActionStatus, CorrectiveAction
from inspections.reports.findings import findings_report
from inspections.teams.models import TeamKind
from inspections.units.models import UnitKind
from tests.factories import days_from_now
from tests.fieldwork import build

NC, OK, NA = FindingResult.NON_COMPLIANT, FindingResult.COMPLIANT, FindingResult.NOT_APPLICABLE


@pytest.fixture
def fixture(db, make):
    field = build(make, db, visit_at=days_from_now(-3))
    criteria = field.criteria(db)
    field.plan.year = 2020
    hadong = field.unit
    hadong.kind = UnitKind.DISTRICT
    commune = make.unit(name="Phường Yết Kiêu", kind=UnitKind.COMMUNE, district_id=hadong.id)
    gialam = make.unit(name="Huyện Gia Lâm", kind=UnitKind.DISTRICT)
    author = field.leader

    def findings(visit, results):
        made = []
        for n, (result, severity) in enumerate(results):
            finding = Finding(
                visit_id=visit.id,
                criterion_id=criteria[n].id,
                result=result,
                severity=severity,
                author_id=author.id,
            )
            db.session.add(finding)
            made.append(finding)
        db.session.flush()
        return made

    none = Severity.NONE
    hadong_2020 = findings(
        field.visit, [(NC, Severity.HIGH), (NC, Severity.HIGH), (NC, Severity.LOW), (OK, none), (NA, none)]
    )
    visit = make.inspection(field.team, commune, visit_at=days_from_now(-2)).visits[0]
    findings(visit, [(NC, Severity.MEDIUM), (OK, none), (OK, none), (OK, none)])
    visit = make.inspection(field.team, gialam, visit_at=days_from_now(-2)).visits[0]
    findings(visit, [(OK, none)] * 4)

    old_plan = make.plan(year=2019)
    old_team = make.team(old_plan, TeamKind.JOINT, members=[author])
    visit = make.inspection(old_team, hadong, visit_at=days_from_now(-400)).visits[0]
    findings(visit, [(NC, Severity.LOW), (OK, none)])

    now = today()
    actions = [
        (ActionStatus.OPEN, now - timedelta(days=5), None),  # overdue
        (ActionStatus.OPEN, now + timedelta(days=5), None),
        (ActionStatus.ACCEPTED, now, 10),  # closed 10 days after it was set
    ]
    for n, (status, due, verified) in enumerate(actions):
        action = CorrectiveAction(
            finding_id=hadong_2020[n].id,
            unit_id=hadong.id,
            description="Khắc phục",
            due_on=due,
            status=status,
        )
        db.session.add(action)
        db.session.flush()
        if verified:
            action.verified_at = action.created_at + timedelta(days=verified)
    db.session.commit()
    admin = make.user(Role.ADMIN)
    db.session.commit()
    return {"field": field, "plan": field.plan, "old_plan": old_plan, "admin": admin, "hadong": hadong}


def test_the_figures_are_the_hand_count(db, fixture, in_request):
    report = findings_report(fixture["admin"], [fixture["plan"]])
    assert (report.total.scored, report.total.non_compliant) == (12, 4)
    districts = {
        row.label: (row.tally.scored, row.tally.non_compliant, row.tally.rate) for row in report.by_district
    }
    assert districts == {"Quận Hà Đông": (8, 4, 50.0), "Huyện Gia Lâm": (4, 0, 0.0)}
    assert report.by_district[0].label == "Quận Hà Đông"  # the highest rate first
    kinds = {str(row.key): (row.tally.scored, row.tally.non_compliant) for row in report.by_unit_kind}
    assert kinds == {"district": (8, 3), "commune": (4, 1)}
    severities = sum((row.tally.by_severity for row in report.by_area), start=Counter())
    assert dict(severities) == {Severity.HIGH: 2, Severity.LOW: 1, Severity.MEDIUM: 1}
    assert report.actions.total == 3 and report.actions.overdue == 1 and report.actions.closed == 1
    assert report.actions.mean_days_to_close == 10.0
    first = report.units[0]
    assert (first.unit.name, first.now, first.previous, first.previous_year, first.change) == (
        "Quận Hà Đông", 75.0, 50.0, 2019, 25.0,
    )  # fmt: skip


def test_across_years(db, fixture, in_request):
    report = findings_report(fixture["admin"], [fixture["old_plan"], fixture["plan"]])
    assert [(row.key, row.tally.scored, row.tally.non_compliant) for row in report.by_year] == [
        (2019, 2, 1), (2020, 12, 4),
    ]  # fmt: skip


def test_the_page_and_its_workbook_show_the_same_figures(db, fixture, client, login):
    login(fixture["admin"].username)
    html = client.get(f"/reports/findings?plan={fixture['plan'].id}").get_data(as_text=True)
    assert "Quận Hà Đông" in html and "75.0 %" in html and "+25.0" in html
    response = client.get(f"/reports/findings.xlsx?plan={fixture['plan'].id}")
    book = load_workbook(io.BytesIO(response.data))
    districts = list(book.worksheets[2].iter_rows(values_only=True))
    assert districts[1][:4] == ("Quận Hà Đông", 8, 4, 50.0)


def test_only_staff_read_it(db, fixture, client, login):
    login(fixture["field"].leader.username)
    assert client.get("/reports/findings").status_code == 403


def test_the_pdf_holds_the_figures(db, fixture, client, login):
    if not pdf_available() and os.environ.get("REQUIRE_TOOLS") != "1":
        pytest.skip("WeasyPrint cannot load Pango here")
    login(fixture["admin"].username)
    response = client.get(f"/reports/findings.pdf?plan={fixture['plan'].id}")
    assert response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Quận Hà Đông" in text and "75.0 %" in text
