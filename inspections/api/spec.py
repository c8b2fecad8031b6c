"""The OpenAPI 3.1 description, made by spectree from the views' pydantic models.

spectree validates each request against its models (a failure is a 422 problem detail)
and each answer against its response model. The description is completed here with what
spectree does not know: the bearer scheme, and the problem details every operation may
answer (401, 403, 404, 422, 429, 500) as `application/problem+json`.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import current_app
from spectree import SpecTree
from spectree.plugins.flask_plugin import FlaskPlugin

from inspections.api.problems import PROBLEM_TYPE, ApiProblem
from inspections.api.schemas import Problem
from inspections.forms import MAX_ID

VERSION = "1.0.0"


def _before(req: Any, resp: Any, error: Exception | None, instance: Any, adapter: Any) -> None:
    if error is None:
        return
    errors = []
    for item in getattr(error, "errors", lambda: [])()[:50]:
        errors.append(
            {
                "loc": [part if isinstance(part, int) else str(part) for part in item.get("loc", ())],
                "msg": str(item.get("msg", ""))[:500],
                "type": str(item.get("type", ""))[:100],
            }
        )
    raise ApiProblem(422, errors=errors)


class _ApiRoutes(FlaskPlugin):
    """Only the routes of /api/v1 are described (others may have no view: redirects)."""

    def find_routes(self) -> Any:
        functions = current_app.view_functions
        for rule in super().find_routes():
            if rule.endpoint.startswith("api.") and rule.endpoint in functions:
                yield rule


api = SpecTree(
    "flask",
    backend=_ApiRoutes,
    mode="strict",  # only the views decorated with `api.validate`
    title="Kiểm tra CCHC API",
    description=(
        "Plans, units, teams, inspections, visits, findings, corrective actions, cases and "
        "documents, scoped exactly as the pages are (surprise secrecy included). "
        "Authenticate with `Authorization: Bearer <token>`: a personal access token (made "
        "under Account → API tokens) or an access token of the identity provider."
    ),
    version=VERSION,
    path="api/v1/_spectree",  # spectree's own pages are not served: see api.routes
    page_templates={},
    before=_before,
    validation_error_model=Problem,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
)

_ERRORS = {
    "401": "No valid token",
    "403": "The token or its user may not do this",
    "404": "Not found, or not visible to the caller",
    "405": "Method not allowed",
    "422": "The request does not match the schema",
    "429": "Too many requests",
    "500": "Unexpected error",
}
_FILES = {"application/pdf": {"schema": {"type": "string", "contentMediaType": "application/pdf"}},
          "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
              "schema": {"type": "string"}}}  # fmt: skip
_PUBLIC = {"/api/v1/openapi.json"}


def _complete(spec: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter["schema"].get("type") == "integer":
                    parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
            responses = operation.setdefault("responses", {})
            for code, text in _ERRORS.items():
                if path in _PUBLIC and code in ("401", "403", "404", "422"):
                    continue
                responses[code] = {"description": text, "content": {PROBLEM_TYPE: {"schema": problem_ref}}}
                if code == "401":
                    responses[code]["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
            if method == "post":
                responses["415"] = {"description": "The body is not application/json",
                                    "content": {PROBLEM_TYPE: {"schema": problem_ref}}}  # fmt: skip
                responses["409"] = {"description": "The change clashes with the current state",
                                    "content": {PROBLEM_TYPE: {"schema": problem_ref}}}  # fmt: skip
            if operation.get("operationId", "").endswith("_file"):
                responses["200"] = {"description": "The document's file", "content": _FILES}
                responses["406"] = {"description": "This server cannot make PDF: ask for DOCX",
                                    "content": {PROBLEM_TYPE: {"schema": problem_ref}}}  # fmt: skip
            if path in _PUBLIC:
                operation["security"] = []
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("ValidationError", None)
    if "Problem" not in schemas:
        schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    spec["components"]["securitySchemes"] = {
        "bearerAuth": {"type": "http", "scheme": "bearer", "description": "Personal access token or IdP JWT"}
    }
    spec["security"] = [{"bearerAuth": []}]
    spec["servers"] = [{"url": "/"}]
    return spec


def openapi() -> dict[str, Any]:
    """The full description (made once per app: the routes do not change)."""
    cached = current_app.extensions.get("inspections_openapi")
    if cached is None:
        cached = _complete(api._generate_spec())
        current_app.extensions["inspections_openapi"] = cached
    return cached
