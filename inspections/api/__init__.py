"""The JSON API under /api/v1: the same services and the same `policy` scoping as the pages.

Authentication is a bearer token only (a personal access token, or an access token of
the identity provider); the browser session is never read here, so the API is exempt
from CSRF protection. Every error is an RFC 9457 problem detail. The OpenAPI 3.1
description is served at /api/v1/openapi.json and browsable at /api/v1/docs.
"""

from __future__ import annotations

from flask import Blueprint

from inspections.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# No cookie authenticates a request here: a forged cross-site request carries no token.
csrf.exempt(bp)
