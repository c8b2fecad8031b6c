"""The list kernel: a cursor carries the last row's sort value exactly, and any other text
is the first page, never an error."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from inspections.listing import _decode, _encode, read_order
from inspections.units.models import Unit, UnitKind
from inspections.visits.models import Visit

COLUMNS = [Visit.starts_at, Visit.status, Visit.fixed, Unit.search_name, Unit.kind, Unit.id]


def test_a_cursor_returns_the_value_it_was_made_of():
    moment = datetime(2019, 3, 4, 1, 30, tzinfo=UTC)
    assert _decode(_encode(moment, 7), Visit.starts_at) == (moment, 7)
    assert _decode(_encode(UnitKind.COMMUNE, 8), Unit.kind) == (UnitKind.COMMUNE, 8)
    assert _decode(_encode("hà đông", 9), Unit.search_name) == ("hà đông", 9)
    assert _decode(_encode(True, 10), Visit.fixed) == (True, 10)
    assert _decode(_encode(date(2019, 1, 5), 11), sa.literal(date(2019, 1, 1))) == (date(2019, 1, 5), 11)


def test_a_cursor_of_another_column_is_no_cursor():
    assert _decode(_encode("x", 1), Visit.starts_at) is None
    assert _decode(_encode("no_such_kind", 1), Unit.kind) is None
    assert _decode(_encode(datetime(2019, 1, 1), 1), Visit.starts_at) is None  # a naive moment


@given(cursor=st.text(max_size=80) | st.binary(max_size=60).map(lambda b: b.hex()))
def test_any_text_decodes_to_a_position_or_nothing(cursor):
    for column in COLUMNS:
        position = _decode(cursor, column)
        assert position is None or 0 < position[1] < 2**31


def test_the_order_is_one_the_list_offers():
    sorts = {"name": Unit.search_name, "code": Unit.code}
    assert read_order({}, sorts, "name").key == "name"
    assert read_order({"sort": "password", "order": "desc"}, sorts, "name").key == "name"
    assert read_order({"sort": "code", "order": "desc"}, sorts, "name").descending
    assert not read_order({"sort": "code", "order": "sideways"}, sorts, "name").descending
    assert read_order({}, sorts, "name", descending=True).descending
