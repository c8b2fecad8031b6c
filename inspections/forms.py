"""The base of every form: WTForms' own messages in the user's language.

WTForms ships no Vietnamese catalogue, and Flask-WTF looks only there, so a field that
cannot even parse its input ("Not a valid date value.") would answer in English. Forms
derive from `BaseForm`, whose translations are this application's catalogue.

Also the shared rules for what a client may send: ids and page numbers within the
database's integers, months and days within the calendar's years, names without control
characters, decimals that are numbers.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, StringField
from wtforms.validators import ValidationError


def _plural(singular: str, plural: str) -> tuple[str, str]:
    """Marks a plural message for extraction (`-k _plural:1,2`); it translates nothing."""
    return singular, plural


# WTForms' messages, listed so that extraction puts them into our catalogue.
WTFORMS_MESSAGES = (
    _l("Invalid field name '%s'."),
    _l("Field must be equal to %(other_name)s."),
    _plural(
        "Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long."
    ),
    _plural(
        "Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters."
    ),
    _plural(
        "Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long."
    ),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
    _l("Date must be between %(min)s and %(max)s."),
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid IP address."),
    _l("Invalid Mac address."),
    _l("Invalid URL."),
    _l("Invalid UUID."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("This field cannot be edited."),
    _l("This field is disabled and cannot have a value."),
    _l("Invalid CSRF Token."),
    _l("CSRF token missing."),
    _l("CSRF failed."),
    _l("CSRF token expired."),
    _l("Invalid Choice: could not coerce."),
    _l("Choices cannot be None."),
    _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _plural(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
    ),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid week value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
)


class _CatalogueTranslations:
    """What WTForms asks for: unformatted strings (it applies the values itself)."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


_TRANSLATIONS = _CatalogueTranslations()


class BaseForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> _CatalogueTranslations:
            return _TRANSLATIONS


# Ids are 32-bit integers on PostgreSQL (and a 20-digit number overflows SQLite's driver).
MAX_ID = 2**31 - 1


def parse_id(value: object) -> int | None:
    """An id sent by a client, or None. `str.isdigit` alone would accept "²".

    Beyond MAX_ID no row can have it: the caller answers "not found" (or ignores the
    filter), never a database overflow.
    """
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


# --- months and days of the calendars ---------------------------------------------------

# The years a calendar shows: a plan's are 2000-2100, its window a year either side.
FIRST_YEAR, LAST_YEAR = 1900, 2200
FIRST_DAY, LAST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def within_calendar(day: date) -> date:
    """The day, moved into the calendar's years if it lies outside them."""
    return min(max(day, FIRST_DAY), LAST_DAY)


def parse_month(value: str | None) -> date | None:
    """A month ("YYYY-MM") within the calendar's years, as its first day; None otherwise."""
    match = _MONTH.fullmatch(value or "")
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def parse_year(value: str | None) -> int | None:
    """A year ("YYYY") within the calendar's years; None otherwise."""
    if not value or not value.isascii() or not value.isdigit() or len(value) != 4:
        return None
    year = int(value)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def parse_day(value: str | None) -> date | None:
    """A day in a query string, "yyyy-mm-dd" (bookmarked links) or "dd/mm/yyyy" (typed in a
    filter), within the calendar's years; None otherwise."""
    day = parse_typed_day(value or "")
    return day if day is not None and FIRST_DAY <= day <= LAST_DAY else None


# --- text and numbers in forms ----------------------------------------------------------

# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# The same, less tab, line feed and carriage return: what a text of several lines may hold.
_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """Whether a name (or, `multiline`, a text) holds a character no person types in one.

    A line break in a name goes into mail headers and breaks every mail to that person;
    other control characters break the documents and spreadsheets made from the text.
    """
    return (_CONTROL_IN_TEXT if multiline else _CONTROL).search(text) is not None


def without_control_characters(text: str) -> str:
    """The text with its control characters taken out: for a search, which refuses nothing
    (PostgreSQL cannot even compare a text holding NUL)."""
    return _CONTROL.sub("", text)


class NoControlCharacters:
    """A field of one line (a name, a code, a title): no line break, tab or control character.

    `multiline=True` for a text of several lines: line breaks and tabs are allowed there.
    """

    def __init__(self, message: str | None = None, *, multiline: bool = False) -> None:
        self.multiline = multiline
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        if isinstance(field.data, str) and has_control_characters(field.data, multiline=self.multiline):
            if self.message is not None:
                raise ValidationError(self.message)
            if self.multiline:
                raise ValidationError(_l("Remove the control characters from this text."))
            raise ValidationError(_l("Write this on one line, without tabs or control characters."))


class FiniteDecimalField(DecimalField):
    """A DecimalField that takes only numbers: "NaN", "sNaN" and "Infinity" are refused as
    input (a signalling NaN cannot even be compared with a bound: it raises)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if isinstance(self.data, Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


# dd/mm/yyyy, or yyyy-mm-dd as a browser's date input and the API send it.
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", re.ASCII)


def parse_typed_day(text: str) -> date | None:
    """A day typed by a person: "dd/mm/yyyy" (also with "." or "-"), or "yyyy-mm-dd"."""
    text = text.strip()
    match = _DMY.fullmatch(text)
    try:
        if match is not None:
            return date(int(match[3]), int(match[2]), int(match[1]))
        if _DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        return None
    return None


class DayField(StringField):
    """A date shown and typed as dd/mm/yyyy in a text input, as Vietnamese offices write
    it (a browser's own date input shows mm/dd/yyyy to many). yyyy-mm-dd is accepted too.
    Which days make sense (a plan's window, a due date) is the service's rule, not the field's."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        render_kw = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
        render_kw.update(kwargs.pop("render_kw", None) or {})
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%d/%m/%Y") if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            # Spaces are no date: InputRequired (which reads raw_data) must see nothing.
            self.data, self.raw_data = None, []
            return
        day = parse_typed_day(str(valuelist[0]))
        if day is None:
            self.data = None
            raise ValueError(_l("Enter the date as dd/mm/yyyy, for example 25/03/2026."))
        self.data = day


class ConfirmForm(BaseForm):
    """A button that changes something: the CSRF token and nothing else.

    The one CSRF-only form; every bare POST button (approve, issue, remove, resend, ...)
    uses it.
    """
