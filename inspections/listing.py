"""Bounded lists: keyset pages of at most 50 rows, sorted on a visible column, with a total
that costs at most a few thousand index entries.

A page is read with `read_order(request.args, sorts, default)` and `keyset_page(query, ...)`.
The cursor (`?after=`) carries the last row's sort value and id, so the next page is an
index range scan whatever its depth: no OFFSET. Sort expressions must never be NULL
(coalesce them), or a row-value comparison would skip the rows holding one. A cursor that
does not decode, or belongs to another sort, is the first page: the links are ours, and a
hand-edited one is no error worth a message.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from flask import request, url_for

from inspections.extensions import db

PAGE_SIZE = 50
# A total beyond this shows as "more than 1,000": counting further would read the whole range.
TOTAL_CAP = 1_000
# The parameters a list's links rewrite; every other query parameter (its filters) is kept.
_OWN = ("after", "sort", "order")

T = TypeVar("T")


@dataclass(frozen=True)
class Order:
    """The sort a request asked for, reduced to one the list offers."""

    key: str
    descending: bool
    cursor: str | None


@dataclass
class Page(Generic[T]):
    rows: list[T]
    order: Order
    next_cursor: str | None
    total: int | None = None
    total_capped: bool = False

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def url(self, **changes: Any) -> str:
        """This list's address with the same filters, and `changes` to the paging/sort."""
        args = {k: v for k, v in request.args.items() if k not in _OWN and v != ""}
        args |= {k: v for k, v in changes.items() if v is not None}
        return url_for(request.endpoint or "", **(request.view_args or {}), **args)

    def next_url(self) -> str | None:
        if self.next_cursor is None:
            return None
        return self.url(sort=self.order.key, order=self._order_arg(), after=self.next_cursor)

    def first_url(self) -> str:
        return self.url(sort=self.order.key, order=self._order_arg())

    def sort_url(self, key: str) -> str:
        """The header link of column `key`: the same column again flips the direction."""
        descending = not self.order.descending if key == self.order.key else False
        return self.url(sort=key, order="desc" if descending else "asc")

    def aria_sort(self, key: str) -> str:
        if key != self.order.key:
            return "none"
        return "descending" if self.order.descending else "ascending"

    def _order_arg(self) -> str:
        return "desc" if self.order.descending else "asc"


def read_order(
    args: Mapping[str, str], sorts: Mapping[str, Any], default: str, *, descending: bool = False
) -> Order:
    """The list's sort from `?sort=&order=`; its default when the request names none it has."""
    key = args.get("sort", "")
    if key not in sorts:
        key = default
    else:
        descending = args.get("order") == "desc"
    return Order(key, descending, args.get("after"))


def keyset_page(
    query: sa.Select[Any],
    *,
    order: Order,
    sorts: Mapping[str, sa.ColumnElement[Any]],
    id_column: sa.ColumnElement[int],
    size: int = PAGE_SIZE,
    count: bool = True,
    scalars: bool = True,
) -> Page[Any]:
    """One page of `query` in `order`. `scalars`: rows are the query's first entity."""
    expression = sorts[order.key]
    ordered = query.add_columns(expression.label("_sort_value"), id_column.label("_sort_id"))
    position = _decode(order.cursor, expression)
    if position is not None:
        after = sa.tuple_(expression, id_column)
        bound = sa.tuple_(sa.literal(position[0], type_=expression.type), sa.literal(position[1]))
        ordered = ordered.where(after < bound if order.descending else after > bound)
    if order.descending:
        ordered = ordered.order_by(expression.desc(), id_column.desc())
    else:
        ordered = ordered.order_by(expression.asc(), id_column.asc())
    result = list(db.session.execute(ordered.limit(size + 1)))
    more = len(result) > size
    result = result[:size]
    cursor = _encode(result[-1][-2], result[-1][-1]) if more else None
    rows = [row[0] if scalars else tuple(row[:-2]) for row in result]
    page: Page[Any] = Page(rows, order, cursor)
    if count:
        page.total, page.total_capped = capped_count(query)
    return page


def capped_count(query: sa.Select[Any], cap: int = TOTAL_CAP) -> tuple[int, bool]:
    """How many rows `query` has, counting at most `cap` + 1 of them."""
    limited = query.order_by(None).limit(cap + 1).subquery()
    n = db.session.scalar(sa.select(sa.func.count()).select_from(limited)) or 0
    return min(n, cap), n > cap


def _encode(value: Any, row_id: int) -> str:
    if isinstance(value, datetime | date):
        value = value.isoformat()
    elif hasattr(value, "value"):  # an enum member
        value = value.value
    raw = json.dumps([value, row_id], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str | None, expression: sa.ColumnElement[Any]) -> tuple[Any, int] | None:
    if not cursor or len(cursor) > 600:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, row_id = json.loads(raw)
        if not isinstance(row_id, int) or not 0 < row_id < 2**31:
            return None
        return _typed(value, expression), row_id
    except (ValueError, TypeError, UnicodeDecodeError):
        return None


def _typed(value: Any, expression: sa.ColumnElement[Any]) -> Any:
    """The cursor's value as the column's Python type; ValueError when it is not one."""
    column_type = expression.type
    if isinstance(column_type, sa.TypeDecorator):  # e.g. db.UTCDateTime: its stored type says
        column_type = column_type.impl_instance
    try:
        python_type = column_type.python_type
    except NotImplementedError:
        python_type = str
    if issubclass(python_type, datetime):
        moment = datetime.fromisoformat(str(value))
        if moment.tzinfo is None:
            raise ValueError("a cursor's moment carries its zone")
        return moment
    if issubclass(python_type, date):
        return date.fromisoformat(str(value))
    if issubclass(python_type, bool):
        if not isinstance(value, bool):
            raise ValueError("not a boolean")
        return value
    if issubclass(python_type, int):
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) >= 2**63:
            raise ValueError("not an integer")
        return value
    if not isinstance(value, str) or len(value) > 400:
        raise ValueError("not a text")
    if "\x00" in value:
        raise ValueError("a NUL is no sort value")
    return python_type(value) if issubclass(python_type, str) and python_type is not str else value
