"""A unit's postal address: entered on the form, kept in the audit, shown where teams go."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.auth.models import Role
from inspections.documents.content import default_venue
from inspections.errors import InvalidInput
from inspections.units.models import Unit, UnitKind
from inspections.units.services import create_unit, update_unit
from tests import fieldwork
from tests.conftest import csrf_token
from tests.factories import days_from_now

ADDRESS = "18B Lê Thánh Tông, Hoàn Kiếm, Hà Nội"
FORM = {
    "code": "so-noivu",
    "name": "Sở Nội vụ",
    "kind": "department",
    "active": "y",
    "contact_language": "vi",
}


def _post(client, path: str, data: dict[str, str]):
    return client.post(path, data=data | {"csrf_token": csrf_token(client, path)})


def _unit(db, code: str = "so-noivu") -> Unit | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def _events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_a_coordinator_registers_a_unit_with_its_address_shown_on_its_page(db, make, client, login):
    make.user(Role.COORDINATOR, username="lan")
    db.session.commit()
    login("lan")
    form = client.get("/units/new").get_data(as_text=True)
    assert 'name="address"' in form and 'id="address-hint"' in form
    answer = _post(client, "/units/new", FORM | {"address": f"  {ADDRESS}  "})
    assert answer.status_code == 302
    unit = _unit(db)
    assert unit.address == ADDRESS  # stripped
    page = client.get(f"/units/{unit.id}").get_data(as_text=True)
    assert f'<dd id="unit-address" class="text-break">{ADDRESS}</dd>' in page
    assert _events(db, "unit.create")[0].after["address"] == ADDRESS


def test_an_admin_edits_the_address_and_a_blank_one_is_none(db, make, client, login):
    make.user(Role.ADMIN, username="boss")
    unit = make.unit(code="so-noivu", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT)
    db.session.commit()
    login("boss")
    edit = client.get(f"/units/{unit.id}/edit").get_data(as_text=True)
    assert 'name="address" type="text" value=""' in edit
    assert _post(client, f"/units/{unit.id}/edit", FORM | {"address": ADDRESS}).status_code == 302
    assert _unit(db).address == ADDRESS
    event = _events(db, "unit.update")[0]
    assert (event.before["address"], event.after["address"]) == (None, ADDRESS)
    assert f'value="{ADDRESS}"' in client.get(f"/units/{unit.id}/edit").get_data(as_text=True)

    assert _post(client, f"/units/{unit.id}/edit", FORM | {"address": "   "}).status_code == 302
    assert _unit(db).address is None
    page = client.get(f"/units/{unit.id}").get_data(as_text=True)
    assert '<dd id="unit-address" class="text-break">—</dd>' in page


def test_a_300_character_address_is_refused_in_vietnamese_and_nothing_is_saved(db, make, client, login):
    make.user(Role.COORDINATOR, username="lan")
    unit = make.unit(code="q-hadong", name="Quận Hà Đông", address="1 Hoàng Hoa Thám, Hà Đông")
    db.session.commit()
    login("lan")
    long = "Số 1 " + "x" * 295
    refused = _post(client, "/units/new", FORM | {"address": long})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Tối đa 255 ký tự." in body
    assert 'aria-invalid="true"' in re.search(r'<input[^>]*name="address"[^>]*>', body).group(0)
    assert _unit(db) is None and not _events(db, "unit.create")

    edit = FORM | {"code": "q-hadong", "name": "Quận Hà Đông", "kind": "district", "address": long}
    refused = _post(client, f"/units/{unit.id}/edit", edit)
    assert refused.status_code == 200 and "Tối đa 255 ký tự." in refused.get_data(as_text=True)
    assert _unit(db, "q-hadong").address == "1 Hoàng Hoa Thám, Hà Đông" and not _events(db, "unit.update")
    tabbed = _post(client, f"/units/{unit.id}/edit", edit | {"address": "1 Hoàng\tHoa Thám"})
    assert tabbed.status_code == 200 and _unit(db, "q-hadong").address == "1 Hoàng Hoa Thám, Hà Đông"


def test_the_services_refuse_what_the_form_would(app, db, make):
    unit = make.unit(code="q-hadong", name="Quận Hà Đông")
    with app.test_request_context():
        for bad in ("x" * 256, "1 Hoàng Hoa Thám\nHà Đông", "1\x00"):
            with pytest.raises(InvalidInput):
                create_unit(actor=None, code="q-new", name="Quận Mới", kind=UnitKind.DISTRICT, address=bad)
            with pytest.raises(InvalidInput):
                update_unit(unit, actor=None, name=unit.name, kind=unit.kind, address=bad)
        assert _unit(db, "q-new") is None and _unit(db, "q-hadong").address is None
        made = create_unit(
            actor=None, code="q-new", name="Quận Mới", kind=UnitKind.DISTRICT, address="x" * 255
        )
        assert made.address == "x" * 255


def test_the_leaders_home_card_shows_the_address_of_a_visit_to_come(db, make, client, login):
    world = fieldwork.build(make, db, visit_at=days_from_now(3))
    address = "1 Hoàng Hoa Thám, Quang Trung, Hà Đông, Hà Nội"
    db.session.execute(sa.update(Unit).where(Unit.id == world.unit.id).values(address=address))
    db.session.commit()
    login(world.leader.username)
    home = client.get("/").get_data(as_text=True)
    upcoming = home.split('id="next-visits"', 1)[1].split("</section>", 1)[0]
    assert "Quận Hà Đông" in upcoming and address in upcoming


def test_the_minutes_take_place_at_the_units_address_when_it_has_one(make):
    unit = make.unit(name="Sở Nội vụ", kind=UnitKind.DEPARTMENT)
    assert default_venue(unit) == "trụ sở Sở Nội vụ"
    unit.address = ADDRESS
    assert default_venue(unit) == f"trụ sở Sở Nội vụ, {ADDRESS}"
    unit.address = "x" * 255  # the venue with it would be longer than the minutes form takes
    assert default_venue(unit) == "trụ sở Sở Nội vụ"
