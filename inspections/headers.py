"""Security headers on every answer.

No script runs but our own files (`script-src 'self'`, no inline script: the templates
carry none), no page may be framed (one-click actions cannot be clickjacked), and a
private page or an export is never kept by a browser or a proxy cache.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        # Inline style attributes remain in a few templates (indents, print layout).
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PERMISSIONS = "camera=(self), geolocation=(), microphone=(), payment=(), usb=(), interest-cohort=()"


def set_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config["PROFILE"] == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # Every page but our static files: private pages, exports, signed-link pages (the
    # token is the login) and the login page itself.
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    return response


def register(app: Flask) -> None:
    app.after_request(set_headers)
