"""/units/suggest: the unit picker's suggestions, scoped to who may see the registry."""

from __future__ import annotations

import pytest

from inspections.auth.models import Role
from inspections.units.models import UnitKind


@pytest.fixture
def registry(make, db):
    city = make.unit(code="ubnd-hn", name="UBND thành phố Hà Nội", kind=UnitKind.CITY)
    hadong = make.unit(code="q-hadong", name="UBND quận Hà Đông", parent_id=city.id)
    make.unit(code="p-vanquan", name="UBND phường Văn Quán", kind=UnitKind.COMMUNE, parent_id=hadong.id)
    make.unit(code="q-hadong-cu", name="Quận Hà Đông (cũ)", active=False)
    for n in range(30):
        make.unit(code=f"so-{n:02d}", name=f"Sở số {n}", kind=UnitKind.DEPARTMENT)
    db.session.commit()
    return {"city": city, "hadong": hadong}


def _suggest(client, query: str) -> list[dict[str, str]]:
    response = client.get(f"/units/suggest?{query}")
    assert response.status_code == 200
    assert response.is_json
    return response.get_json()["results"]


def test_a_name_without_accents_finds_the_unit_with_its_code_and_parent(make, db, client, login, registry):
    make.user(Role.COORDINATOR, username="lan")
    db.session.commit()
    login("lan")
    results = _suggest(client, "q=ha+dong")
    assert {r["value"] for r in results} == {"q-hadong", "q-hadong-cu"}
    hadong = next(r for r in results if r["value"] == "q-hadong")
    assert hadong["text"] == "UBND quận Hà Đông"
    assert "UBND thành phố Hà Nội" in hadong["hint"]


def test_a_code_prefix_finds_units_the_exact_code_first_and_at_most_twenty(make, db, client, login, registry):
    make.user(Role.OBSERVER, username="obs")
    db.session.commit()
    login("obs")
    results = _suggest(client, "q=so-")
    assert len(results) == 20
    assert all(r["value"].startswith("so-") for r in results)
    assert _suggest(client, "q=so-07")[0]["value"] == "so-07"


def test_kind_and_active_narrow_the_suggestions(make, db, client, login, registry):
    make.user(Role.COORDINATOR, username="lan")
    db.session.commit()
    login("lan")
    assert {r["value"] for r in _suggest(client, "q=ha+dong&active=1")} == {"q-hadong"}
    assert {r["value"] for r in _suggest(client, "q=ubnd&kind=commune")} == {"p-vanquan"}
    assert _suggest(client, "q=") == []
    assert _suggest(client, "q=%25%25") == []  # a LIKE wildcard is a character, not "anything"
    assert _suggest(client, "q=" + "x" * 5000) == []


@pytest.mark.parametrize("role", [Role.UNIT_CONTACT, Role.INSPECTOR])
def test_people_who_may_not_see_the_registry_get_no_suggestion(make, db, client, login, registry, role):
    make.user(role, username="someone", home_unit_id=registry["hadong"].id)
    db.session.commit()
    login("someone")
    response = client.get("/units/suggest?q=ha+dong")
    assert response.status_code == 403
    assert b"q-hadong" not in response.data


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, registry):
    response = client.get("/units/suggest?q=ha+dong")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
