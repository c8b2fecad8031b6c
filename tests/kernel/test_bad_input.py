"""Bad input on every POST endpoint: a clear message in the user's language, nothing changed.

The standard: bad input never gets a 500; the answer is a redirect or a page whose messages
are translated (WTForms has no Vietnamese catalogue, so English WTForms text on a page means
a validator without `message=_l(...)`, or a field's own conversion message); a refused
request writes no audit event; and every mutating request needs a CSRF token, except the
few views exempt by design. Each endpoint gets an empty post, posts with every field set to
garbage, uploads whose content does not match their name, and a few valid forms around one
bad id (`DEEP`); all bad answers of an endpoint are reported together.

A new POST endpoint fails `test_every_post_endpoint_is_listed` until someone decides who
may use it here (and whether an empty post is a refusal or a complete, valid request).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask

from inspections.auth.models import Role
from inspections.extensions import csrf
from tests.conftest import csrf_token
from tests.kernel.test_policy_matrix import MATRIX

# Views a request without a session must reach: RFC 8058 one-click unsubscribe is POSTed by
# the mail client itself; the signed token in the path is the proof.
# /healthz is a GET-only probe, exempted so a load balancer needs no session.
CSRF_EXEMPT = {"outbox.unsubscribe", "system.healthz"}
# The JSON API authenticates each request by its bearer token, not by a session cookie.
CSRF_EXEMPT |= {"api.assign_unit", "api.record_finding", "api.report_action"}
# The import's upload checks its CSRF token in its form, after raising the request's size limit.
CSRF_EXEMPT |= {"imports.index"}

# endpoint -> (persona, must refuse an empty post): who may use it, and whether a post with
# no fields is a refusal. Buttons (a form of the CSRF token alone, or of optional fields)
# are complete requests when empty. Garbage may also be valid (any text is a valid reason):
# the audit count is checked whenever the answer is a refusal (an error status, a form
# error or a flashed error), whatever was sent.
POST_ENDPOINTS: dict[str, tuple[str, bool]] = {
    "auth.login": ("anonymous", True),
    "auth.logout": ("admin", False),
    "auth.change_language": ("admin", True),
    "plans.new": ("coordinator", True),
    "plans.edit": ("coordinator", True),
    "plans.approve": ("coordinator", False),
    "plans.reopen": ("coordinator", True),
    "plans.close": ("coordinator", False),
    "plans.copy": ("coordinator", True),
    "units.new": ("coordinator", True),
    "units.edit": ("coordinator", True),
    "units.import_file": ("coordinator", False),  # a redirect to imports.index
    "imports.index": ("coordinator", True),
    "imports.confirm_job": ("coordinator", False),
    "imports.cancel_job": ("coordinator", False),
    "teams.new": ("coordinator", True),
    "teams.add": ("coordinator", True),
    "teams.remove": ("coordinator", False),
    "assignments.assign_one": ("coordinator", True),
    "assignments.assign_bulk": ("coordinator", True),
    "assignments.draw": ("coordinator", True),
    "outbox.resend_one": ("admin", False),
    "outbox.resume": ("admin", False),
    "outbox.unsubscribe": ("anonymous", False),
    "outbox.preferences": ("anonymous", True),
    "reminders.settings": ("coordinator", True),
    "scheduling.propose": ("admin", False),
    "scheduling.settings": ("admin", True),
    "scheduling.add_blackout": ("admin", True),
    "scheduling.move": ("admin", True),
    "scheduling.approve": ("admin", False),
    "scheduling.new_feed": ("admin", False),
    "scheduling.revoke_feed": ("admin", False),
    "workdays.index": ("admin", True),
    "workdays.delete_day": ("admin", False),
    "visits.create": ("coordinator", True),
    "findings.save_visit_finding": ("leader", True),
    "findings.upload_evidence": ("leader", True),
    "findings.checklist_new_version": ("admin", False),
    "findings.checklist_publish": ("admin", False),
    "findings.criterion_new": ("admin", True),
    "findings.criterion_edit": ("admin", True),
    "documents.minutes": ("leader", False),
    "documents.conclusion": ("leader", False),  # the place of issue has a default
    "documents.verify": ("anonymous", True),
    "remediation.create": ("leader", True),
    "remediation.report": ("contact", True),
    "remediation.accept": ("leader", False),
    "remediation.return_report": ("leader", True),
    "cases.new": ("coordinator", True),
    "cases.assign": ("coordinator", True),
    "cases.attach": ("coordinator", True),
    "cases.save_finding": ("leader", True),
    "portal.acknowledge": ("anonymous", False),
    "portal.self_assessment": ("anonymous", True),
    "portal.action": ("anonymous", True),
    "portal.extension": ("anonymous", True),
    "portal.fresh": ("anonymous", True),
    "portal.unit_acknowledge": ("contact", False),
    "portal.unit_upload": ("contact", True),
    "portal.unit_action": ("contact", True),
    "portal.unit_extension": ("contact", True),
    "remediation.decide": ("coordinator", True),
    "remediation.decide_moved": ("coordinator", False),  # 308 to remediation.decide
    "links.revoke": ("admin", False),
    "auth.two_factor": ("anonymous", True),
    "auth.create_token": ("admin", True),
    "auth.revoke_token": ("admin", False),
    "auth.enable_two_factor": ("admin", True),
    "auth.disable_two_factor": ("admin", True),
    "auth.new_recovery_codes": ("admin", False),
    "webhooks.create": ("admin", True),
    "webhooks.toggle": ("admin", False),
    "webhooks.send_test": ("admin", False),
    "api.assign_unit": ("coordinator", True),
    "api.record_finding": ("leader", True),
    "api.report_action": ("contact", True),
    "accounts.create": ("admin", True),
    "accounts.set_role": ("admin", True),
    "accounts.deactivate_user": ("admin", False),
    "accounts.reactivate_user": ("admin", False),
    "accounts.send_link": ("admin", False),
    "accounts.end_sessions": ("admin", False),
    "auth.set_password": ("anonymous", True),  # not a token of ours: 404
    "scheduling.move_visit": ("coordinator", True),  # a day and a reason are needed
    "scheduling.cancel_visit": ("coordinator", True),  # a reason is needed
    "scheduling.decide_move": ("admin", True),  # no such request: 404
    "scheduling.add_absence": ("admin", True),
    "scheduling.remove_absence": ("admin", False),
    "scheduling.repropose": ("admin", False),
    "scheduling.apply_moves": ("admin", False),
    "inbox.digest": ("leader", False),
}


def _path(endpoint: str) -> str:
    """The path template the route × role matrix uses, with ids from its `world`."""
    return MATRIX[endpoint][1]


# Every field name the application's forms and plain-HTML forms read: a garbage post fills
# all of them (unknown ones are ignored by the view).
FIELDS = (
    "username password next language year title number issued_on window_start window_end "
    "content_areas joint surprise case notice_working_days reason code name name_en address kind "
    "division_type parent_code district_code active contact_name contact_email "
    "contact_language token decision_number decision_date decision_signer visits_per_day "
    "role home_unit_code unit_code override_reason team_id unit_ids kinds district_id "
    "not_inspected_months count action notice_on day slot cross_team_gap_days unit_id note "
    "criterion_id version result severity text named_individuals finding_id criterion taken_ms "
    "place description working_days parent_id text_vi text_en guidance_vi guidance_en weight "
    "plan_id source summary received_on team_reminder_first team_reminder_second "
    "unit_reminder findings_after conclusion_after conclusion_to_coordinator_after "
    "action_due_soon_days escalate_after digest_weekday until email granted_on decision"
    " scope days owner url events"
).split()
FILE_FIELDS = ("file", "attachment", "files")

GARBAGE = {
    "long": "x" * 5000,
    "non-numeric, unknown enum value": "no_such_value",
    "impossible date": "31/02/2019",
    "negative": "-1",
    "huge": "99999999999999999999",
}

# WTForms' own English messages (wtforms/locale/wtforms.pot), and Flask-WTF's.
ENGLISH = re.compile(
    r"(?:This field is required|Not a valid|Invalid input|Invalid [Cc]hoice|is not a valid choice"
    r"|Field must be|Field cannot be|Number must be|Date must be|Invalid value, |Invalid email"
    r"|CSRF token|Invalid CSRF|File does not have|This field cannot|This field is disabled)[^<\"]*"
)

# Bugs this test has found and that are not fixed yet: endpoint -> reason.
KNOWN: dict[str, str] = {}


def _cases() -> list[object]:
    return [
        pytest.param(e, marks=[pytest.mark.xfail(strict=True, reason=KNOWN[e])] if e in KNOWN else [])
        for e in sorted(POST_ENDPOINTS)
    ]


# Refusals that are audited by design: a signed link refused (expired, used, revoked) is a
# security event.
AUDITED_REFUSALS = ("link.refused",)


def _audit_count(db) -> int:
    db.session.rollback()  # a fresh snapshot: the request committed in its own session
    query = sa.text("SELECT count(*) FROM audit_events WHERE action NOT IN :refusals").bindparams(
        sa.bindparam("refusals", expanding=True)
    )
    return db.session.scalar(query, {"refusals": list(AUDITED_REFUSALS)})


def _login(client, login, users, persona: str) -> None:
    if persona != "anonymous":
        assert login(users[persona]).status_code == 302


# How pages show a refusal: a form error under its field, or a flashed error.
REFUSAL = re.compile(r'class="(flash )?error"')


def _check_answer(client, response, where: str, audit: Callable[[], None]) -> bool:
    """No 500; a redirect or a page; no English validator text, here or on the next page.

    `audit` checks the audit count between the answer and the page it redirects to (opening
    a signed link is itself audited). Returns whether the request was refused: an error
    status, or an error shown.
    """
    assert response.status_code != 500, where
    assert response.status_code in (200, 302, 303, 308) or 400 <= response.status_code < 500, where
    checks = [audit]
    if response.status_code in (302, 303):
        location = response.headers["Location"]
        if location.startswith(("/", "http://localhost")):
            # The validator messages are flashed: they show on the page redirected to.
            response = client.get(location)
            assert response.status_code != 500, f"{where} -> {location}"
    body = (
        response.get_data(as_text=True) if response.mimetype.startswith(("text/", "application/json")) else ""
    )
    found = sorted(set(ENGLISH.findall(body)))
    assert not found, f"{where}: English validator text {found}"
    refused = response.status_code >= 400 or REFUSAL.search(body) is not None
    if refused:
        for check in checks:
            check()
    return refused


HUGE = GARBAGE["huge"]
# A valid form around one bad id, to reach the code behind the form. "²" passes
# str.isdigit() but not int().
DEEP: dict[str, list[dict[str, str]]] = {
    "assignments.assign_bulk": [
        {"team_id": "{team_id}", "unit_ids": "²"},
        {"team_id": "{team_id}", "unit_ids": HUGE},
    ],
    "findings.save_visit_finding": [
        {"criterion_id": HUGE, "result": "compliant", "severity": "none"},
        {"criterion_id": "{criterion_id}", "result": "compliant", "severity": "none", "version": HUGE},
    ],
    "cases.save_finding": [
        {"result": "observation", "severity": "none", "text": "x", "finding_id": "²"},
        {"result": "observation", "severity": "none", "text": "x", "finding_id": HUGE},
        {"result": "observation", "severity": "none", "text": "x", "criterion": "²"},
        {"result": "observation", "severity": "none", "text": "x", "criterion": HUGE},
    ],
    "teams.add": [
        {"username": "no-such-user", "role": "member"},
        {"username": "x", "role": "member", "home_unit_code": HUGE},
    ],
    "assignments.assign_one": [{"unit_code": HUGE}],
    "findings.upload_evidence": [{"taken_ms": "-99999999999999"}],
}


def _deep_posts(endpoint: str, ids: dict[str, object]) -> list[dict[str, object]]:
    return [{k: v.format(**ids) for k, v in data.items()} for data in DEEP.get(endpoint, [])]


# Views that read an uploaded file.
UPLOADS = {
    "cases.new",
    "cases.attach",
    "findings.upload_evidence",
    "imports.index",
    "portal.self_assessment",
    "portal.action",
    "portal.unit_upload",
    "portal.unit_action",
}


def _garbage_posts(endpoint: str) -> list[dict[str, object]]:
    posts: list[dict[str, object]] = [dict.fromkeys(FIELDS, value) for value in GARBAGE.values()]
    if endpoint in UPLOADS:
        # Names that promise a photo, a PDF and a spreadsheet; contents that are none of them.
        posts += [
            {name: (io.BytesIO(content), filename) for name in FILE_FIELDS}
            for filename, content in [
                ("anh.jpg", b"<?php echo 'not a photo'; ?>"),
                ("don.pdf", b"MZ\x90\x00 not a pdf"),
                ("units.xlsx", b"PK\x03\x04 not a workbook"),
                ("units.csv", b"\xff\xfe\x00garbage,\x00\x00"),
                ("", b""),
            ]
        ]
    return posts


@pytest.mark.parametrize("endpoint", _cases())
def test_bad_input_is_refused_in_the_users_language(endpoint, world, db, client, login):
    persona, must_refuse = POST_ENDPOINTS[endpoint]
    _login(client, login, world["users"], persona)
    url = _path(endpoint).format(**world)
    posts = [{}, *_garbage_posts(endpoint), *_deep_posts(endpoint, world)]
    token = csrf_token(client)
    problems = []  # every bad answer of this endpoint at once, not only the first
    for data in posts:
        if endpoint.startswith("auth."):
            token = csrf_token(client)  # logging in or out starts a new session
        before = _audit_count(db)
        summary = {k: (str(v)[:20] if not isinstance(v, tuple) else v[1]) for k, v in data.items()}
        variant = "garbage" if data else "empty"
        where = f"{persona} POST {url} {variant} {sorted(set(summary.values()))}"
        response = client.post(url, data={**data, "csrf_token": token}, content_type=_content_type(data))
        after = _audit_count(db)

        def unchanged(after: int = after, before: int = before, where: str = where) -> None:
            assert after == before, f"{where}: a refused request changed something"

        try:
            was_refused = _check_answer(client, response, where, unchanged)
            if must_refuse and variant == "empty":
                assert was_refused, f"{where}: an empty form was accepted, or refused without a message"
        except AssertionError as exc:
            problems.append(str(exc).splitlines()[0])
    assert not problems, "\n".join(problems)


def _content_type(data: dict[str, object]) -> str:
    has_file = any(isinstance(v, tuple) for v in data.values())
    return "multipart/form-data" if has_file else "application/x-www-form-urlencoded"


def test_every_post_endpoint_is_listed(app: Flask) -> None:
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in (r.methods or ())}
    assert posts == set(POST_ENDPOINTS)


def test_the_csrf_exempt_views_are_the_listed_ones(app: Flask) -> None:
    exempt = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if f"{view.__module__}.{view.__name__}" in csrf._exempt_views
    }
    exempt |= {e for e in app.view_functions if e.split(".")[0] in csrf._exempt_blueprints}
    assert exempt == CSRF_EXEMPT


def test_a_post_without_a_csrf_token_is_refused(db, make, client, login) -> None:
    """One test for every endpoint: CSRFProtect answers before the view looks anything up."""
    admin = make.user(Role.ADMIN)
    db.session.commit()
    assert login(admin.username).status_code == 302
    wrong = []
    for endpoint in sorted(set(POST_ENDPOINTS) - CSRF_EXEMPT):
        url = re.sub(r"\{[a-z_]+\}", "1", _path(endpoint))  # any ids will do
        before = _audit_count(db)
        response = client.post(url, data=dict.fromkeys(FIELDS, "1"))
        body = response.get_data(as_text=True)
        if response.status_code != 400 or ENGLISH.search(body) or _audit_count(db) != before:
            wrong.append(f"{endpoint}: {response.status_code}")
    assert not wrong
