"""Languages: Vietnamese by default, English on request; dates in Asia/Ho_Chi_Minh.

The one home of the local time zone and of "today": times are stored in UTC and a day
(a visit's date, a due date, "today") is the day in Vietnam.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, has_request_context, session
from flask_babel import format_date, format_datetime, format_decimal
from flask_login import current_user

from config import DISPLAY_TIMEZONE

TRANSLATIONS = Path(__file__).parent / "translations"
LOCAL_TZ = ZoneInfo(DISPLAY_TIMEZONE)


def local_day(moment: datetime) -> date:
    """The day in Vietnam at `moment` (an aware datetime)."""
    return moment.astimezone(LOCAL_TZ).date()


def today(now: datetime | None = None) -> date:
    """Today in Vietnam (or the day in Vietnam at `now`)."""
    return local_day(now or datetime.now(UTC))


def local_moment(day: date, at: time) -> datetime:
    """`day` at the wall-clock time `at` in Vietnam, as an aware datetime."""
    return datetime.combine(day, at, LOCAL_TZ)


def select_locale() -> str:
    """The user's saved language, else the one picked on the page, else Vietnamese."""
    languages = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():  # a worker or a CLI command: no user, no session
        return default
    if current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get("language")
    return chosen if chosen in languages else default


def show_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy; a datetime is first moved to Asia/Ho_Chi_Minh."""
    if value is None:
        return "—"
    return format_date(value, "dd/MM/yyyy")


def show_number(value: int) -> str:
    """A count with the locale's grouping: 10.000 in Vietnamese, 10,000 in English."""
    return format_decimal(value)


def show_datetime(value: datetime | None) -> str:
    if value is None:
        return "—"
    return format_datetime(value, "dd/MM/yyyy HH:mm")


def compile_catalogs(root: Path = TRANSLATIONS) -> list[Path]:
    """Compile every messages.po under `root` whose .mo is missing or older."""
    compiled = []
    for po_path in root.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as f:
            catalog = read_po(f)
        with mo_path.open("wb") as f:
            write_mo(f, catalog)
        compiled.append(mo_path)
    return compiled
