"""Two-factor login (TOTP): enrolment with a QR code, login with a code, codes that work
once, recovery codes, roles that must use it, and throttling like passwords."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from inspections import create_app
from inspections.audit.models import AuditEvent
from inspections.auth import totp
from inspections.auth.models import RecoveryCode, Role, User
from inspections.extensions import limiter
from tests.conftest import IsolatedClient, csrf_token, settings_for
from tests.factories import PASSWORD

SECRET_RE = re.compile(r"<code>([A-Z2-7]{16,})</code>")
CODES_RE = re.compile(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>")


def _code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def _password(client, username):
    return client.post(
        "/login", data={"csrf_token": csrf_token(client), "username": username, "password": PASSWORD}
    )


def _second(client, code):
    return client.post(
        "/login/two-factor", data={"csrf_token": csrf_token(client, "/login/two-factor"), "code": code}
    )


def _enrol(client, login, user) -> tuple[str, list[str]]:
    assert login(user.username).status_code == 302
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page  # the QR code, inline: no script, no request
    secret = SECRET_RE.search(page).group(1)
    answer = client.post(
        "/account/two-factor/enable",
        data={"csrf_token": csrf_token(client, "/account/two-factor"), "code": _code(secret)},
    )
    assert answer.status_code == 200
    codes = CODES_RE.findall(answer.get_data(as_text=True))
    assert len(codes) == 10
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    return secret, codes


def test_enrolment_then_login_asks_for_the_code(db, make, client, login):
    user = make.user(Role.OBSERVER)
    db.session.commit()
    secret, _codes = _enrol(client, login, user)
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.totp_enabled_at is not None
    assert db.session.scalar(sa.select(sa.func.count(RecoveryCode.id))) == 10
    assert all(secret not in str(e.after) for e in db.session.scalars(sa.select(AuditEvent)))

    first = _password(client, user.username)
    assert first.status_code == 302 and first.location.endswith("/login/two-factor")
    assert client.get("/").status_code == 302  # not logged in before the second factor
    assert _second(client, "000000").status_code == 200
    assert client.get("/").status_code == 302
    assert _second(client, _code(secret, 1)).status_code == 302
    assert client.get("/").status_code == 200


def test_a_code_is_accepted_only_once(db, make, client, login):
    user = make.user(Role.OBSERVER)
    db.session.commit()
    secret, _codes = _enrol(client, login, user)
    code = _code(secret, 1)
    _password(client, user.username)
    assert _second(client, code).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    _password(client, user.username)
    assert _second(client, code).status_code == 200  # replayed: refused
    assert client.get("/").status_code == 302


def test_a_recovery_code_logs_in_once(db, make, client, login):
    user = make.user(Role.OBSERVER)
    db.session.commit()
    _secret, codes = _enrol(client, login, user)
    _password(client, user.username)
    assert _second(client, codes[0]).status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    _password(client, user.username)
    assert _second(client, codes[0]).status_code == 200  # used up
    assert _second(client, codes[1].upper().replace("-", " ")).status_code == 302
    used = db.session.scalar(
        sa.select(sa.func.count(RecoveryCode.id)).where(RecoveryCode.used_at.is_not(None))
    )
    assert used == 2


def test_a_required_role_enrols_at_its_first_login(app, db, make, client):
    app.config["TOTP_REQUIRED_ROLES"] = ("admin", "coordinator")
    admin, observer = make.user(Role.ADMIN), make.user(Role.OBSERVER)
    db.session.commit()
    assert _password(client, observer.username).location.endswith("/")  # not required: in at once
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    assert _password(client, admin.username).location.endswith("/login/two-factor")
    page = client.get("/login/two-factor").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    secret = SECRET_RE.search(page).group(1)
    assert _second(client, "123456").status_code == 200
    done = _second(client, _code(secret))
    assert done.status_code == 200 and len(CODES_RE.findall(done.get_data(as_text=True))) == 10
    assert client.get("/").status_code == 200
    # It cannot be turned off by a role that must use it.
    client.post(
        "/account/two-factor/disable",
        data={"csrf_token": csrf_token(client, "/account/two-factor"), "code": _code(secret, 1)},
    )
    db.session.expire_all()
    assert db.session.get(User, admin.id).totp_enabled_at is not None


def test_off_by_default_for_tests_and_demo_on_in_production(app):
    with app.app_context():
        assert app.config["TOTP_REQUIRED_ROLES"] is None and totp.required_roles() == ()
        app.testing = False
        app.config["PROFILE"] = "development"
        assert totp.required_roles() == ()
        app.config["PROFILE"] = "production"
        assert totp.required_roles() == ("admin", "coordinator")
        app.config["TOTP_REQUIRED_ROLES"] = ()
        assert totp.required_roles() == ()
        app.testing = True


@pytest.fixture
def throttled(migrated, instance_dir, app):
    settings = settings_for(migrated, instance_dir) | {
        "RATELIMIT_ENABLED": True,
        "TWO_FACTOR_LIMIT_PER_ACCOUNT": "3 per minute",
    }
    throttled = create_app(settings, instance_path=str(instance_dir))
    throttled.test_client_class = IsolatedClient
    with throttled.app_context():
        limiter.reset()
    yield throttled
    with throttled.app_context():
        limiter.reset()


def test_wrong_codes_are_throttled_like_passwords(throttled, db, make):
    user = make.user(Role.OBSERVER)
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = user.created_at
    db.session.commit()
    client = throttled.test_client()
    _password(client, user.username)
    answers = [_second(client, "000000").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert _second(client, _code(user.totp_secret)).status_code == 429  # even the right one waits
