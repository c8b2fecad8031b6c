"""The unit resource carries the address (added to v1 without removing anything)."""

from __future__ import annotations

from inspections.auth.models import Role
from inspections.units.models import UnitKind

ADDRESS = "18B Lê Thánh Tông, Hoàn Kiếm, Hà Nội"


def test_a_unit_says_its_address_or_null(db, make, client, bearer):
    headers = bearer(make.user(Role.ADMIN))
    with_one = make.unit(code="so-noivu", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, address=ADDRESS)
    make.unit(code="q-hadong", name="Quận Hà Đông")
    db.session.commit()
    one = client.get(f"/api/v1/units/{with_one.id}", headers=headers).get_json()
    assert one["address"] == ADDRESS and one["name_en"] is None
    page = client.get("/api/v1/units?sort=code", headers=headers).get_json()
    assert {u["code"]: u["address"] for u in page["items"]} == {"so-noivu": ADDRESS, "q-hadong": None}


def test_the_description_documents_the_address_as_a_nullable_string(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    unit = next(s for name, s in schemas.items() if name.startswith("UnitOut"))
    assert unit["properties"]["address"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    assert set(unit["properties"]) >= {"id", "code", "name", "name_en", "kind", "active"}
