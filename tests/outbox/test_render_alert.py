"""A mail that cannot be made from its row is failed by the dispatcher, and the admin is told:
a banner on the outbox page and a count on the System page. Pages that page through the
outbox take any page number."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest

from inspections.auth.models import Role
from inspections.outbox.dispatch import dispatch_due, render_failures
from inspections.outbox.mailer import FolderTransport
from inspections.outbox.models import Notification, NotificationStatus
from inspections.outbox.services import enqueue
from inspections.units.models import Language


def _unrenderable(key: str = "broken") -> Notification:
    """A row whose context the template cannot use: a moment that is not one."""
    return enqueue(
        key=key,
        kind="sending_paused",
        email="admin@so-noi-vu.example",
        context={"paused_at": "not a moment", "error": 535},
    )


def test_an_unrenderable_row_is_failed_and_shown_to_the_admin(app, db, make, client, login, tmp_path):
    admin = make.user(Role.ADMIN, language=Language.EN)
    row = _unrenderable()
    db.session.commit()
    result = dispatch_due(transport=FolderTransport(tmp_path))
    assert result.failed == 1 and not list(tmp_path.iterdir())
    db.session.expire_all()
    row = db.session.get(Notification, row.id)
    assert row.status == NotificationStatus.FAILED and row.last_error.startswith("render: ")
    assert render_failures().count == 1

    login(admin.username)
    page = client.get("/admin/outbox").get_data(as_text=True)
    banner = page.split('id="render-failures"')[1].split("</div>")[0]
    # The kind by its name, not its code.
    assert f"#{row.id} Sending paused" in banner and "admin@so-noi-vu.example" in banner
    assert 'href="/admin/outbox?status=failed"' in banner
    status = client.get("/admin/system").get_data(as_text=True)
    assert 'id="render-failures"' in status and ">1 " in status.split('id="render-failures"')[1][:5]


def test_no_banner_while_every_mail_renders(app, db, make, client, login):
    admin = make.user(Role.ADMIN)
    failed = enqueue(key="bounced", kind="action_due", email="u@unit.example")
    failed.status, failed.last_error = NotificationStatus.FAILED, "550 5.1.1 no such user"
    db.session.commit()
    login(admin.username)
    assert 'id="render-failures"' not in client.get("/admin/outbox").get_data(as_text=True)
    assert 'id="render-failures"' not in client.get("/admin/system").get_data(as_text=True)


def test_a_row_sent_again_leaves_the_banner(app, db, make, client, login, tmp_path):
    admin = make.user(Role.ADMIN)
    row = _unrenderable()
    db.session.commit()
    dispatch_due(transport=FolderTransport(tmp_path))
    login(admin.username)
    page = client.get("/admin/outbox")
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post(f"/admin/outbox/{row.id}/resend", data={"csrf_token": token}).status_code == 302
    assert 'id="render-failures"' not in client.get("/admin/outbox").get_data(as_text=True)


def test_a_name_stored_with_a_line_break_still_gets_its_mail(app, db, tmp_path):
    """Names are refused with control characters now; a row written before still goes out."""
    enqueue(
        key="old-name",
        kind="sending_paused",
        email="lan@hadong.example",
        name="Nguyễn Thị Lan\r\nBcc: everyone@evil.example",
        context={"paused_at": "2019-05-06T08:00:00+00:00", "error": "535"},
    )
    db.session.commit()
    assert dispatch_due(transport=FolderTransport(tmp_path)).sent == 1
    (sent,) = Path(tmp_path).iterdir()
    message = message_from_bytes(sent.read_bytes(), policy=policy.default)
    (to,) = message["To"].addresses
    assert to.addr_spec == "lan@hadong.example" and to.display_name.startswith("Nguyễn Thị Lan Bcc:")
    assert message["Bcc"] is None and "\r\nBcc" not in sent.read_text(errors="replace")


@pytest.mark.parametrize("after", ["99999999999999999999", "2147483648", "0", "-1", "²", "x", "WyJ4IiwxXQ"])
def test_the_outbox_pager_takes_any_cursor(app, db, make, client, login, after):
    admin = make.user(Role.ADMIN)
    enqueue(key="one", kind="action_due", email="u@unit.example")
    db.session.commit()
    login(admin.username)
    response = client.get(f"/admin/outbox?after={after}")
    assert response.status_code == 200


@pytest.mark.parametrize("status", ["%20", "no_such_status", "%00"])
def test_the_outbox_filter_takes_any_status(app, db, make, client, login, status):
    admin = make.user(Role.ADMIN)
    enqueue(key="one", kind="action_due", email="u@unit.example")
    db.session.commit()
    login(admin.username)
    response = client.get(f"/admin/outbox?status={status}")
    assert response.status_code == 200 and "u@unit.example" in response.get_data(as_text=True)
