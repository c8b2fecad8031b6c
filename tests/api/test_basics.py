"""The API's frame: its description and docs, problem details, tokens and their audit."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.auth.models import ApiToken, Role
from inspections.db import utcnow

PROBLEM = "application/problem+json"


def test_the_openapi_description_is_3_1_and_names_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"] == "3.1.0"
    described = {path for path in spec["paths"]}
    routed = {
        rule.rule.replace("<int:", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint not in ("api.openapi_json", "api.docs")
    }
    assert described == routed
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    plans = spec["paths"]["/api/v1/plans"]["get"]["responses"]
    assert PROBLEM in plans["401"]["content"] and PROBLEM in plans["422"]["content"]


def test_the_docs_are_served_from_our_own_files(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js" in html
    assert "http" not in html.split("<body>", 1)[1].replace("/api/v1/openapi.json", "")  # no CDN
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert client.get("/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js").status_code == 200


def test_no_token_is_a_401_problem(client):
    response = client.get("/api/v1/plans")
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = response.get_json()
    assert body["status"] == 401 and body["title"] and body["instance"] == "/api/v1/plans"
    assert "Set-Cookie" not in response.headers


def test_a_wrong_token_is_a_401_too(client):
    for header in ("Bearer ikt_nope", "Bearer eyJ.x.y", "Basic abc", "Bearer "):
        response = client.get("/api/v1/plans", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_problem_titles_are_vietnamese_by_default_and_in_the_caller_s_language(db, make, client, bearer):
    # "Not found" is in the catalogue already (the error pages share it).
    vietnamese = bearer(make.user(Role.ADMIN))
    assert client.get("/api/v1/plans/999", headers=vietnamese).get_json()["title"] == "Không tìm thấy"
    english = bearer(make.user(Role.ADMIN, language="en"))
    assert client.get("/api/v1/plans/999", headers=english).get_json()["title"] == "Not found"


def test_unknown_paths_and_methods_are_problems(db, make, client, bearer):
    headers = bearer(make.user(Role.ADMIN))
    missing = client.get("/api/v1/nothing-here", headers=headers)
    assert missing.status_code == 404 and missing.mimetype == PROBLEM
    wrong = client.delete("/api/v1/plans", headers=headers)
    assert wrong.status_code == 405 and wrong.mimetype == PROBLEM
    assert "GET" in wrong.headers["Allow"]
    assert client.get("/api/v1/plans/999999", headers=headers).status_code == 404
    assert client.get("/api/v1/plans/2147483648", headers=headers).mimetype == PROBLEM
    page = client.get("/no-such-page")  # elsewhere, the pages' own answer
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_invalid_parameters_are_422_problems_with_the_fields(db, make, client, bearer):
    headers = bearer(make.user(Role.ADMIN))
    response = client.get("/api/v1/plans?limit=500&sort=bogus", headers=headers)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    fields = {tuple(e["loc"])[-1] for e in response.get_json()["errors"]}
    assert {"limit", "sort"} <= fields


def test_an_unexpected_error_is_a_500_problem(app, db, make, client, bearer, monkeypatch):
    from inspections import policy

    headers = bearer(make.user(Role.ADMIN))

    def broken(viewer):
        raise RuntimeError("boom")

    monkeypatch.setattr(policy, "visible_plans", broken)
    response = client.get("/api/v1/plans", headers=headers)
    assert response.status_code == 500 and response.mimetype == PROBLEM
    assert "boom" not in response.get_data(as_text=True)


def test_keyset_pages_follow_next_links(db, make, client, bearer):
    headers = bearer(make.user(Role.ADMIN))
    for n in range(7):
        make.unit(name=f"Đơn vị {n:02d}")
    db.session.commit()
    seen, url = [], "/api/v1/units?limit=3&sort=code"
    while url:
        page = client.get(url, headers=headers).get_json()
        seen += [u["id"] for u in page["items"]]
        assert page["total"] == 7
        url = page["next"]
        assert url is None or ("after=" in url and "limit=3" in url)
    assert len(seen) == 7 == len(set(seen))


def test_a_read_token_may_not_write(world, client, bearer):
    headers = bearer(world["users"]["coordinator"], "read")
    response = client.post(
        f"/api/v1/teams/{world['team_id']}/inspections", json={"unit_code": "X"}, headers=headers
    )
    assert response.status_code == 403 and response.mimetype == PROBLEM


def test_revoked_and_expired_tokens_stop_working(db, make, client, bearer):
    user = make.user(Role.ADMIN)
    headers = bearer(user)
    assert client.get("/api/v1/plans", headers=headers).status_code == 200
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/plans", headers=headers).status_code == 401
    token.expires_at = utcnow() + timedelta(days=1)
    token.revoked_at = utcnow()
    db.session.commit()
    assert client.get("/api/v1/plans", headers=headers).status_code == 401


def test_a_deactivated_user_s_token_stops_working(db, make, client, bearer):
    from inspections.auth.services import set_active

    user = make.user(Role.ADMIN)
    headers = bearer(user)
    set_active(user, False, actor=None)
    db.session.commit()
    assert client.get("/api/v1/plans", headers=headers).status_code == 401


def test_token_use_is_audited_once_an_hour_for_reads_and_on_every_write(world, db, client, bearer):
    def uses() -> int:
        return db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "api_token.use")
        )

    headers = bearer(world["users"]["contact"], "write")
    for _ in range(5):
        assert client.get("/api/v1/actions", headers=headers).status_code == 200
    db.session.expire_all()
    assert uses() == 1
    report = client.post(
        f"/api/v1/actions/{world['action_id']}/report", json={"text": "Đã khắc phục"}, headers=headers
    )
    assert report.status_code == 200, report.get_json()
    db.session.expire_all()
    assert uses() == 2
    assert (
        db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "action.report"))
        == 1
    )


def test_the_token_is_stored_hashed(db, make, bearer):
    user = make.user(Role.ADMIN)
    raw = bearer(user)["Authorization"].split()[1]
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert raw not in (token.token_hash, token.prefix) and raw.startswith(token.prefix)
    create = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "api_token.create"))
    assert raw not in str(create.after)


def test_too_many_requests_is_a_429_problem(migrated, instance_dir, app, db, make):
    from inspections import create_app
    from inspections.auth import tokens
    from inspections.extensions import limiter
    from tests.conftest import IsolatedClient, settings_for

    throttled = create_app(
        settings_for(migrated, instance_dir) | {"RATELIMIT_ENABLED": True, "API_LIMIT": "2 per minute"},
        instance_path=str(instance_dir),
    )
    throttled.test_client_class = IsolatedClient
    user = make.user(Role.ADMIN)
    _token, raw = tokens.create_token(user, name="t", scope="read", days=1, actor=user)
    db.session.commit()
    with throttled.app_context():
        limiter.reset()
    client = throttled.test_client()
    headers = {"Authorization": f"Bearer {raw}"}
    answers = [client.get("/api/v1/plans", headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].mimetype == PROBLEM and answers[2].get_json()["status"] == 429
    with throttled.app_context():
        limiter.reset()
