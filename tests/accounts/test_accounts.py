"""The users admin: list, create (inactive until the mailed link), role and home unit,
deactivate and reactivate, a password link, ending sessions; every change audited."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from inspections.accounts.services import change_role, deactivate
from inspections.audit.models import AuditEvent
from inspections.auth.models import Role, User
from inspections.errors import Conflict
from inspections.outbox.models import Notification
from inspections.units.models import Language
from tests.conftest import csrf_token
from tests.factories import PASSWORD


@pytest.fixture
def admin(make, login):
    user = make.user(Role.ADMIN, username="boss", full_name="Quản Trị", language=Language.EN)
    make.db.session.commit()
    login("boss")
    return user


def _post(client, path: str, data: dict | None = None, *, follow: bool = False):
    token = csrf_token(client, "/admin/users/")
    return client.post(path, data={"csrf_token": token, **(data or {})}, follow_redirects=follow)


def _names(page: str) -> list[str]:
    return re.findall(r'data-label="Full name"[^>]*><a href="[^"]+">([^<]+)</a>', page)


def _events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_only_admins_reach_the_users_admin(make, client, login):
    target = make.user(Role.INSPECTOR)
    make.user(Role.COORDINATOR, username="coord")
    make.db.session.commit()
    login("coord")

    assert client.get("/admin/users/").status_code == 403
    assert client.get(f"/admin/users/{target.id}").status_code == 403
    token = csrf_token(client, "/")
    response = client.post(f"/admin/users/{target.id}/deactivate", data={"csrf_token": token})
    assert response.status_code == 403
    make.db.session.expire_all()
    assert make.db.session.get(User, target.id).active


def test_the_list_filters_by_text_role_unit_and_state(admin, make, client):
    unit = make.unit(code="HD", name="Quận Hà Đông")
    make.user(Role.UNIT_CONTACT, full_name="Trần Thị Bình", home_unit_id=unit.id)
    make.user(Role.INSPECTOR, full_name="Lê Văn Cường", email="cuong@sonoi.example")
    off = make.user(Role.INSPECTOR, full_name="Phạm Đức Dũng")
    off.active = False
    make.db.session.commit()

    page = client.get("/admin/users/").get_data(as_text=True)
    assert _names(page) == ["Lê Văn Cường", "Phạm Đức Dũng", "Quản Trị", "Trần Thị Bình"]
    assert 'class="table stack' in page
    assert _names(client.get("/admin/users/?q=SONOI").get_data(as_text=True)) == ["Lê Văn Cường"]
    assert _names(client.get("/admin/users/?role=inspector").get_data(as_text=True)) == [
        "Lê Văn Cường",
        "Phạm Đức Dũng",
    ]
    assert _names(client.get("/admin/users/?unit=hd").get_data(as_text=True)) == ["Trần Thị Bình"]
    assert _names(client.get("/admin/users/?active=0").get_data(as_text=True)) == ["Phạm Đức Dũng"]
    unknown = client.get("/admin/users/?unit=NOPE")
    assert unknown.status_code == 200 and "No unit has the code NOPE." in unknown.get_data(as_text=True)
    assert client.get("/admin/users/?role=emperor&active=maybe").status_code == 200


def test_the_list_pages_by_keyset(admin, make, client):
    for n in range(60):
        make.user(Role.OBSERVER, full_name=f"Người {n:02d}")
    make.db.session.commit()

    seen, url = [], "/admin/users/?role=observer"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += _names(page)
        found = re.search(r'rel="next" href="([^"]+)"', page)
        url = found[1].replace("&amp;", "&") if found else None
    assert seen == [f"Người {n:02d}" for n in range(60)]


def test_a_new_account_waits_for_its_link(admin, make, client, login):
    unit = make.unit(code="GL")
    make.db.session.commit()
    response = _post(
        client,
        "/admin/users/new",
        {"full_name": "Nguyễn Văn An", "username": "an", "email": "An@Unit.Example", "role": "unit_contact",
         "unit": "GL", "language": "vi"},
    )  # fmt: skip
    assert response.status_code == 302
    user = make.db.session.scalars(sa.select(User).where(User.username == "an")).one()
    assert not user.active and user.home_unit_id == unit.id and user.role == Role.UNIT_CONTACT
    mail = make.db.session.scalars(sa.select(Notification).where(Notification.kind == "password_link")).one()
    assert mail.recipient_email == user.email and mail.recipient_user_id == user.id
    created = _events(make.db, "user.create")[-1]
    assert created.actor_id == admin.id and created.after["active"] is False
    assert _events(make.db, "user.send_password_link")[-1].after["reason"] == "invite"

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    path = mail.context["action_path"]
    token = csrf_token(client, path)
    client.post(
        path, data={"csrf_token": token, "password": "a long new password", "confirm": "a long new password"}
    )
    assert login("an", "a long new password").status_code == 302


def test_bad_input_to_create_says_why_and_makes_nothing(admin, make, client):
    taken = {
        "full_name": "A",
        "username": "boss",
        "email": "x@test.example",
        "role": "observer",
        "language": "vi",
    }
    response = _post(client, "/admin/users/new", taken)
    assert response.status_code == 422
    assert "That username or email is already in use." in response.get_data(as_text=True)

    contact = taken | {"username": "new1", "role": "unit_contact"}
    response = _post(client, "/admin/users/new", contact)
    assert response.status_code == 422
    assert "A unit contact must belong to a unit" in response.get_data(as_text=True)

    no_unit = contact | {"unit": "NOPE"}
    response = _post(client, "/admin/users/new", no_unit)
    assert response.status_code == 422 and "No unit has the code NOPE." in response.get_data(as_text=True)

    bad_mail = taken | {"username": "new2", "email": "not an address"}
    response = _post(client, "/admin/users/new", bad_mail)
    assert response.status_code == 422 and "Enter a valid email address." in response.get_data(as_text=True)

    count = make.db.session.scalar(sa.select(sa.func.count()).select_from(User))
    assert count == 1
    assert make.db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_role_and_home_unit_change_is_audited(admin, make, client):
    unit = make.unit(code="BD", name="Quận Ba Đình")
    user = make.user(Role.INSPECTOR)
    make.db.session.commit()

    response = _post(
        client, f"/admin/users/{user.id}/role", {"role": "unit_contact", "unit": "BD"}, follow=True
    )
    assert "The role and home unit are saved." in response.get_data(as_text=True)
    make.db.session.expire_all()
    changed = make.db.session.get(User, user.id)
    assert changed.role == Role.UNIT_CONTACT and changed.home_unit_id == unit.id
    event = _events(make.db, "user.set_role")[-1]
    assert event.before == {"role": "inspector", "home_unit_id": None}
    assert event.after == {"role": "unit_contact", "home_unit_id": unit.id}

    refused = _post(client, f"/admin/users/{user.id}/role", {"role": "unit_contact", "unit": ""}, follow=True)
    assert "A unit contact must belong to a unit" in refused.get_data(as_text=True)
    make.db.session.expire_all()
    assert make.db.session.get(User, user.id).home_unit_id == unit.id


def test_an_admin_keeps_the_role_and_the_account(admin, make, client):
    response = _post(client, f"/admin/users/{admin.id}/role", {"role": "observer"}, follow=True)
    assert "You cannot take away your own administrator role." in response.get_data(as_text=True)
    response = _post(client, f"/admin/users/{admin.id}/deactivate", follow=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    make.db.session.expire_all()
    me = make.db.session.get(User, admin.id)
    assert me.role == Role.ADMIN and me.active


def test_deactivation_ends_sessions_and_reactivation_lets_back_in(app, admin, make, client):
    user = make.user(Role.COORDINATOR, username="lan")
    make.db.session.commit()
    other = app.test_client()
    other.post("/login", data={"csrf_token": csrf_token(other), "username": "lan", "password": PASSWORD})
    assert other.get("/").status_code == 200

    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert re.search(r'data-confirm="[^"]+"[^>]*>\s*<input[^>]+csrf_token', page)
    response = _post(client, f"/admin/users/{user.id}/deactivate", follow=True)
    assert "The account is deactivated" in response.get_data(as_text=True)
    assert other.get("/").status_code == 302
    token = csrf_token(other)
    assert (
        other.post("/login", data={"csrf_token": token, "username": "lan", "password": PASSWORD}).status_code
        == 200
    )
    assert _events(make.db, "user.set_active")[-1].after == {"active": False}

    _post(client, f"/admin/users/{user.id}/reactivate")
    token = csrf_token(other)
    assert (
        other.post("/login", data={"csrf_token": token, "username": "lan", "password": PASSWORD}).status_code
        == 302
    )


def test_a_password_link_and_ending_sessions(app, admin, make, client):
    user = make.user(Role.COORDINATOR, username="lan")
    make.db.session.commit()
    other = app.test_client()
    other.post("/login", data={"csrf_token": csrf_token(other), "username": "lan", "password": PASSWORD})

    response = _post(client, f"/admin/users/{user.id}/password-link", follow=True)
    assert "A one-time link to set the password is queued" in response.get_data(as_text=True)
    mail = make.db.session.scalars(sa.select(Notification).where(Notification.kind == "password_link")).one()
    assert mail.recipient_email == user.email
    assert other.get("/").status_code == 200  # a reset link alone ends nothing

    _post(client, f"/admin/users/{user.id}/end-sessions")
    assert other.get("/").status_code == 302
    event = _events(make.db, "user.end_sessions")[-1]
    assert event.actor_id == admin.id and event.object_id == user.id


def test_a_post_without_its_token_changes_nothing(admin, make, client):
    user = make.user(Role.COORDINATOR)
    make.db.session.commit()
    assert client.post(f"/admin/users/{user.id}/deactivate").status_code == 400
    assert client.post(f"/admin/users/{user.id}/role", data={"role": "admin"}).status_code == 400
    make.db.session.expire_all()
    again = make.db.session.get(User, user.id)
    assert again.active and again.role == Role.COORDINATOR


def test_the_last_active_administrator_stays(make, in_request):
    only = make.user(Role.ADMIN)
    caller = make.user(Role.COORDINATOR)  # the rule is the service's, whoever calls it
    with force_locale("en"), pytest.raises(Conflict, match="last active administrator"):
        deactivate(only, actor=caller)
    with force_locale("en"), pytest.raises(Conflict, match="last active administrator"):
        change_role(only, role=Role.OBSERVER, unit=None, actor=caller)
    assert only.active and only.role == Role.ADMIN
    second = make.user(Role.ADMIN)
    deactivate(only, actor=second)
    assert not only.active
