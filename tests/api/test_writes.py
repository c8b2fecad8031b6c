"""The API's writes go through the same services and rules as the pages' forms
(tests/kernel/test_policy_matrix.py: assignments.assign_one, findings.save_visit_finding,
remediation.report)."""

from __future__ import annotations

import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.units.models import Unit
from inspections.visits.models import Inspection


def _unit_code(db, world) -> str:
    return db.session.get(Unit, world["unit_id"]).code


def test_assigning_a_unit_is_for_the_plan_s_coordinators_and_admins(world, db, client, bearer):
    path = f"/api/v1/teams/{world['team_id']}/inspections"
    body = {"unit_code": _unit_code(db, world)}
    answers = {
        persona: client.post(path, json=body, headers=bearer(world["users"][persona], "write")).status_code
        for persona in ("observer", "leader", "outsider", "contact")
    }
    assert answers == {"observer": 403, "leader": 403, "outsider": 404, "contact": 404}
    created = client.post(path, json=body, headers=bearer(world["users"]["coordinator"], "write"))
    assert created.status_code == 201, created.get_json()
    inspection = db.session.get(Inspection, created.get_json()["id"])
    assert inspection.team_id == world["team_id"] and inspection.unit_id == world["unit_id"]
    assigned = sa.select(AuditEvent).where(AuditEvent.action == "inspection.assign")
    event = db.session.scalar(assigned.where(AuditEvent.object_id == inspection.id))
    assert event.actor_id is not None  # the coordinator, through the token
    again = client.post(path, json=body, headers=bearer(world["users"]["admin"], "write"))
    assert again.status_code in (409, 422) and again.mimetype == "application/problem+json"
    assert again.get_json()["detail"]


def test_an_unknown_unit_or_a_bad_body_is_a_422(world, client, bearer):
    headers = bearer(world["users"]["coordinator"], "write")
    path = f"/api/v1/teams/{world['team_id']}/inspections"
    assert client.post(path, json={"unit_code": "NO-SUCH"}, headers=headers).status_code == 422
    assert client.post(path, json={"unit_code": "", "x": 1}, headers=headers).status_code == 422
    assert client.post(path, data="not json", headers=headers).status_code == 415
    broken = headers | {"Content-Type": "application/json"}
    assert client.post(path, data="{not json", headers=broken).status_code == 422


def test_recording_a_finding_is_for_the_visit_s_team(world, db, client, bearer):
    path = f"/api/v1/visits/{world['visit_id']}/findings"
    current = client.get(f"/api/v1/findings/{world['finding_id']}", headers=bearer(world["users"]["admin"]))
    version = current.get_json()["version"]
    body = {"criterion_id": world["criterion_id"], "result": "compliant", "version": version}
    for persona, expected in (("admin", 403), ("observer", 403), ("outsider", 404), ("contact", 404)):
        answer = client.post(path, json=body, headers=bearer(world["users"][persona], "write"))
        assert answer.status_code == expected, persona
    saved = client.post(path, json=body, headers=bearer(world["users"]["leader"], "write"))
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["result"] == "compliant" and saved.get_json()["version"] == version + 1
    stale = client.post(path, json=body, headers=bearer(world["users"]["leader"], "write"))
    assert stale.status_code == 409  # the version read is no longer the finding's


def test_reporting_remediation_is_for_the_unit(world, client, bearer):
    path = f"/api/v1/actions/{world['action_id']}/report"
    body = {"text": "Đã niêm yết đủ thủ tục"}
    for persona, expected in (("leader", 403), ("outsider", 404), ("admin", 403)):
        assert (
            client.post(path, json=body, headers=bearer(world["users"][persona], "write")).status_code
            == expected
        )
    done = client.post(path, json=body, headers=bearer(world["users"]["contact"], "write"))
    assert done.status_code == 200 and done.get_json()["status"] == "reported"
    again = client.post(path, json=body, headers=bearer(world["users"]["contact"], "write"))
    assert again.status_code == 409
