"""Single sign-on end to end against a real OpenID Connect provider process
(oidc-provider-mock, started here on the loopback): the login flow of the browser, accounts
linked by verified email, roles mapped from a claim, unknown people refused; and the
provider's JWT as a bearer token on the API, checked against its JWKS."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa

from inspections import create_app
from inspections.auth.models import ExternalIdentity, Role, User
from tests.conftest import IsolatedClient, settings_for

CLIENT_ID, CLIENT_SECRET = "inspections-test", "test-client-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def provider():
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("the OIDC provider did not start")
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def sso_app(migrated, instance_dir, app, provider):
    settings = settings_for(migrated, instance_dir) | {
        "OIDC_ISSUER": provider,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_ROLE_CLAIM": "groups",
        "OIDC_ROLE_MAP": "cchc-coordinators=coordinator,cchc-observers=observer",
    }
    sso_app = create_app(settings, instance_path=str(instance_dir))
    sso_app.test_client_class = IsolatedClient
    return sso_app


def _set_user(provider, sub, **claims):
    requests.put(f"{provider}/users/{sub}", json=claims, timeout=5).raise_for_status()


def _provider_login(provider, authorize_url: str, sub: str) -> str:
    """What the person does at the provider: pick the account; returns our callback URL."""
    answer = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text[:300]
    return answer.headers["Location"]


def _sign_in(sso_app, provider, sub):
    client = sso_app.test_client()
    start = client.get("/login/sso")
    assert start.status_code == 302 and start.location.startswith(provider)
    callback = urlsplit(_provider_login(provider, start.location, sub))
    done = client.get(f"{callback.path}?{callback.query}")
    return client, done


def test_the_login_page_offers_single_sign_on(sso_app):
    page = sso_app.test_client().get("/login").get_data(as_text=True)
    assert "/login/sso" in page and 'name="password"' in page


def test_an_account_is_linked_by_its_verified_email(sso_app, provider, db, make):
    user = make.user(Role.INSPECTOR, email="nguyen.van.a@hanoi.example")
    db.session.commit()
    _set_user(provider, "idp-a", email="nguyen.van.a@hanoi.example", email_verified=True, name="Nguyễn Văn A")
    client, done = _sign_in(sso_app, provider, "idp-a")
    assert done.status_code == 302 and done.location.endswith("/")
    assert client.get("/").status_code == 200
    link = db.session.scalar(sa.select(ExternalIdentity))
    assert link.user_id == user.id and link.subject == "idp-a" and link.issuer == provider


def test_an_unverified_email_links_nothing(sso_app, provider, db, make):
    make.user(Role.INSPECTOR, email="b@hanoi.example")
    db.session.commit()
    _set_user(provider, "idp-b", email="b@hanoi.example", email_verified=False)
    client, done = _sign_in(sso_app, provider, "idp-b")
    assert done.location.endswith("/login")
    assert client.get("/").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(ExternalIdentity.id))) == 0


def test_roles_follow_the_mapped_claim_and_a_mapped_newcomer_gets_an_account(sso_app, provider, db, make):
    user = make.user(Role.INSPECTOR, email="c@hanoi.example")
    db.session.commit()
    _set_user(provider, "idp-c", email="c@hanoi.example", email_verified=True, groups=["cchc-coordinators"])
    _sign_in(sso_app, provider, "idp-c")
    db.session.expire_all()
    assert db.session.get(User, user.id).role == Role.COORDINATOR
    _set_user(provider, "idp-new", email="new@hanoi.example", email_verified=True, groups=["cchc-observers"])
    client, _done = _sign_in(sso_app, provider, "idp-new")
    assert client.get("/").status_code == 200
    newcomer = db.session.scalar(sa.select(User).where(User.email == "new@hanoi.example"))
    assert newcomer.role == Role.OBSERVER
    _set_user(provider, "idp-stranger", email="x@elsewhere.example", email_verified=True)
    _client, refused = _sign_in(sso_app, provider, "idp-stranger")
    assert refused.location.endswith("/login")


def _provider_jwt(provider, sub) -> str:
    """An access JWT of the provider (its ID token: signed with its JWKS, aud = our client)."""
    authorize = requests.get(
        f"{provider}/oauth2/authorize",
        params={
            "client_id": CLIENT_ID,
            "response_type": "code",
            "scope": "openid email",
            "redirect_uri": "http://127.0.0.1/cb",
            "nonce": "n",
        },  # fmt: skip
        timeout=5,
    ).url
    code = parse_qs(urlsplit(_provider_login(provider, authorize, sub)).query)["code"][0]
    token = requests.post(
        f"{provider}/oauth2/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1/cb"},
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=5,
    ).json()
    return token["id_token"]


def test_the_provider_s_jwt_is_a_bearer_token_on_the_api(sso_app, provider, db, make):
    make.user(Role.OBSERVER, email="d@hanoi.example")
    db.session.commit()
    _set_user(provider, "idp-d", email="d@hanoi.example", email_verified=True)
    jwt = _provider_jwt(provider, "idp-d")
    api = sso_app.test_client()
    assert api.get("/api/v1/plans", headers={"Authorization": f"Bearer {jwt}"}).status_code == 200
    tampered = jwt[:-4] + ("AAAA" if not jwt.endswith("AAAA") else "BBBB")
    assert api.get("/api/v1/plans", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401
    # Without the write scope, a read only.
    answer = api.post(
        "/api/v1/actions/1/report", json={"text": "x"}, headers={"Authorization": f"Bearer {jwt}"}
    )
    assert answer.status_code == 403
