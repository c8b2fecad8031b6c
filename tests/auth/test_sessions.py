"""Sessions end on the server: logout, a new password and deactivation end every copy."""

from __future__ import annotations

from inspections.auth.models import Role
from inspections.auth.services import set_active, set_password
from tests.conftest import csrf_token
from tests.factories import PASSWORD


def _logged_in(client, login, make, db):
    user = make.user(Role.COORDINATOR)
    db.session.commit()
    assert login(user.username).status_code == 302
    assert client.get("/plans/").status_code == 200
    return user, client.get_cookie("session").value


def _with_cookie(app, value: str):
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def test_a_cookie_copied_before_logout_opens_nothing_after_it(app, client, login, make, db):
    _, copied = _logged_in(client, login, make, db)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/plans/")})
    stolen = _with_cookie(app, copied)
    answer = stolen.get("/plans/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_logout_ends_the_sessions_on_other_devices_too(app, client, login, make, db):
    user, _ = _logged_in(client, login, make, db)
    laptop = app.test_client()
    form = {"csrf_token": csrf_token(laptop), "username": user.username, "password": PASSWORD}
    laptop.post("/login", data=form)
    assert laptop.get("/plans/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/plans/")})
    assert laptop.get("/plans/").status_code == 302


def test_a_new_password_ends_every_session(app, client, login, make, db):
    user, copied = _logged_in(client, login, make, db)
    set_password(user, "a brand new password", actor=None)
    db.session.commit()
    assert client.get("/plans/").status_code == 302
    assert _with_cookie(app, copied).get("/plans/").status_code == 302


def test_deactivation_ends_every_session(app, client, login, make, db):
    user, _ = _logged_in(client, login, make, db)
    set_active(user, False, actor=None)
    db.session.commit()
    assert client.get("/plans/").status_code == 302
    assert login(user.username).status_code == 200  # and no new one starts


def test_strong_protection_logs_out_a_session_moved_to_another_browser(app, client, login, make, db):
    _, copied = _logged_in(client, login, make, db)
    elsewhere = _with_cookie(app, copied)
    answer = elsewhere.get("/plans/", headers={"User-Agent": "Another browser/1.0"})
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_the_session_cookie_is_a_browser_session_cookie(client, login, make, db):
    user = make.user(Role.OBSERVER)
    db.session.commit()
    response = login(user.username)
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" not in cookie and "Max-Age" not in cookie
