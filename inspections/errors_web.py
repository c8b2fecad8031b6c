"""Error pages: every refusal is a clear page in the user's language, never a bare 500."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from inspections.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please check the form and try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to do this.")),
    404: (_l("Not found"), _l("This page does not exist, or you may not see it.")),
    405: (_l("Not allowed"), _l("This action cannot be done this way.")),
    413: (
        _l("Too large"),
        _l("What you sent is larger than allowed. Please send a smaller file or shorter text."),
    ),
    429: (
        _l("Too many attempts"),
        _l("Too many attempts in a short time. Please wait a few minutes and try again."),
    ),
    500: (_l("Something went wrong"), _l("The error has been logged. Please try again later.")),
}


def _page(code: int, detail: object | None = None) -> tuple[str, int]:
    title, message = MESSAGES.get(code, MESSAGES[400])
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[str, int]:
        log.info("CSRF refusal: %s", exc.description)
        return _page(
            400,
            _l(
                "The form has expired or did not come from this site. "
                "Please go back, reload the page and try again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[str, int] | HTTPException:
        if exc.code is None or exc.code < 400:
            return exc
        return _page(exc.code)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[str, int]:
        log.exception("unhandled error")
        db.session.rollback()
        return _page(500)
