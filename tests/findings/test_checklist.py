"""Checklist templates: an admin edits a draft version, publishes it; visits keep theirs."""

from __future__ import annotations

import sqlalchemy as sa

from inspections.auth.models import Role
from inspections.findings import checklists
from inspections.findings.models import ChecklistTemplate, Criterion, TemplateStatus
from inspections.findings.services import save_visit_finding
from tests import fieldwork
from tests.conftest import csrf_token


def test_an_admin_edits_a_new_version_and_publishes_it(make, db, app, client, login):
    field = fieldwork.build(make, db)
    with app.test_request_context():
        save_visit_finding(
            field.visit, criterion_id=field.criteria(db)[0].id, result="compliant", expected_version=None,
            actor=field.leader,
        )  # fmt: skip
    admin = make.user(Role.ADMIN)
    db.session.commit()
    login(admin.username)

    # A published version cannot be edited in place.
    first = field.criteria(db)[0]
    page = client.post(
        f"/checklists/criteria/{first.id}",
        data={"csrf_token": csrf_token(client), "code": "I.1", "text_vi": "x", "text_en": "x", "weight": "1"},
    )
    assert page.status_code == 400
    assert "Chỉ sửa được phiên bản dự thảo" in page.get_data(as_text=True)

    client.post(f"/checklists/{field.template.id}/new-version", data={"csrf_token": csrf_token(client)})
    draft = db.session.scalar(sa.select(ChecklistTemplate).where(ChecklistTemplate.version == 2))
    area = db.session.scalar(
        sa.select(Criterion).where(Criterion.template_id == draft.id, Criterion.code == "VII")
    )
    response = client.post(
        f"/checklists/{draft.id}/criteria/new",
        data={
            "csrf_token": csrf_token(client),
            "parent_id": str(area.id),
            "code": "VII.4",
            "text_vi": "Sử dụng chữ ký số trong văn bản điện tử",
            "text_en": "Digital signatures on electronic documents",
            "weight": "1.5",
        },
    )
    assert response.status_code == 302
    client.post(f"/checklists/{draft.id}/publish", data={"csrf_token": csrf_token(client)})

    db.session.expire_all()
    assert db.session.get(ChecklistTemplate, field.template.id).status == TemplateStatus.RETIRED
    assert db.session.get(ChecklistTemplate, draft.id).status == TemplateStatus.PUBLISHED
    added = db.session.scalar(sa.select(Criterion).where(Criterion.code == "VII.4"))
    assert (added.parent_id, added.weight, added.template_id) == (area.id, 1.5, draft.id)
    assert checklists.template_for_visit(field.visit.id).id == field.template.id, "the visit keeps version 1"
    # A new visit would start with version 2.
    assert checklists.current_template().id == draft.id


def test_codes_are_unique_within_a_version(make, db, app):
    template, _ = checklists.load_default_template()
    draft = checklists.new_version(template, actor=None)
    db.session.commit()
    with app.test_request_context():
        try:
            checklists.save_criterion(
                draft, code="I.1", text_vi="trùng", text_en="duplicate", weight=1, actor=None
            )
        except checklists.Conflict as exc:
            assert "I.1" in str(exc.message)
        else:
            raise AssertionError("a duplicate code was accepted")
