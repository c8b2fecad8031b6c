"""RFC 9457 problem details: every error under /api is `application/problem+json`."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, json, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from inspections.extensions import db

log = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"
PREFIX = "/api/"

TITLES = {
    400: _l("Bad request"),
    401: _l("Authentication required"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    406: _l("Not acceptable"),
    409: _l("Conflict"),
    413: _l("Too large"),
    415: _l("Unsupported media type"),
    422: _l("Invalid request"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
}
DETAILS = {
    401: _l("Send a valid token: Authorization: Bearer <token>."),
    403: _l("Your token or account may not do this."),
    404: _l("This resource does not exist, or you may not see it."),
    405: _l("This resource does not answer this method."),
    429: _l("Too many requests in a short time. Please wait and try again."),
    500: _l("The error has been logged. Please try again later."),
}


class ApiProblem(Exception):
    """Raised by an API view: answered as a problem detail with `status`."""

    def __init__(
        self,
        status: int,
        detail: object | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(str(detail or status))
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def problem(
    status: int,
    detail: object | None = None,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": str(TITLES.get(status, TITLES[400] if status < 500 else TITLES[500])),
        "status": status,
    }
    text = detail if detail is not None else DETAILS.get(status)
    if text is not None:
        body["detail"] = str(text)
    body["instance"] = request.path
    if errors:
        body["errors"] = errors
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_TYPE
    )
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _from_http(exc: HTTPException) -> Response:
    code = exc.code or 500
    headers: dict[str, str] = {}
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    if code == 429:
        limit = getattr(exc, "limit", None)
        reset = getattr(limit, "reset_at", None) if limit else None
        if reset:
            headers.setdefault("Retry-After", "60")
    return problem(code, DETAILS.get(code) if code in DETAILS else None, headers=headers)


def register(bp: Any) -> None:
    """Problem details for the blueprint's views, and for /api paths no view matched."""

    @bp.errorhandler(ApiProblem)
    def api_problem(exc: ApiProblem) -> Response:
        return problem(exc.status, exc.detail, errors=exc.errors, headers=exc.headers)

    @bp.errorhandler(CSRFError)
    def csrf_refused(exc: CSRFError) -> Response:  # pragma: no cover - the blueprint is exempt
        return problem(400)

    @bp.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response | HTTPException:
        if exc.code is None or exc.code < 400:
            return exc
        return _from_http(exc)

    @bp.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unhandled error in the API")
        db.session.rollback()
        return problem(500)


def register_app(app: Flask) -> None:
    """404 and 405 for /api paths that no route answers (or not with this method): these
    are raised while routing, before any blueprint is known, so they are caught app-wide
    (a code's handler comes before the pages' handler of every HTTPException, to which
    any other path is handed on)."""

    def routing_error(exc: HTTPException) -> Any:
        if request.path.startswith(PREFIX):
            return _from_http(exc)
        pages = app.error_handler_spec[None][None].get(HTTPException)
        return pages(exc) if pages is not None else exc

    app.register_error_handler(404, routing_error)
    app.register_error_handler(405, routing_error)
