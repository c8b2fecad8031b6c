"""The base of every form: WTForms' own messages in the user's language.

WTForms ships no Vietnamese catalogue, and Flask-WTF looks only there, so a field that
cannot even parse its input ("Not a valid date value.") would answer in English. Forms
derive from `BaseForm`, whose translations are this application's catalogue.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm


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
    """An id sent by a client, or None. `str.isdigit` alone would accept "²"."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


class ConfirmForm(BaseForm):
    """A button that changes something: the CSRF token and nothing else.

    The one CSRF-only form; every bare POST button (approve, issue, remove, resend, ...)
    uses it.
    """
