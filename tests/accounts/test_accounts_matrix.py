"""Every route of the users admin × every role: only an admin gets in (policy.can_manage_users)."""

from __future__ import annotations

import pytest

from inspections.auth.models import Role, User
from tests.conftest import csrf_token

ROUTES = [
    ("GET", "/admin/users/"),
    ("GET", "/admin/users/new"),
    ("POST", "/admin/users/new"),
    ("GET", "/admin/users/{target}"),
    ("POST", "/admin/users/{target}/role"),
    ("POST", "/admin/users/{target}/deactivate"),
    ("POST", "/admin/users/{target}/reactivate"),
    ("POST", "/admin/users/{target}/password-link"),
    ("POST", "/admin/users/{target}/end-sessions"),
]
OUTSIDERS = ["anonymous", Role.COORDINATOR, Role.OBSERVER, Role.INSPECTOR, Role.UNIT_CONTACT]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_but_an_admin_gets_in(make, client, login, who):
    target = make.user(Role.INSPECTOR)
    if who != "anonymous":
        make.user(who, username="someone")
    make.db.session.commit()
    if who != "anonymous":
        assert login("someone").status_code == 302
    for method, path in ROUTES:
        url = path.format(target=target.id)
        if method == "POST":
            response = client.post(url, data={"csrf_token": csrf_token(client)})
        else:
            response = client.get(url)
        expected = 302 if who == "anonymous" else 403
        assert response.status_code == expected, f"{who} {method} {url}"
        if who == "anonymous":
            assert "/login" in response.location
    make.db.session.expire_all()
    assert make.db.session.get(User, target.id).active


def test_an_unknown_account_is_not_found(make, client, login):
    make.user(Role.ADMIN, username="boss")
    make.db.session.commit()
    login("boss")
    assert client.get("/admin/users/9999").status_code == 404
    assert (
        client.post("/admin/users/9999/deactivate", data={"csrf_token": csrf_token(client)}).status_code
        == 404
    )
