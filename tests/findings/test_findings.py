"""Findings on a visit: the checklist version kept, the version check, the lock."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from inspections.errors import Conflict, InvalidInput
from inspections.findings import checklists
from inspections.findings.models import ChecklistTemplate, Finding, FindingResult, VisitChecklist
from inspections.findings.services import save_visit_finding
from inspections.visits.models import VisitStatus
from tests import fieldwork

pytestmark = pytest.mark.usefixtures("in_request")


@pytest.fixture
def field(make, db):
    return fieldwork.build(make, db)


def test_a_first_finding_fixes_the_checklist_version_for_the_visit(field, db):
    criterion = field.criteria(db)[0]
    save_visit_finding(
        field.visit, criterion_id=criterion.id, result="compliant", expected_version=None, actor=field.leader
    )
    newer = checklists.new_version(field.template, actor=None)
    checklists.publish(newer, actor=None)

    assert db.session.get(VisitChecklist, field.visit.id).template_id == field.template.id
    assert checklists.template_for_visit(field.visit.id).version == 1
    assert checklists.current_template().version == 2
    assert field.visit.status == VisitStatus.IN_PROGRESS


def test_two_members_editing_one_finding_do_not_overwrite_each_other(field, db, app):
    criterion = field.criteria(db)[0]
    first = save_visit_finding(
        field.visit,
        criterion_id=criterion.id,
        result="compliant",
        text="Niêm yết đủ",
        expected_version=None,
        actor=field.leader,
    )
    assert first.version == 1
    # The member saves on top of version 1: accepted, now version 2.
    save_visit_finding(
        field.visit,
        criterion_id=criterion.id,
        result="observation",
        text="Thiếu 2 thủ tục",
        expected_version=1,
        actor=field.member,
    )
    # The leader's form still holds version 1: refused, with the name of who changed it.
    with pytest.raises(Conflict) as refused:
        save_visit_finding(
            field.visit,
            criterion_id=criterion.id,
            result="compliant",
            text="ghi đè",
            expected_version=1,
            actor=field.leader,
        )
    assert field.member.full_name in str(refused.value.message)
    saved = db.session.scalar(sa.select(Finding).where(Finding.criterion_id == criterion.id))
    assert (saved.text, saved.version) == ("Thiếu 2 thủ tục", 2)


def test_a_second_new_finding_on_the_same_criterion_is_a_conflict(field, db):
    criterion = field.criteria(db)[0]
    save_visit_finding(
        field.visit, criterion_id=criterion.id, result="compliant", expected_version=None, actor=field.leader
    )
    with pytest.raises(Conflict):
        save_visit_finding(
            field.visit,
            criterion_id=criterion.id,
            result="observation",
            expected_version=None,
            actor=field.member,
        )


def test_the_version_check_holds_against_a_concurrent_write(field, db):
    """Both read version 1; the database refuses the second write even past the check."""
    criterion = field.criteria(db)[0]
    finding = save_visit_finding(
        field.visit, criterion_id=criterion.id, result="compliant", expected_version=None, actor=field.leader
    )
    db.session.commit()
    db.session.execute(sa.update(Finding).where(Finding.id == finding.id).values(version=2, text="khác"))
    # The session still believes version 1.
    with pytest.raises(Conflict):
        save_visit_finding(
            field.visit,
            criterion_id=criterion.id,
            result="observation",
            expected_version=1,
            actor=field.member,
        )


def test_rules_of_a_finding(field, db):
    criteria = field.criteria(db)
    area = field.areas(db)[0]
    with pytest.raises(InvalidInput):
        save_visit_finding(
            field.visit, criterion_id=area.id, result="compliant", expected_version=None, actor=field.leader
        )
    with pytest.raises(InvalidInput):
        save_visit_finding(
            field.visit,
            criterion_id=criteria[0].id,
            result="non_compliant",
            severity="none",
            expected_version=None,
            actor=field.leader,
        )
    with pytest.raises(InvalidInput):
        save_visit_finding(
            field.visit,
            criterion_id=criteria[0].id,
            result="bogus",
            expected_version=None,
            actor=field.leader,
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Finding)) == 0


def test_the_default_checklist_covers_the_reform_areas(field, db):
    areas = [a.text_en for a in field.areas(db)]
    assert len(areas) == 8
    for expected in (
        "Direction and management",
        "Institutional reform",
        "Administrative procedure reform",
        "apparatus",
        "civil servants",
        "Public finance",
        "E-government",
        "Public-service discipline",
    ):
        assert any(expected in a for a in areas), expected
    texts = " ".join(c.text_vi + " " + c.text_en for c in field.criteria(db))
    for subject in (
        "một cửa liên thông",
        "mức độ 3, 4",
        "hằng tháng",
        "50 %",
        "tinh giản biên chế",
        "tự chủ",
    ):
        assert subject in texts, subject
    assert all(c.text_vi and c.text_en for c in field.criteria(db))
    assert any(c.parent and c.parent.parent for c in field.criteria(db)), "sub-criteria exist"


def test_loading_the_default_checklist_twice_creates_it_once(field, db, runner):
    result = runner.invoke(args=["checklists", "load-default"])
    assert result.exit_code == 0 and "already present" in result.output
    assert len(db.session.scalars(sa.select(VisitChecklist.__table__.c.visit_id)).all()) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChecklistTemplate)) == 1


def test_results_are_the_five_of_the_issue():
    assert {r.value for r in FindingResult} == {
        "compliant",
        "non_compliant",
        "observation",
        "good_practice",
        "not_applicable",
    }
