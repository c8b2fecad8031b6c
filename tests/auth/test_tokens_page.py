"""The account's API tokens page: made (shown once), listed, revoked; CSRF-protected."""

from __future__ import annotations

import re

import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.auth.models import ApiToken, Role
from tests.conftest import csrf_token

TOKEN_RE = re.compile(r'<code class="token">(ikt_[A-Za-z0-9_-]+)</code>')


def _make(client, **fields):
    data = {"csrf_token": csrf_token(client, "/account/tokens"), "name": "Báo cáo tuần", "scope": "read",
            "days": "30"} | fields  # fmt: skip
    return client.post("/account/tokens", data=data)


def test_a_token_is_shown_once_works_and_is_revoked(db, make, client, login):
    user = make.user(Role.OBSERVER)
    db.session.commit()
    login(user.username)
    made = _make(client)
    assert made.status_code == 200
    raw = TOKEN_RE.search(made.get_data(as_text=True)).group(1)
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert raw not in listing and "Báo cáo tuần" in listing and raw[:10] in listing
    api = client.application.test_client()
    assert api.get("/api/v1/plans", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    token = db.session.scalar(sa.select(ApiToken))
    revoked = client.post(
        f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(client, "/account/tokens")}
    )
    assert revoked.status_code == 302
    assert api.get("/api/v1/plans", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"api_token.create", "api_token.revoke"} <= actions


def test_no_one_revokes_another_s_token(db, make, client, login):
    owner, other = make.user(Role.OBSERVER), make.user(Role.ADMIN)
    from inspections.auth.tokens import create_token

    token, _raw = create_token(owner, name="x", scope="read", days=7, actor=owner)
    db.session.commit()
    login(other.username)
    client.post(
        f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(client, "/account/tokens")}
    )
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_forms_need_their_csrf_token_and_valid_choices(db, make, client, login):
    user = make.user(Role.OBSERVER)
    db.session.commit()
    login(user.username)
    assert (
        client.post("/account/tokens", data={"name": "x", "scope": "read", "days": "30"}).status_code == 400
    )
    assert _make(client, days="100000").status_code == 302  # not a choice: refused
    assert _make(client, scope="admin").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0
