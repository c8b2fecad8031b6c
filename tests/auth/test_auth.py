from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from flask_wtf.csrf import generate_csrf  # noqa: F401 - documents where tokens come from

from inspections.auth.models import Role, User
from inspections.web import local_path
from tests.conftest import csrf_token
from tests.factories import PASSWORD


def test_login_and_logout(client, login, make):
    make.user(Role.COORDINATOR, username="lan")
    make.db.session.commit()

    response = login("lan")
    assert response.status_code == 302
    assert response.location == "/"
    assert client.get("/").status_code == 200

    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # back to the login page


def test_wrong_password_and_unknown_user_get_the_same_answer(client, login, make):
    make.user(username="lan")
    make.db.session.commit()

    wrong = login("lan", "not the password")
    unknown = login("nobody", "not the password")

    assert wrong.status_code == unknown.status_code == 200
    for response in (wrong, unknown):
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def test_an_empty_form_says_what_is_missing(client):
    response = client.post("/login", data={"csrf_token": csrf_token(client), "username": "", "password": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vui lòng nhập tên đăng nhập." in body
    assert "Vui lòng nhập mật khẩu." in body


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_10_mb_field_gets_a_clear_message_not_a_500(client, content_type):
    response = client.post(
        "/login",
        data={"csrf_token": csrf_token(client), "username": "x" * (10 * 1024 * 1024), "password": "p"},
        content_type=content_type,
    )
    assert response.status_code == 413
    assert "vượt quá giới hạn cho phép" in response.get_data(as_text=True)


def test_an_overlong_username_is_refused_in_vietnamese(client):
    response = client.post(
        "/login", data={"csrf_token": csrf_token(client), "username": "x" * 81, "password": "p"}
    )
    assert "Tối đa 80 ký tự." in response.get_data(as_text=True)


def test_a_post_without_csrf_token_is_refused(client, make):
    make.user(username="lan")
    make.db.session.commit()

    response = client.post("/login", data={"username": "lan", "password": PASSWORD})

    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not logged in


def test_logout_needs_a_post_with_a_token(client, login, make):
    make.user(username="lan")
    make.db.session.commit()
    login("lan")

    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200  # still logged in


def test_an_inactive_user_cannot_log_in(client, login, make):
    user = make.user(username="lan")
    user.active = False
    make.db.session.commit()

    response = login("lan")
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def test_passwords_are_stored_as_argon2id(make):
    user = make.user(username="lan")
    assert user.password_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(user.password_hash, PASSWORD)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/plans/1", "/plans/1"),
        ("/plans/?year=2019", "/plans/?year=2019"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("http:/evil.example", "/"),
        ("", "/"),
    ],
)
def test_next_goes_only_to_local_paths(target, expected):
    assert local_path(target, "/") == expected


def test_login_follows_a_local_next_and_ignores_a_foreign_one(client, make):
    make.user(username="lan")
    make.db.session.commit()

    for target, expected in (("/plans/", "/plans/"), ("https://evil.example/x", "/")):
        client.get("/")  # fresh page, fresh token
        response = client.post(
            "/login",
            data={
                "csrf_token": csrf_token(client, f"/login?next={target}"),
                "username": "lan",
                "password": PASSWORD,
                "next": target,
            },
        )
        assert response.location == expected
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def test_session_expires_after_the_absolute_lifetime(app, client, login, make):
    make.user(username="lan")
    make.db.session.commit()
    login("lan")
    with client.session_transaction() as session:
        session["auth_at"] -= app.config["SESSION_ABSOLUTE_LIFETIME"].total_seconds() + 1

    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.location


def test_users_create_command(runner, db):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "hoa",
            "--email",
            "hoa@test.example",
            "--name",
            "Trịnh Thị Hoa",
            "--role",
            "coordinator",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.username == "hoa"))
    assert user.role == Role.COORDINATOR


def test_users_create_refuses_a_short_password(runner, db):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "hoa",
            "--email",
            "hoa@test.example",
            "--name",
            "Hoa",
            "--role",
            "observer",
            "--password",
            "short",
        ]
    )
    assert result.exit_code != 0
    assert db.session.scalar(db.select(User).where(User.username == "hoa")) is None
