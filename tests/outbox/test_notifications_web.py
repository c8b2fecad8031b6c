"""One-click unsubscribe (RFC 8058), the preferences page and the admin outbox page."""

from __future__ import annotations

from email import message_from_bytes, policy
from urllib.parse import urlsplit

import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.auth.models import Role
from inspections.outbox.dispatch import dispatch_due
from inspections.outbox.models import Notification, NotificationPreference, NotificationStatus
from inspections.outbox.services import enqueue
from inspections.outbox.tokens import unsubscribe_token
from inspections.reminders.notices import visit_context
from inspections.teams.models import TeamKind
from tests.conftest import csrf_token
from tests.factories import days_from_now
from tests.smtp_sink import Sink


def _reminder(db, make, email="member@team.example", key="r1"):
    team = make.team(make.plan(), TeamKind.JOINT, members=[make.user(Role.INSPECTOR)])
    visit = make.inspection(team, make.unit(name="Thị xã Sơn Tây"), visit_at=days_from_now(10)).visits[0]
    context = visit_context(visit) | {"working_days_before": 3, "audience": "team"}
    row = enqueue(
        key=key, kind="visit_reminder", email=email, context=context,
        object_type="visit", object_id=visit.id,
    )  # fmt: skip
    db.session.commit()
    return row


def _opt_outs(db) -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(p.email, p.kind) for p in db.session.scalars(sa.select(NotificationPreference))]


def test_an_optional_reminder_carries_a_working_one_click_unsubscribe(app, db, make, client):
    row = _reminder(db, make)
    with Sink() as sink:
        app.config["SMTP_URL"] = sink.url
        dispatch_due()
        (received,) = sink.handler.delivered()
    mail = message_from_bytes(received.data, policy=policy.default)
    assert mail["Message-ID"] == row.message_id
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = str(mail["List-Unsubscribe"]).strip("<>")
    assert "/email-preferences/" in mail.get_body(("plain",)).get_content()

    # What a mail client does (RFC 8058): a POST, no cookie, no CSRF token.
    path = urlsplit(url).path
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200  # idempotent
    assert _opt_outs(db) == [("member@team.example", "visit_reminder")]

    # The next reminder of that kind to that address is not sent.
    later = _reminder(db, make, key="r2")
    with Sink() as sink:
        app.config["SMTP_URL"] = sink.url
        dispatch_due()
        assert sink.handler.received == []
    db.session.refresh(later)
    assert later.status == NotificationStatus.CANCELLED and later.last_error == "recipient opted out"


def test_following_the_link_only_asks(app, db, client):
    token = unsubscribe_token("a@test.example", "visit_reminder")
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and b"<form" in page.data
    assert _opt_outs(db) == []


def test_a_changed_token_or_a_mandatory_kind_is_refused(app, db, client):
    token = unsubscribe_token("a@test.example", "visit_reminder")
    assert client.post(f"/unsubscribe/{token[:-2]}xx").status_code == 404
    mandatory = unsubscribe_token("a@test.example", "schedule_notice")
    assert client.post(f"/unsubscribe/{mandatory}").status_code == 404
    assert _opt_outs(db) == []


def test_the_preferences_page_turns_a_kind_off_and_on(app, db, client):
    from inspections.outbox.tokens import preferences_token

    path = f"/email-preferences/{preferences_token('b@test.example')}"
    token = csrf_token(client, path)
    client.post(path, data={"csrf_token": token, "kind": "action_due", "action": "off"})
    assert _opt_outs(db) == [("b@test.example", "action_due")]
    client.post(path, data={"csrf_token": token, "kind": "action_due", "action": "on"})
    assert _opt_outs(db) == []
    # Without the CSRF token a browser form changes nothing.
    client.post(path, data={"kind": "action_due", "action": "off"})
    assert _opt_outs(db) == []


def test_the_outbox_page_filters_and_resends_a_failed_mail(app, db, make, client, login):
    admin = make.user(Role.ADMIN)
    for i, status in enumerate(
        [NotificationStatus.FAILED, NotificationStatus.SENT, NotificationStatus.PENDING]
    ):
        row = enqueue(key=f"o{i}", kind="action_due" if i else "schedule_notice", email=f"u{i}@unit.example")
        row.status = status
        row.attempts = 1
        row.last_error = "550 5.1.1 no such user" if status == NotificationStatus.FAILED else None
    db.session.commit()
    login(admin.username)

    page = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "u0@unit.example" in page and "550 5.1.1 no such user" in page and "u1@unit.example" not in page
    page = client.get("/admin/outbox?kind=action_due&recipient=U2@").get_data(as_text=True)
    assert "u2@unit.example" in page and "u1@unit.example" not in page and "u0@unit.example" not in page

    failed = db.session.scalar(
        sa.select(Notification).where(Notification.recipient_email == "u0@unit.example")
    )
    message_id = failed.message_id
    token = csrf_token(client, "/admin/outbox")
    assert client.post(f"/admin/outbox/{failed.id}/resend", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    failed = db.session.get(Notification, failed.id)
    assert failed.status == NotificationStatus.PENDING and failed.message_id == message_id
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "notifications.resend"))
    assert event.actor_id == admin.id and event.object_id == failed.id
    assert event.before["status"] == "failed" and event.after["status"] == "pending"

    # A second click finds nothing to resend: a message, no change.
    response = client.post(
        f"/admin/outbox/{failed.id}/resend", data={"csrf_token": token}, follow_redirects=True
    )
    assert response.status_code == 200
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "notifications.resend")) == 1
    )
