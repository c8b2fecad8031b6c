"""A one-time link to set the password: mailed through the outbox, works once, expires."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.auth.models import Role, User
from inspections.auth.services import end_sessions, send_password_link
from inspections.outbox.models import Notification
from inspections.outbox.render import render
from inspections.units.models import Language
from tests.conftest import csrf_token
from tests.factories import PASSWORD

NEW_PASSWORD = "a new long password"


def _queued_link(make, user: User) -> tuple[Notification, str]:
    send_password_link(user, actor=None, reason="reset")
    make.db.session.commit()
    row = make.db.session.scalars(sa.select(Notification).where(Notification.kind == "password_link")).one()
    return row, row.context["action_path"]


def _set(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    token = csrf_token(client, path)
    return client.post(path, data={"csrf_token": token, "password": password, "confirm": confirm or password})


def _english(client) -> None:
    with client.session_transaction() as session:
        session["language"] = "en"


def test_the_mail_carries_a_link_that_sets_the_password_once(app, client, login, make):
    user = make.user(Role.COORDINATOR, username="lan", language=Language.EN)
    make.db.session.commit()
    row, path = _queued_link(make, user)

    with app.app_context():
        message = render(make.db.session.get(Notification, row.id))
    text = message.get_body(("plain",)).get_content()
    assert message["To"].addresses[0].addr_spec == user.email
    assert "lan" in text and "http://127.0.0.1:5000" + path in text
    assert row.deadline_at is not None

    _english(client)
    page = client.get(path)
    assert page.status_code == 200 and "Set your password" in page.get_data(as_text=True)
    response = _set(client, path)
    assert response.status_code == 302 and response.location == "/login"

    assert login("lan", NEW_PASSWORD).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    _english(client)
    again = client.get(path)
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)
    assert _set(client, path, "yet another password").status_code == 410
    assert login("lan", "yet another password").status_code == 200  # refused


def test_an_inactive_account_cannot_log_in_until_its_link_is_used(client, login, make):
    user = make.user(Role.INSPECTOR, username="minh")
    user.active = False
    make.db.session.commit()
    _row, path = _queued_link(make, user)

    assert login("minh").status_code == 200
    assert _set(client, path).status_code == 302
    make.db.session.expire_all()
    assert make.db.session.get(User, user.id).active
    assert login("minh", NEW_PASSWORD).status_code == 302


def test_the_link_ends_every_other_session(app, client, make):
    user = make.user(Role.COORDINATOR, username="lan")
    make.db.session.commit()
    _row, path = _queued_link(make, user)
    elsewhere, here = client, app.test_client()
    token = csrf_token(elsewhere)
    elsewhere.post("/login", data={"csrf_token": token, "username": "lan", "password": PASSWORD})
    assert elsewhere.get("/").status_code == 200

    assert _set(here, path).status_code == 302
    assert elsewhere.get("/").status_code == 302  # logged out


def test_an_expired_link_says_so_and_changes_nothing(app, client, make):
    user = make.user(Role.COORDINATOR, username="lan")
    make.db.session.commit()
    before = user.password_hash
    _row, path = _queued_link(make, user)
    app.config["PASSWORD_LINK_MAX_AGE"] = timedelta(seconds=-1)

    _english(client)
    page = client.get(path)
    assert page.status_code == 410 and "expired" in page.get_data(as_text=True)
    token = csrf_token(client, "/login")
    data = {"csrf_token": token, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    response = client.post(path, data=data)
    assert response.status_code == 410
    make.db.session.expire_all()
    assert make.db.session.get(User, user.id).password_hash == before


def test_ending_the_sessions_or_deactivating_kills_the_link(client, make):
    user = make.user(Role.COORDINATOR, username="lan")
    make.db.session.commit()
    _row, path = _queued_link(make, user)
    end_sessions(user, actor=None, reason="test")
    make.db.session.commit()

    assert client.get(path).status_code == 410


def test_a_tampered_link_is_not_found(client, make):
    user = make.user(Role.COORDINATOR, username="lan")
    make.db.session.commit()
    _row, path = _queued_link(make, user)

    assert client.get(path[:-3] + "xyz").status_code == 404
    assert client.get("/auth/set-password/nonsense").status_code == 404


def test_a_short_or_mismatched_password_is_refused_and_the_link_still_works(client, make):
    user = make.user(Role.COORDINATOR, username="lan")
    make.db.session.commit()
    _row, path = _queued_link(make, user)

    _english(client)
    short = _set(client, path, "short")
    assert short.status_code == 200
    assert "Between 10 and 256 characters." in short.get_data(as_text=True)
    mismatch = _set(client, path, NEW_PASSWORD, "something else entirely")
    assert mismatch.status_code == 200
    assert "The two passwords differ." in mismatch.get_data(as_text=True)
    assert client.get(path).status_code == 200  # not used up
    assert _set(client, path).status_code == 302


def test_sending_a_link_is_audited(make):
    user = make.user(Role.COORDINATOR)
    make.db.session.commit()
    _queued_link(make, user)
    event = make.db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "user.send_password_link")
    ).one()
    assert event.after["reason"] == "reset"


@pytest.mark.parametrize("language", list(Language))
def test_the_mail_renders_in_both_languages(app, make, language):
    user = make.user(Role.INSPECTOR, username="minh", full_name="Trần Minh", language=language)
    make.db.session.commit()
    row, path = _queued_link(make, user)
    with app.app_context():
        message = render(make.db.session.get(Notification, row.id))
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert ("Kính gửi" if language == Language.VI else "Dear") in text
    assert path in text and path in html and "minh" in text
    assert row.language == language
