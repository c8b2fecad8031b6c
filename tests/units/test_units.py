"""The unit registry: accent-insensitive search, keyset pages (import: tests/imports)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from inspections.listing import Order
from inspections.units.models import Unit, UnitKind
from inspections.units.services import list_units


@pytest.fixture(autouse=True)
def _request(app, db):
    with app.test_request_context():
        yield


def _units(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Unit))


def test_search_ignores_accents_and_case_and_finds_codes(db, make):
    make.unit(code="q-hadong", name="Quận Hà Đông")
    make.unit(code="bv-hadong", name="Bệnh viện Đa khoa Hà Đông", kind=UnitKind.PUBLIC_SERVICE)
    make.unit(code="q-dongda", name="Quận Đống Đa")
    assert {u.code for u in list_units(q="ha dong").rows} == {"q-hadong", "bv-hadong"}
    assert {u.code for u in list_units(q="HÀ ĐÔNG").rows} == {"q-hadong", "bv-hadong"}
    assert {u.code for u in list_units(q="dong da").rows} == {"q-dongda"}
    assert [u.code for u in list_units(q="q-dongda").rows] == ["q-dongda"]
    assert [u.code for u in list_units(q="ha dong", kind=UnitKind.PUBLIC_SERVICE).rows] == ["bv-hadong"]
    assert list_units(q="100%").rows == []


def test_keyset_pages_cover_every_unit_once_in_name_order(db, make):
    for i in range(23):
        make.unit(code=f"x{i}", name=f"Xã {i:02d}")
    make.unit(code="dup-a", name="Xã 05")  # same name: the id breaks the tie
    seen, after = [], None
    while True:
        page = list_units(order=Order("name", False, after), size=5)
        seen += page.rows
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert len(seen) == 24 and len({u.id for u in seen}) == 24
    assert [u.search_name for u in seen] == sorted(u.search_name for u in seen)
