"""Writing many rows at once: COPY on PostgreSQL, one executemany INSERT elsewhere.

COPY cannot say which ids it gave, so on PostgreSQL the ids are taken from the table's
sequence first (one query for the whole batch) and written with the rows; the caller gets
them back in the rows' order either way. Runs on the session's connection, inside its
transaction: a rolled-back import leaves nothing (a sequence's numbers are not returned,
as with any rolled-back insert).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import sqlalchemy as sa

from inspections.extensions import db


def _copy_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def insert_rows(table: sa.Table, rows: list[dict[str, Any]], *, ids: bool = False) -> list[int]:
    """Insert `rows` (every dict with the same keys); their new ids if `ids`."""
    if not rows:
        return []
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        if not ids:
            db.session.execute(sa.insert(table), rows)
            return []
        result = db.session.execute(
            sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
        )
        return list(result.scalars())
    new_ids: list[int] = []
    if ids:
        sequence = sa.func.pg_get_serial_sequence(table.name, "id")
        new_ids = list(
            connection.execute(
                sa.select(sa.func.nextval(sequence)).select_from(sa.func.generate_series(1, len(rows)))
            ).scalars()
        )
        rows = [{"id": new_id, **row} for new_id, row in zip(new_ids, rows, strict=True)]
    columns = list(rows[0])
    names = ", ".join(f'"{name}"' for name in columns)
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([_copy_value(row[name]) for name in columns])
    return new_ids
