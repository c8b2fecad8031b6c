"""Every API resource × every persona, mirroring the pages' route matrix
(tests/kernel/test_policy_matrix.py): the same `policy` decides, so the same persona gets
the same answer (200 / 403 / 404) on the API as on the page of the same thing."""

from __future__ import annotations

import pytest

from tests.kernel.test_policy_matrix import PERSONAS

# The pages' answer, and the API's: 302 to the login page becomes 401 on the API.
_SEE_PLAN = {
    "admin": 200,
    "coordinator": 200,
    "observer": 200,
    "leader": 200,
    "outsider": 404,
    "contact": 404,
}
_STAFF = {p: 403 for p in PERSONAS} | {"admin": 200, "coordinator": 200, "observer": 200}
_FIELD_SEE = {p: 200 for p in PERSONAS} | {"outsider": 404, "contact": 404}
_EVERYONE = dict.fromkeys(PERSONAS, 200)

API_MATRIX = {
    # (path, {persona: status}); the page whose rule it mirrors in the comment.
    "plans": ("/api/v1/plans", _EVERYONE),  # plans.index lists none for a contact
    "plan": ("/api/v1/plans/{plan_id}", _SEE_PLAN),  # plans.detail
    "units": ("/api/v1/units", _STAFF),  # units.index
    "unit": ("/api/v1/units/{unit_id}", _STAFF),  # units.detail
    "team": ("/api/v1/teams/{team_id}", _SEE_PLAN),  # teams.detail
    "teams": ("/api/v1/teams", _EVERYONE),
    "inspection": ("/api/v1/inspections/{field_inspection_id}", _FIELD_SEE | {"contact": 200}),
    # A visit as the unit's dashboard and calendar show it (visit_visible); its field page
    # (findings.visit) stays closed to the unit: see "finding" below.
    "visit": ("/api/v1/visits/{visit_id}", _FIELD_SEE | {"contact": 200}),
    "finding": ("/api/v1/findings/{finding_id}", _FIELD_SEE),  # findings.visit
    "case": ("/api/v1/cases/{case_id}", _FIELD_SEE),  # cases.detail
    "document": ("/api/v1/documents/{document_id}", _FIELD_SEE | {"contact": 200}),  # documents.show
    "action": ("/api/v1/actions/{action_id}", _FIELD_SEE | {"contact": 200}),  # remediation.index
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_resource_answers_each_persona_as_its_page_does(world, client, bearer, persona):
    if persona == "anonymous":
        for path, _expected in API_MATRIX.values():
            assert client.get(path.format(**world)).status_code == 401
        return
    headers = bearer(world["users"][persona])
    answers = {
        name: client.get(path.format(**world), headers=headers).status_code
        for name, (path, _expected) in API_MATRIX.items()
    }
    assert answers == {name: expected[persona] for name, (_path, expected) in API_MATRIX.items()}


@pytest.mark.parametrize("persona", ["admin", "coordinator", "observer", "leader", "outsider", "contact"])
def test_lists_hold_exactly_what_the_details_allow(world, client, bearer, persona):
    """A list never shows what its detail refuses, and shows what it allows."""
    headers = bearer(world["users"][persona])
    pairs = {
        "/api/v1/visits": ("visit_id", "visit"),
        "/api/v1/findings": ("finding_id", "finding"),
        "/api/v1/cases": ("case_id", "case"),
        "/api/v1/documents": ("document_id", "document"),
        "/api/v1/actions": ("action_id", "action"),
        "/api/v1/inspections": ("field_inspection_id", "inspection"),
    }
    for path, (key, name) in pairs.items():
        listed = {item["id"] for item in client.get(path, headers=headers).get_json()["items"]}
        allowed = API_MATRIX[name][1][persona] == 200
        assert (world[key] in listed) == allowed, (persona, path)


def test_named_individuals_only_for_the_team_coordinators_and_admins(world, db, client, bearer):
    from inspections.findings.models import Finding

    finding = db.session.get(Finding, world["finding_id"])
    finding.named_individuals = "Nguyễn Văn A"
    db.session.commit()
    seen = {}
    for persona in ("admin", "coordinator", "observer", "leader"):
        body = client.get(f"/api/v1/findings/{world['finding_id']}", headers=bearer(world["users"][persona]))
        seen[persona] = body.get_json()["named_individuals"]
    assert seen == {
        "admin": "Nguyễn Văn A",
        "coordinator": "Nguyễn Văn A",
        "observer": None,
        "leader": "Nguyễn Văn A",
    }


def test_document_files_follow_the_document(world, client, bearer):
    for persona, expected in (("contact", 200), ("outsider", 404)):
        headers = bearer(world["users"][persona])
        response = client.get(f"/api/v1/documents/{world['document_id']}/file?format=docx", headers=headers)
        assert response.status_code == expected
    ok = client.get(
        f"/api/v1/documents/{world['document_id']}/file?format=docx",
        headers=bearer(world["users"]["contact"]),
    )
    assert ok.data[:2] == b"PK"
