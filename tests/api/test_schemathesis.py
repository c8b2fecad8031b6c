"""schemathesis against the served OpenAPI description, on the WSGI app: every operation,
with generated (and invalid) parameters and bodies, without a token and with a write token
of an admin, a team leader and a unit contact: never a 5xx, and every answer (status, content type,
headers, body) as the description says.

    .venv/bin/pytest tests/api/test_schemathesis.py
"""

from __future__ import annotations

import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from inspections import create_app
from inspections.extensions import db as _db
from tests.conftest import _empty_all_tables, settings_for

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# (negative_data_rejection is left out: the token is added to every case by hand, so a case
# meant to lack it still carries it; unknown query parameters are ignored, by design.)
EXAMPLES = 25


@pytest.fixture(scope="module")
def served(migrated, instance_dir):
    """One app for the module (schemathesis calls it many times), holding the personas'
    world (tests/kernel/conftest.py) so that lists and details answer with real rows."""
    from inspections.auth import tokens
    from inspections.auth.models import Role
    from tests import factories
    from tests.kernel.conftest import _coordinator_world, _field_world

    app = create_app(settings_for(migrated, instance_dir), instance_path=str(instance_dir))
    with app.app_context():
        make = factories.Factory(_db)
        users = {
            "admin": make.user(Role.ADMIN),
            "coordinator": make.user(Role.COORDINATOR),
            "leader": make.user(Role.INSPECTOR, home_unit_id=make.unit().id),
            "contact": make.user(Role.UNIT_CONTACT),
        }
        _coordinator_world(_db, make, users)
        _field_world(_db, make, users)
        raw = {}
        for who in ("admin", "leader", "contact"):
            _token, raw[who] = tokens.create_token(
                users[who], name="st", scope="write", days=1, actor=users[who]
            )
        _db.session.commit()
    yield app, raw
    with app.app_context():
        _db.session.remove()
        _empty_all_tables()
        _db.engine.dispose()


def _description() -> dict:
    """The served description, read from an app on an empty database (no route needs one)."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "schema-only", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
        instance_path=tempfile.mkdtemp(prefix="schema-"),
    )
    return app.test_client().get("/api/v1/openapi.json").get_json()


schema = schemathesis.openapi.from_dict(_description())


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_keeps_its_description(case, served):
    app, tokens = served
    case.operation.app = case.operation.schema.app = (
        app  # every case (and schemathesis' own probes) goes to it
    )
    for who in (None, "admin", "leader", "contact"):
        headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
        case.call_and_validate(headers=headers, checks=CHECKS)
