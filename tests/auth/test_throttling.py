"""Refused logins are throttled per account and per client address, with a clear page."""

from __future__ import annotations

import pytest

from inspections import create_app
from inspections.auth.models import Role
from inspections.extensions import limiter
from tests.conftest import IsolatedClient, csrf_token, settings_for
from tests.factories import PASSWORD


@pytest.fixture
def throttled(migrated, instance_dir, app):
    """An app with throttling on (the suite's apps have it off)."""
    settings = settings_for(migrated, instance_dir) | {
        "RATELIMIT_ENABLED": True,
        "LOGIN_LIMIT_PER_ACCOUNT": "5 per minute",
        "LOGIN_LIMIT_PER_ADDRESS": "12 per minute",
    }
    throttled = create_app(settings, instance_path=str(instance_dir))
    throttled.test_client_class = IsolatedClient
    with throttled.app_context():
        limiter.reset()
    yield throttled
    with throttled.app_context():
        limiter.reset()


WRONG = "wrong password!"


def _attempt(client, username: str, password: str = WRONG, address: str = "203.0.113.7"):
    return client.post(
        "/login",
        data={"csrf_token": csrf_token(client), "username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_an_account_is_throttled_after_five_refusals(throttled, make, db):
    user = make.user(Role.OBSERVER)
    db.session.commit()
    client = throttled.test_client()
    assert [_attempt(client, user.username).status_code for _ in range(5)] == [200] * 5
    sixth = _attempt(client, user.username, password=PASSWORD)  # even the right password waits
    assert sixth.status_code == 429
    assert "Bạn đã thử quá nhiều lần" in sixth.get_data(as_text=True)
    # From another address, the same account is still held back.
    assert _attempt(throttled.test_client(), user.username, address="198.51.100.2").status_code == 429
    # Another account from the first address is not.
    other = make.user(Role.OBSERVER)
    db.session.commit()
    assert _attempt(client, other.username, password=PASSWORD).status_code == 302


def test_an_address_is_throttled_across_accounts(throttled, make, db):
    client = throttled.test_client()
    answers = [_attempt(client, f"nobody{n}").status_code for n in range(13)]
    assert answers[:12] == [200] * 12 and answers[12] == 429


def test_successful_logins_do_not_count(throttled, make, db):
    user = make.user(Role.OBSERVER)
    db.session.commit()
    for _ in range(8):
        client = throttled.test_client()
        assert _attempt(client, user.username, password=PASSWORD).status_code == 302
