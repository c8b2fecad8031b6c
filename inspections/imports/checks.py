"""What every import's checks share: the error, the required cell, the yes/no words."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from inspections.imports.parsing import Row, in_each_language

TRUE_WORDS = {"1", "true", "yes", "y", "x", "có", "co"}
FALSE_WORDS = {"0", "false", "no", "n", "không", "khong"}
FLAG_WORDS = TRUE_WORDS | FALSE_WORDS


@dataclass(frozen=True)
class RowError:
    row: int  # as the user sees it in a spreadsheet: the header is row 1
    column: str
    message: str


def need(row: Row, columns: Iterable[str]) -> list[RowError]:
    return [
        RowError(row.number, c, str(_l("This column cannot be empty.")))
        for c in columns
        if not row.values.get(c)
    ]


def one_line(number: int, column: str) -> RowError:
    return RowError(number, column, str(_l("Write this on one line, without tabs or control characters.")))


def flag(text: str, default: bool = True) -> bool:
    return default if not text else text.lower() in TRUE_WORDS


def words_of(text: Any) -> set[str]:
    return in_each_language(text)


def split_rows(
    rows: Iterable[Row], row_errors: Callable[[Row], list[RowError]]
) -> tuple[list[RowError], list[Row]]:
    """Each row's own errors, and the rows that have none (checked further as a set)."""
    errors: list[RowError] = []
    good: list[Row] = []
    for row in rows:
        found = row_errors(row)
        errors += found
        if not found:
            good.append(row)
    return errors, good
