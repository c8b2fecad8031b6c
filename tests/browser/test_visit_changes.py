"""After approval, in the browser: the coordinator moves an announced visit (the unit's mail
folder gets the change notice, its ICS feed the new time with a higher SEQUENCE, the old
reminders are cancelled), cancels one (the feed says CANCELLED), and moves a surprise
visit silently (the unit gets nothing)."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from icalendar import Calendar
from playwright.sync_api import expect

from inspections.i18n import local_day
from inspections.outbox.dispatch import dispatch_due
from inspections.outbox.models import Notification, NotificationStatus
from inspections.reminders.notices import schedule_notices
from inspections.reminders.rules import schedule_due
from inspections.scheduling.feeds import new_feed
from inspections.teams.models import TeamKind
from tests.factories import PASSWORD
from tests.scheduling.test_visit_changes import REASON, working_day, world

pytestmark = pytest.mark.browser
CONTACT = "vanthu@hadong.example"


def _mails_to(app, db, address: str) -> dict[str, email.message.EmailMessage]:
    """What the mail folder holds for `address`, by kind, after sending what is due."""
    dispatch_due()
    db.session.expire_all()
    sent = db.session.scalars(
        sa.select(Notification).where(
            Notification.recipient_email == address, Notification.status == NotificationStatus.SENT
        )
    ).all()
    folder = Path(app.config["MAIL_FOLDER"])
    messages = {}
    for row in sent:
        [path] = [p for p in folder.glob("*.eml") if row.message_id.strip("<>") in p.name]
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert address in str(message["To"])
        messages[row.kind] = message
    return messages


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def _feed_events(page, live_server, token: str) -> list:
    response = page.request.get(f"{live_server}/calendar/feed/{token}.ics")
    assert response.status == 200
    return Calendar.from_ical(response.body()).walk("VEVENT")


def _log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url)


def _move(page, live_server, visit_id: int, day, slot: str = "afternoon") -> None:
    page.goto(f"{live_server}/visits/{visit_id}/change")
    form = page.locator("#move form")
    form.locator("input[name=day]").fill(day.isoformat())
    form.locator("select[name=slot]").select_option(slot)
    form.locator("textarea[name=reason]").fill(REASON)
    form.locator("button").click()
    expect(page.locator(".flash.success")).to_be_visible()


def _announced(make, db, app):
    """An announced visit 3 working days ahead whose notice the unit has received, with the
    team's and the unit's reminders of that time queued; the unit's contact has a feed."""
    field = world(make, db, days=3)
    schedule_notices(field.visit)
    db.session.commit()
    assert _mails_to(app, db, CONTACT)  # the schedule notice
    schedule_due(field.visit.starts_at - timedelta(days=1))
    db.session.commit()
    token = new_feed(field.contact)
    db.session.commit()
    return field, token


def test_a_moved_announced_visit_reaches_the_units_mail_and_feed(app, db, make, live_server, page):
    field, token = _announced(make, db, app)
    [before] = _feed_events(page, live_server, token)
    assert int(before["sequence"]) == 0
    old_reminders = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "visit_reminder")
    ).all()
    assert old_reminders and all(r.status == NotificationStatus.PENDING for r in old_reminders)

    _log_in(page, live_server, field.coordinator.username)
    new_day = working_day(15)
    _move(page, live_server, field.visit.id, new_day)

    db.session.expire_all()
    assert local_day(field.visit.starts_at) == new_day
    mails = _mails_to(app, db, CONTACT)
    assert set(mails) == {"schedule_notice", "visit_changed"}
    text = _text(mails["visit_changed"])
    assert REASON in text and new_day.strftime("%d/%m/%Y") in text and "/l/acknowledge/" in text
    [after] = _feed_events(page, live_server, token)
    assert int(after["sequence"]) == 1
    assert after.decoded("dtstart") == field.visit.starts_at
    assert str(after["uid"]) == str(before["uid"])
    for row in old_reminders:
        db.session.refresh(row)
        assert row.status == NotificationStatus.CANCELLED


def test_a_cancelled_announced_visit_is_told_and_cancelled_in_the_feed(app, db, make, live_server, page):
    field, token = _announced(make, db, app)
    _log_in(page, live_server, field.coordinator.username)
    page.goto(f"{live_server}/visits/{field.visit.id}/change")
    form = page.locator("#cancel form")
    form.locator("textarea[name=reason]").fill(REASON)
    form.locator("button[data-confirm]").click()
    page.locator("#confirm-dialog button[value=confirm]").click()
    expect(page.locator(".flash.success")).to_be_visible()

    db.session.expire_all()
    mails = _mails_to(app, db, CONTACT)
    assert set(mails) == {"schedule_notice", "visit_cancelled"}
    assert REASON in _text(mails["visit_cancelled"])
    [event] = _feed_events(page, live_server, token)
    assert str(event["status"]) == "CANCELLED"
    reminders = db.session.scalars(sa.select(Notification).where(Notification.kind == "visit_reminder")).all()
    assert reminders and all(r.status == NotificationStatus.CANCELLED for r in reminders)


def test_a_surprise_visit_moves_silently(app, db, make, live_server, page):
    field = world(make, db, kind=TeamKind.PUBLIC_SERVICE, days=3)
    schedule_due(field.visit.starts_at - timedelta(days=1))
    token = new_feed(field.contact)
    db.session.commit()
    assert _feed_events(page, live_server, token) == []

    _log_in(page, live_server, field.coordinator.username)
    _move(page, live_server, field.visit.id, working_day(10))
    expect(page.get_by_text(REASON)).to_be_visible()

    db.session.expire_all()
    assert local_day(field.visit.starts_at) == working_day(10)
    assert _mails_to(app, db, CONTACT) == {}
    assert _feed_events(page, live_server, token) == []
    to_unit = db.session.scalars(
        sa.select(Notification).where(Notification.recipient_contact_id.is_not(None))
    ).all()
    assert to_unit == []
    # The team hears of it.
    assert "visit_changed" in _mails_to(app, db, field.leader.email)
