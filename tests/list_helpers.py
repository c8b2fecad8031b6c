"""Helpers of the bounded-list tests (tests/<feature>/test_*_list.py): walk a list page by
page through its own links, and count the SQL statements a request runs."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask.testing import FlaskClient

from inspections.extensions import db
from inspections.listing import PAGE_SIZE

_NEXT = re.compile(r'<a rel="next" href="([^"]+)"')


def walk(client: FlaskClient, url: str, row: str) -> list[int]:
    """Every id the regex `row` (one group) finds on the list at `url` and on the pages its
    "next" links lead to; each page holds at most PAGE_SIZE rows."""
    found: list[int] = []
    for _ in range(1000):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        ids = [int(i) for i in re.findall(row, body)]
        assert len(ids) <= PAGE_SIZE, url
        found += ids
        link = _NEXT.search(body)
        if link is None:
            return found
        url = html.unescape(link.group(1))
    raise AssertionError("the pages never end")


def ids_on(client: FlaskClient, url: str, row: str) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200, url
    return [int(i) for i in re.findall(row, response.get_data(as_text=True))]


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)


def query_count(client: FlaskClient, url: str) -> int:
    """The SQL statements a GET of `url` runs (its answer must be 200)."""
    client.get(url)  # the session's first request loads what later ones find cached
    with counting() as statements:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(statements)
