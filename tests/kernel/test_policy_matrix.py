"""Every route × every role: the answer each persona gets.

The matrix must name every route of the application: a new route fails this test until
someone decides who may use it.
"""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token

PERSONAS = ["anonymous", "admin", "coordinator", "observer", "leader", "outsider", "contact"]

# endpoint -> (method, path template, {persona: expected status})
ALL = dict.fromkeys(PERSONAS)
# Coordinator workflow: who may see / run a plan, and the unit registry.
_SEE_PLAN = {
    "anonymous": 302,
    "admin": 200,
    "coordinator": 200,
    "observer": 200,
    "leader": 200,
    "outsider": 404,
    "contact": 404,
}
_RUN_PLAN = {"anonymous": 302, "observer": 403, "leader": 403, "outsider": 404, "contact": 404}
_UNITS_VIEW = {p: 403 for p in PERSONAS} | {
    "anonymous": 302,
    "admin": 200,
    "coordinator": 200,
    "observer": 200,
}
_UNITS_MANAGE = {p: 403 for p in PERSONAS} | {"anonymous": 302}

MATRIX: dict[str, tuple[str, str, dict[str, int]]] = {
    # --- coordinator workflow: plans, units, teams, assignment, draw ---
    # On a plan of its own that "coordinator" runs and whose joint team "leader" sits on.
    "plans.new": (
        "GET",
        "/plans/new",
        {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 200, "coordinator": 200},
    ),
    "plans.edit": ("GET", "/plans/{cw_plan_id}/edit", _RUN_PLAN | {"admin": 200, "coordinator": 200}),
    "plans.approve": ("POST", "/plans/{cw_plan_id}/approve", _RUN_PLAN | {"admin": 302, "coordinator": 302}),
    "plans.reopen": ("POST", "/plans/{cw_plan_id}/reopen", _RUN_PLAN | {"admin": 302, "coordinator": 302}),
    "plans.close": ("POST", "/plans/{cw_plan_id}/close", _RUN_PLAN | {"admin": 302, "coordinator": 302}),
    "plans.copy": (
        "POST",
        "/plans/{cw_plan_id}/copy",
        {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 302, "coordinator": 302},
    ),
    "plans.export": ("GET", "/plans/{cw_plan_id}/export.xlsx", _SEE_PLAN),
    "plans.export_findings": ("GET", "/plans/{cw_plan_id}/findings.xlsx", _SEE_PLAN),
    "units.index": ("GET", "/units/", _UNITS_VIEW),
    "units.detail": ("GET", "/units/{unit_id}", _UNITS_VIEW),
    "units.export": ("GET", "/units/export.csv", _UNITS_VIEW),
    "units.new": ("GET", "/units/new", _UNITS_MANAGE | {"admin": 200, "coordinator": 200}),
    "units.edit": ("GET", "/units/{unit_id}/edit", _UNITS_MANAGE | {"admin": 200, "coordinator": 200}),
    "units.import_file": ("GET", "/units/import", _UNITS_MANAGE | {"admin": 303, "coordinator": 303}),
    # Imports (inspections/imports): a job is its uploader's (and admins'); none in this world.
    "imports.index": ("GET", "/imports/", _UNITS_MANAGE | {"admin": 200, "coordinator": 200}),
    "imports.detail": ("GET", "/imports/1", dict.fromkeys(PERSONAS, 404) | {"anonymous": 302}),
    "imports.confirm_job": ("POST", "/imports/1/confirm", dict.fromkeys(PERSONAS, 404) | {"anonymous": 302}),
    "imports.cancel_job": ("POST", "/imports/1/cancel", dict.fromkeys(PERSONAS, 404) | {"anonymous": 302}),
    "imports.template": (
        "GET",
        "/imports/template/units.csv",
        _UNITS_MANAGE | {"admin": 200, "coordinator": 200},
    ),
    "assignments.assign_bulk": (
        "POST",
        "/assignments/bulk",
        _UNITS_MANAGE | {"admin": 302, "coordinator": 302},
    ),
    "assignments.bulk": ("GET", "/assignments/bulk", _UNITS_MANAGE | {"admin": 200, "coordinator": 200}),
    # The pickers' suggestions (JSON): scoped like the lists they stand for.
    "units.suggest": ("GET", "/units/suggest", _UNITS_VIEW),
    "teams.suggest": ("GET", "/teams/suggest", _UNITS_MANAGE | {"admin": 200, "coordinator": 200}),
    "teams.people_suggest": (
        "GET",
        "/teams/{team_id}/people/suggest",
        {p: 404 for p in PERSONAS} | {"anonymous": 302, "admin": 200, "coordinator": 200},
    ),
    "teams.new": ("GET", "/teams/new/{cw_plan_id}", _RUN_PLAN | {"admin": 200, "coordinator": 200}),
    "teams.detail": ("GET", "/teams/{team_id}", _SEE_PLAN),
    "teams.members": ("GET", "/teams/{team_id}/members", _SEE_PLAN),
    "teams.add": ("POST", "/teams/{team_id}/members", _RUN_PLAN | {"admin": 302, "coordinator": 302}),
    "teams.remove": (
        "POST",
        "/teams/{team_id}/members/{membership_id}/remove",
        _RUN_PLAN | {"admin": 302, "coordinator": 302},
    ),
    "assignments.assign_one": (
        "POST",
        "/assignments/team/{team_id}",
        _RUN_PLAN | {"admin": 302, "coordinator": 302},
    ),
    "assignments.draw": (
        "GET",
        "/assignments/draw/{cw_plan_id}",
        _RUN_PLAN | {"admin": 200, "coordinator": 200},
    ),
    "assignments.draw_detail": (
        "GET",
        "/assignments/draws/{draw_id}",
        {p: 404 for p in PERSONAS} | {"anonymous": 302, "admin": 200, "coordinator": 200},
    ),
    # Pages that moved: the old address answers 308 with the new one, for anyone.
    "teams.moved_new": ("GET", "/plans/{cw_plan_id}/teams/new", dict.fromkeys(PERSONAS, 308)),
    "assignments.moved_draw": ("GET", "/plans/{cw_plan_id}/draw", dict.fromkeys(PERSONAS, 308)),
    "assignments.moved_draw_detail": ("GET", "/draws/{draw_id}", dict.fromkeys(PERSONAS, 308)),
    "auth.login": ("GET", "/login", {p: 302 for p in PERSONAS} | {"anonymous": 200}),
    "auth.logout": ("POST", "/logout", {p: 302 for p in PERSONAS}),
    "auth.change_language": ("POST", "/language", {p: 302 for p in PERSONAS}),
    "reports.home": ("GET", "/", {p: 200 for p in PERSONAS} | {"anonymous": 302}),
    "reports.findings_page": ("GET", "/reports/findings", _UNITS_VIEW),
    "inbox.index": (
        "GET",
        "/inbox/",
        {p: 200 for p in PERSONAS} | {"anonymous": 302, "observer": 403, "contact": 403},
    ),
    "reports.findings_export": ("GET", "/reports/findings.xlsx", _UNITS_VIEW),
    "plans.index": (
        "GET",
        "/plans/",
        {p: 200 for p in PERSONAS} | {"anonymous": 302, "contact": 403},
    ),
    "plans.detail": (
        "GET",
        "/plans/{plan_id}",
        {
            "anonymous": 302,
            "admin": 200,
            "coordinator": 200,
            "observer": 200,
            "leader": 200,
            "outsider": 404,
            "contact": 404,
        },
    ),
    "audit.index": ("GET", "/audit/", {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 200}),
    "system.status": ("GET", "/admin/system", {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 200}),
    "system.healthz": ("GET", "/healthz", {p: 200 for p in PERSONAS}),
    # --- outbox: the admin outbox, and the signed links in mail (no login); reminders ---
    "outbox.index": (
        "GET",
        "/admin/outbox",
        {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 200},
    ),
    "outbox.resend_one": (
        "POST",
        "/admin/outbox/{failed_notification_id}/resend",
        {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 302},
    ),
    "outbox.resume": (
        "POST",
        "/admin/outbox/resume",
        {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 302},
    ),
    # A plan's reminder offsets: its coordinators and admins.
    "reminders.settings": (
        "GET",
        "/plans/{cw_plan_id}/reminders",
        _RUN_PLAN | {"admin": 200, "coordinator": 200},
    ),
    "outbox.unsubscribe": ("GET", "/unsubscribe/{unsubscribe_token}", {p: 200 for p in PERSONAS}),
    "outbox.preferences": (
        "GET",
        "/email-preferences/{preferences_token}",
        {p: 200 for p in PERSONAS},
    ),
    # --- scheduling ---
    "scheduling.schedule": (
        "GET",
        "/plans/{plan_id}/schedule",
        {p: 404 for p in PERSONAS} | {"anonymous": 302, "admin": 200},
    ),
    "scheduling.progress": (
        "GET",
        "/plans/{plan_id}/schedule/progress",
        {p: 404 for p in PERSONAS} | {"anonymous": 302, "admin": 200},
    ),
    "scheduling.propose": (
        "POST",
        "/plans/{plan_id}/schedule/propose",
        {p: 404 for p in PERSONAS} | {"anonymous": 302, "admin": 302},
    ),
    "scheduling.settings": (
        "POST",
        "/plans/{plan_id}/schedule/settings",
        {p: 404 for p in PERSONAS} | {"anonymous": 302, "admin": 302},
    ),
    "scheduling.add_blackout": (
        "POST",
        "/plans/{plan_id}/schedule/blackouts",
        {p: 404 for p in PERSONAS} | {"anonymous": 302, "admin": 302},
    ),
    "scheduling.move": (
        "POST",
        "/schedule/items/{item_id}/move",
        {p: 404 for p in PERSONAS} | {"anonymous": 302, "admin": 302},
    ),
    "scheduling.approve": (
        "POST",
        "/schedule/proposals/{proposal_id}/approve",
        {p: 404 for p in PERSONAS} | {"anonymous": 302, "admin": 302},
    ),
    "scheduling.my_calendar": ("GET", "/calendar", {p: 200 for p in PERSONAS} | {"anonymous": 302}),
    # The calendars' events (static/calendar.js): the schedule's like its page, the
    # personal calendar's for everyone signed in (scoped by policy.calendar_visits).
    "scheduling.schedule_events": (
        "GET",
        "/plans/{plan_id}/schedule/events",
        {p: 404 for p in PERSONAS} | {"anonymous": 302, "admin": 200},
    ),
    "scheduling.my_calendar_events": (
        "GET",
        "/calendar/events",
        {p: 200 for p in PERSONAS} | {"anonymous": 302},
    ),
    "scheduling.new_feed": ("POST", "/calendar/feed", {p: 302 for p in PERSONAS}),
    "scheduling.revoke_feed": ("POST", "/calendar/feed/revoke", {p: 302 for p in PERSONAS}),
    "scheduling.feed": ("GET", "/calendar/feed/{feed_token}.ics", {p: 200 for p in PERSONAS}),
    "workdays.index": (
        "GET",
        "/admin/calendar",
        {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 200},
    ),
    "workdays.delete_day": (
        "POST",
        "/admin/calendar/2030-01-02/delete",
        {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 302},
    ),
}


# --- field work: visits, findings, documents, corrective actions, cases ---
# On a plan "coordinator" runs: a visit of the team "leader" heads, at the unit of "contact",
# and a case of that unit, concluded, with an action the unit must report on.
_FIELD_TEAM_ONLY = {
    "anonymous": 302,
    "admin": 403,
    "coordinator": 403,
    "observer": 403,
    "leader": 302,
    "outsider": 404,
    "contact": 404,
}
_FIELD_SEE = {p: 200 for p in PERSONAS} | {"anonymous": 302, "outsider": 404, "contact": 404}
_STAFF_AND_INSPECTORS = {p: 200 for p in PERSONAS} | {"anonymous": 302, "contact": 403}
_ADMIN_POST = {p: 403 for p in PERSONAS} | {"anonymous": 302, "admin": 302}
MATRIX |= {
    "visits.index": ("GET", "/visits/", _STAFF_AND_INSPECTORS),
    "visits.create": (
        "POST",
        "/visits/new/{field_inspection_id}",
        _FIELD_TEAM_ONLY | {"admin": 302, "coordinator": 302, "contact": 403},
    ),
    "findings.visit": ("GET", "/visits/{visit_id}", _FIELD_SEE),
    "findings.save_visit_finding": ("POST", "/visits/{visit_id}/findings", _FIELD_TEAM_ONLY),
    "findings.upload_evidence": ("POST", "/findings/{finding_id}/evidence", _FIELD_TEAM_ONLY),
    "findings.evidence": ("GET", "/evidence/{evidence_id}", _FIELD_SEE),
    "findings.checklist_index": ("GET", "/checklists/", _STAFF_AND_INSPECTORS),
    "findings.checklist_detail": ("GET", "/checklists/{template_id}", _STAFF_AND_INSPECTORS),
    "findings.checklist_new_version": ("POST", "/checklists/{template_id}/new-version", _ADMIN_POST),
    "findings.checklist_publish": ("POST", "/checklists/{template_id}/publish", _ADMIN_POST),
    "findings.criterion_new": (
        "GET",
        "/checklists/{template_id}/criteria/new",
        _ADMIN_POST | {"admin": 200},
    ),
    "findings.criterion_edit": ("GET", "/checklists/criteria/{criterion_id}", _ADMIN_POST | {"admin": 200}),
    "documents.minutes": ("POST", "/documents/visit/{visit_id}/minutes", _FIELD_TEAM_ONLY),
    "documents.conclusion": ("POST", "/documents/visit/{visit_id}/conclusion", _FIELD_TEAM_ONLY),
    "documents.show": ("GET", "/documents/{document_id}", _FIELD_SEE | {"contact": 200}),
    "documents.pdf": ("GET", "/documents/{document_id}.pdf", _FIELD_SEE | {"contact": 200}),
    "documents.docx": ("GET", "/documents/{document_id}.docx", _FIELD_SEE | {"contact": 200}),
    # Anyone holding a PDF may check its signature: no login, nothing of ours is shown.
    "documents.verify": ("GET", "/documents/verify", {p: 200 for p in PERSONAS}),
    "remediation.index": ("GET", "/actions/", {p: 200 for p in PERSONAS} | {"anonymous": 302}),
    "remediation.create": ("POST", "/actions/finding/{finding_id}", _FIELD_TEAM_ONLY),
    "remediation.report": (
        "POST",
        "/actions/{action_id}/report",
        _FIELD_TEAM_ONLY | {"leader": 403, "contact": 302},
    ),
    "remediation.accept": ("POST", "/actions/{action_id}/accept", _FIELD_TEAM_ONLY),
    "remediation.return_report": ("POST", "/actions/{action_id}/return", _FIELD_TEAM_ONLY),
    "cases.index": ("GET", "/cases/", _STAFF_AND_INSPECTORS),
    "cases.new": ("GET", "/cases/new", _ADMIN_POST | {"admin": 200, "coordinator": 200}),
    "cases.detail": ("GET", "/cases/{case_id}", _FIELD_SEE),
    "cases.assign": (
        "POST",
        "/cases/{case_id}/assign",
        _FIELD_TEAM_ONLY | {"admin": 302, "coordinator": 302, "leader": 403},
    ),
    "cases.attach": (
        "POST",
        "/cases/{case_id}/attachments",
        _FIELD_TEAM_ONLY | {"admin": 302, "coordinator": 302},
    ),
    "cases.attachment": ("GET", "/cases/attachments/{attachment_id}", _FIELD_SEE),
    "cases.save_finding": ("POST", "/cases/{case_id}/findings", _FIELD_TEAM_ONLY),
}


# --- portal: signed links (no login), the unit dashboard; extension decisions; admin list ---
_UNIT_ONLY = {p: 403 for p in PERSONAS} | {"anonymous": 302}
_LINK_PAGE = {p: 200 for p in PERSONAS}
_CONTACT_POST = _UNIT_ONLY | {"contact": 302}
_DECIDE = _UNIT_ONLY | {"admin": 302, "coordinator": 302}
MATRIX |= {
    "portal.acknowledge": ("GET", "/l/acknowledge/{ack_token}", _LINK_PAGE),
    "portal.self_assessment": ("GET", "/l/self-assessment/{self_assessment_token}", _LINK_PAGE),
    "portal.conclusion": ("GET", "/l/conclusion/{conclusion_token}", _LINK_PAGE),
    "portal.action": ("GET", "/l/action/{remediation_token}", _LINK_PAGE),
    "portal.extension": ("POST", "/l/action/{remediation_token}/extension", {p: 302 for p in PERSONAS}),
    "portal.fresh": ("POST", "/l/fresh", _LINK_PAGE),
    "portal.dashboard": ("GET", "/unit/", _UNIT_ONLY | {"contact": 200}),
    "portal.unit_acknowledge": ("POST", "/unit/visits/{links_visit_id}/acknowledge", _CONTACT_POST),
    "portal.unit_upload": ("POST", "/unit/visits/{links_visit_id}/self-assessment", _CONTACT_POST),
    "portal.unit_action": ("GET", "/unit/actions/{action_id}", _UNIT_ONLY | {"contact": 200}),
    "portal.unit_extension": ("POST", "/unit/actions/{action_id}/extension", _CONTACT_POST),
    "remediation.extensions": (
        "GET",
        "/actions/extensions/",
        _UNIT_ONLY | {"admin": 200, "coordinator": 200},
    ),
    "remediation.decide": ("POST", "/actions/extensions/{extension_id}/decide", _DECIDE),
    # The old addresses of the two pages above: a redirect that reveals nothing.
    "remediation.extensions_moved": ("GET", "/extensions/", {p: 308 for p in PERSONAS}),
    "remediation.decide_moved": ("POST", "/extensions/{extension_id}/decide", {p: 308 for p in PERSONAS}),
    "links.unit_links": ("GET", "/admin/units/{unit_id}/links", _UNIT_ONLY | {"admin": 200}),
    "links.revoke": ("POST", "/admin/links/{link_id}/revoke", _UNIT_ONLY | {"admin": 302}),
    "portal.upload_file": ("GET", "/unit-uploads/{unit_upload_id}", _FIELD_SEE | {"contact": 200}),
}


# --- open interfaces: the JSON API (a bearer token or nothing: a session is never read, so
# every persona's session gets 401), its description and docs; API tokens and two-factor
# login under the account; single sign-on (404 while unconfigured); webhooks (admins) ---
_API = dict.fromkeys(PERSONAS, 401)
_ACCOUNT_PAGE = {p: 200 for p in PERSONAS} | {"anonymous": 302}
MATRIX |= {
    "api.openapi_json": ("GET", "/api/v1/openapi.json", dict.fromkeys(PERSONAS, 200)),
    "api.docs": ("GET", "/api/v1/docs", dict.fromkeys(PERSONAS, 200)),
    "api.plans": ("GET", "/api/v1/plans", _API),
    "api.plan": ("GET", "/api/v1/plans/{plan_id}", _API),
    "api.units": ("GET", "/api/v1/units", _API),
    "api.unit": ("GET", "/api/v1/units/{unit_id}", _API),
    "api.teams": ("GET", "/api/v1/teams", _API),
    "api.team": ("GET", "/api/v1/teams/{team_id}", _API),
    "api.assign_unit": ("POST", "/api/v1/teams/{team_id}/inspections", _API),
    "api.inspections": ("GET", "/api/v1/inspections", _API),
    "api.inspection": ("GET", "/api/v1/inspections/{field_inspection_id}", _API),
    "api.visits": ("GET", "/api/v1/visits", _API),
    "api.visit": ("GET", "/api/v1/visits/{visit_id}", _API),
    "api.record_finding": ("POST", "/api/v1/visits/{visit_id}/findings", _API),
    "api.findings_list": ("GET", "/api/v1/findings", _API),
    "api.finding": ("GET", "/api/v1/findings/{finding_id}", _API),
    "api.actions": ("GET", "/api/v1/actions", _API),
    "api.action": ("GET", "/api/v1/actions/{action_id}", _API),
    "api.report_action": ("POST", "/api/v1/actions/{action_id}/report", _API),
    "api.cases": ("GET", "/api/v1/cases", _API),
    "api.case": ("GET", "/api/v1/cases/{case_id}", _API),
    "api.documents": ("GET", "/api/v1/documents", _API),
    "api.document": ("GET", "/api/v1/documents/{document_id}", _API),
    "api.document_file": ("GET", "/api/v1/documents/{document_id}/file", _API),
    "auth.tokens_page": ("GET", "/account/tokens", _ACCOUNT_PAGE),
    "auth.create_token": ("POST", "/account/tokens", dict.fromkeys(PERSONAS, 302)),
    "auth.revoke_token": ("POST", "/account/tokens/1/revoke", dict.fromkeys(PERSONAS, 302)),
    "auth.two_factor_settings": ("GET", "/account/two-factor", _ACCOUNT_PAGE),
    "auth.enable_two_factor": ("POST", "/account/two-factor/enable", dict.fromkeys(PERSONAS, 302)),
    "auth.disable_two_factor": ("POST", "/account/two-factor/disable", dict.fromkeys(PERSONAS, 302)),
    "auth.new_recovery_codes": ("POST", "/account/two-factor/recovery-codes", dict.fromkeys(PERSONAS, 302)),
    # No login waits for its second factor: back to the login page (a logged-in user too).
    "auth.two_factor": ("GET", "/login/two-factor", dict.fromkeys(PERSONAS, 302)),
    "auth.sso": ("GET", "/login/sso", dict.fromkeys(PERSONAS, 404)),
    "auth.sso_callback": ("GET", "/login/sso/callback", dict.fromkeys(PERSONAS, 404)),
    "webhooks.index": ("GET", "/admin/webhooks/", _ADMIN_POST | {"admin": 200}),
    "webhooks.create": ("POST", "/admin/webhooks/", _ADMIN_POST),
    "webhooks.send_test": ("POST", "/admin/webhooks/1/test", _ADMIN_POST | {"admin": 404}),
    "webhooks.toggle": ("POST", "/admin/webhooks/1/active", _ADMIN_POST | {"admin": 404}),
}

MATRIX |= {
    "accounts.index": ("GET", "/admin/users/", _ADMIN_POST | {"admin": 200}),
    "accounts.create": ("GET", "/admin/users/new", _ADMIN_POST | {"admin": 200}),
    "accounts.show": ("GET", "/admin/users/2", _ADMIN_POST | {"admin": 200}),
    "accounts.set_role": ("POST", "/admin/users/2/role", _ADMIN_POST),
    "accounts.deactivate_user": ("POST", "/admin/users/2/deactivate", _ADMIN_POST),
    "accounts.reactivate_user": ("POST", "/admin/users/2/reactivate", _ADMIN_POST),
    "accounts.send_link": ("POST", "/admin/users/2/password-link", _ADMIN_POST),
    "accounts.end_sessions": ("POST", "/admin/users/2/end-sessions", _ADMIN_POST),
    # A one-time link is its own proof; a token that is not ours is a 404 for everyone.
    "auth.set_password": ("GET", "/auth/set-password/not-a-token", dict.fromkeys(PERSONAS, 404)),
}


# --- after approval: moving and cancelling a visit, absences, the inbox digest; the field
# phone's service worker and thumbnails ---
_SCHEDULE_ADMIN_ONLY = {p: 404 for p in PERSONAS} | {"anonymous": 302}
_VISIT_CHANGE = {
    "anonymous": 302,
    "admin": 302,
    "coordinator": 302,
    "observer": 403,
    "outsider": 404,
    "contact": 404,
}
MATRIX |= {
    # The team head may propose a move (a request the coordinator decides), never cancel.
    "scheduling.change_visit": (
        "GET",
        "/visits/{visit_id}/change",
        _VISIT_CHANGE | {"leader": 200, "admin": 200, "coordinator": 200},
    ),
    "scheduling.move_visit": ("POST", "/visits/{visit_id}/move", _VISIT_CHANGE | {"leader": 302}),
    "scheduling.cancel_visit": ("POST", "/visits/{visit_id}/cancel", _VISIT_CHANGE | {"leader": 403}),
    "scheduling.decide_move": ("POST", "/visit-changes/1/decide", _SCHEDULE_ADMIN_ONLY | {"admin": 404}),
    "scheduling.absences": (
        "GET",
        "/plans/{plan_id}/schedule/absences",
        _SCHEDULE_ADMIN_ONLY | {"admin": 200},
    ),
    "scheduling.add_absence": (
        "POST",
        "/plans/{plan_id}/schedule/absences",
        _SCHEDULE_ADMIN_ONLY | {"admin": 302},
    ),
    "scheduling.remove_absence": (
        "POST",
        "/plans/{plan_id}/schedule/absences/1/remove",
        _SCHEDULE_ADMIN_ONLY | {"admin": 404},
    ),
    "scheduling.repropose": (
        "POST",
        "/plans/{plan_id}/schedule/absences/repropose",
        _SCHEDULE_ADMIN_ONLY | {"admin": 302},
    ),
    "scheduling.apply_moves": (
        "POST",
        "/plans/{plan_id}/schedule/absences/apply",
        _SCHEDULE_ADMIN_ONLY | {"admin": 302},
    ),
    "inbox.digest": (
        "POST",
        "/inbox/digest",
        dict.fromkeys(PERSONAS, 302) | {"observer": 403, "contact": 403},
    ),
    "findings.service_worker": ("GET", "/sw.js", dict.fromkeys(PERSONAS, 200)),
    "findings.web_manifest": ("GET", "/manifest.webmanifest", dict.fromkeys(PERSONAS, 200)),
    "findings.offline_page": ("GET", "/field/offline", dict.fromkeys(PERSONAS, 200)),
    "findings.evidence_thumb": ("GET", "/evidence/{evidence_id}/thumb", _FIELD_SEE),
}


def test_the_matrix_names_every_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints == set(MATRIX)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_answers_persona(endpoint, persona, world, client, login):
    method, path, expected = MATRIX[endpoint]
    if persona != "anonymous":
        assert login(world["users"][persona]).status_code == 302
    url = path.format(**world)
    if method == "POST":
        response = client.post(url, data={"csrf_token": csrf_token(client)})
    else:
        response = client.get(url)
    assert response.status_code == expected[persona], f"{persona} {method} {url}"
