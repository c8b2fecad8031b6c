"""Scores per area and overall, from the weights, beside the unit's previous inspection."""

from __future__ import annotations

from datetime import timedelta

import pytest

from inspections.findings import scores
from inspections.findings.services import save_visit_finding
from inspections.visits.models import Slot, Visit, VisitStatus
from tests import fieldwork

pytestmark = pytest.mark.usefixtures("in_request")


def _record(field, visit, db, results: dict[str, str]) -> None:
    by_code = {c.code: c for c in field.criteria(db)}
    for code, result in results.items():
        save_visit_finding(
            visit,
            criterion_id=by_code[code].id,
            result=result,
            severity="low" if result == "non_compliant" else "none",
            expected_version=None,
            actor=field.leader,
        )


def test_area_scores_follow_the_weights_and_the_overall_weighs_the_areas(make, db):
    field = fieldwork.build(make, db)
    # Area III: III.1 (weight 2) compliant, III.2 (1) non-compliant, III.3 (1) observation
    # -> (2 + 0 + 0.5) / 4 = 62.5. Area VII: VII.1 (2) good practice, VII.2 not applicable -> 100.
    _record(
        field,
        field.visit,
        db,
        {"III.1": "compliant", "III.2": "non_compliant", "III.3": "observation",
         "VII.1": "good_practice", "VII.2": "not_applicable"},
    )  # fmt: skip
    result = scores.compute(field.criteria(db) + field.areas(db), field.visit_findings(db))
    assert result.by_area["III"] == 62.5
    assert result.by_area["VII"] == 100.0
    assert result.by_area["I"] is None
    # Both areas weigh 2: (62.5 * 2 + 100 * 2) / 4.
    assert result.overall == 81.2


def test_the_page_shows_the_previous_inspection_of_the_unit(make, db, client, login):
    field = fieldwork.build(make, db)
    earlier = Visit(
        inspection=make.inspection(make.team(make.plan(year=2018), members=[field.leader]), field.unit),
        starts_at=field.visit.starts_at - timedelta(days=365),
        ends_at=field.visit.starts_at - timedelta(days=365) + timedelta(hours=3),
        slot=Slot.MORNING,
        status=VisitStatus.DONE,
    )
    db.session.add(earlier)
    db.session.flush()
    _record(field, earlier, db, {"VIII.1": "non_compliant", "VIII.2": "compliant"})
    _record(field, field.visit, db, {"VIII.1": "compliant", "VIII.2": "compliant"})
    db.session.commit()

    previous_visit, previous = scores.previous_visit_scores(field.visit)
    assert previous_visit.id == earlier.id
    assert previous.by_area["VIII"] == 50.0

    login(field.leader.username)
    page = client.get(f"/visits/{field.visit.id}").get_data(as_text=True)
    row = page.split('data-area="VIII"')[1].split("</tr>")[0]
    assert '<td class="score text-end">100.0</td>' in row
    assert '<td class="previous text-end">50.0</td>' in row
