"""A criterion's weight is a number: "sNaN", "NaN" and "Infinity" are refused with a message."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import gettext

from inspections.auth.models import Role
from inspections.errors import InvalidInput
from inspections.findings import checklists
from inspections.findings.models import ChecklistTemplate, Criterion
from tests.conftest import csrf_token


@pytest.fixture
def draft(db, make, client, login):
    template, _ = checklists.load_default_template()
    admin = make.user(Role.ADMIN)
    db.session.commit()
    login(admin.username)
    client.post(f"/checklists/{template.id}/new-version", data={"csrf_token": csrf_token(client)})
    return db.session.scalar(sa.select(ChecklistTemplate).where(ChecklistTemplate.version == 2))


@pytest.mark.parametrize("weight", ["sNaN", "NaN", "-NaN", "Infinity", "-inf", "1e400"])
def test_a_weight_that_is_no_number_in_range_is_refused_with_a_message(app, db, client, draft, weight):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Criterion))
    page = client.post(
        f"/checklists/{draft.id}/criteria/new",
        data={
            "csrf_token": csrf_token(client),
            "code": "VII.9",
            "text_vi": "x",
            "text_en": "x",
            "weight": weight,
        },
    )
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'class="error"' in body
    with app.test_request_context():
        expected = {gettext("Not a valid decimal value."), gettext("The weight must be between 0 and 1000.")}
    assert any(message in body for message in expected)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Criterion)) == before


@pytest.mark.parametrize("weight", [Decimal("sNaN"), Decimal("NaN"), Decimal("Infinity")])
def test_the_service_refuses_a_weight_that_is_no_number(db, draft, weight, in_request):
    with pytest.raises(InvalidInput):
        checklists.save_criterion(draft, code="VII.9", text_vi="x", text_en="x", weight=weight, actor=None)
