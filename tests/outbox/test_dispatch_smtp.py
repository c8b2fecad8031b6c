"""The dispatcher against a real SMTP server (aiosmtpd) started here."""

from __future__ import annotations

from datetime import time, timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from inspections.auth.models import Role
from inspections.db import utcnow
from inspections.i18n import local_day, local_moment
from inspections.outbox.dispatch import dispatch_due, sending_pause
from inspections.outbox.models import Notification, NotificationStatus
from inspections.outbox.services import resume_sending
from inspections.reminders.notices import schedule_notices
from inspections.reminders.rules import schedule_due
from inspections.teams.models import TeamKind
from inspections.units.models import UnitContact
from inspections.visits.models import Visit
from inspections.workdays.calendar import load_calendar
from tests.factories import days_from_now
from tests.smtp_sink import Sink


class Clock:
    """The dispatcher's clock, moved by the test: backoff without sleeping."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def notice(db, make):
    """One schedule notice to one contact, pending in the outbox."""
    unit = make.unit(name="Quận Hà Đông")
    db.session.add(UnitContact(unit=unit, name="Nguyễn Thị Lan", email="lan@hadong.example"))
    leader = make.user(Role.INSPECTOR)
    team = make.team(make.plan(), TeamKind.JOINT, members=[leader])
    visit = make.inspection(team, unit, visit_at=days_from_now(20)).visits[0]
    rows = schedule_notices(visit)
    db.session.commit()
    assert len(rows) == 1
    return rows[0]


def _reload(db, row: Notification) -> Notification:
    db.session.expire_all()
    return db.session.get(Notification, row.id)


def test_451_twice_then_250_is_one_delivery_after_three_attempts(app, db, notice):
    clock = Clock()
    with Sink(script=["451 4.3.0 Try again later", "451 4.3.0 Try again later"]) as sink:
        app.config["SMTP_URL"] = sink.url
        for _ in range(3):
            dispatch_due(clock=clock)
            clock.advance(hours=2)  # past any backoff (capped at one hour)
        dispatch_due(clock=clock)  # nothing left to do

        row = _reload(db, notice)
        assert row.status == NotificationStatus.SENT
        assert row.attempts == 3
        assert [r.message_id for r in sink.handler.received] == [row.message_id] * 3
        assert [r.message_id for r in sink.handler.delivered()] == [row.message_id]


def test_a_retry_waits_for_its_backoff(app, db, notice):
    clock = Clock()
    with Sink(script=["451 4.3.0 Try again later"]) as sink:
        app.config["SMTP_URL"] = sink.url
        dispatch_due(clock=clock)
        dispatch_due(clock=clock)  # too early: not tried again
        row = _reload(db, notice)
        assert row.status == NotificationStatus.PENDING
        assert row.attempts == 1
        assert row.next_attempt_at > clock.now
        assert "451" in row.last_error
        assert len(sink.handler.received) == 1


def test_550_fails_after_one_attempt(app, db, notice):
    clock = Clock()
    with Sink(script=["550 5.1.1 No such user"]) as sink:
        app.config["SMTP_URL"] = sink.url
        dispatch_due(clock=clock)
        clock.advance(hours=2)
        dispatch_due(clock=clock)
        row = _reload(db, notice)
        assert row.status == NotificationStatus.FAILED
        assert row.attempts == 1
        assert "550" in row.last_error
        assert sink.handler.delivered() == []


def test_a_hung_server_times_out_and_the_retry_carries_the_same_message_id(app, db, notice):
    clock = Clock()
    app.config["SMTP_TIMEOUT"] = 0.5
    with Sink(script=["hang"], hang_seconds=3) as sink:
        app.config["SMTP_URL"] = sink.url
        dispatch_due(clock=clock)
        row = _reload(db, notice)
        assert row.status == NotificationStatus.PENDING
        assert "timed out" in row.last_error.lower()

        clock.advance(hours=2)
        dispatch_due(clock=clock)
        row = _reload(db, notice)
        assert row.status == NotificationStatus.SENT
        assert row.attempts == 2
        # The server saw the mail twice (the hung copy may still be delivered): one Message-ID.
        assert {r.message_id for r in sink.handler.received} == {row.message_id}
        assert len(sink.handler.received) == 2


def test_retries_stop_at_the_deadline(app, db, notice):
    clock = Clock()
    with Sink(script=["451 4.3.0 Try again later"] * 100) as sink:
        app.config["SMTP_URL"] = sink.url
        for _ in range(30):  # the notice's deadline is the visit, 20 days ahead
            dispatch_due(clock=clock)
            clock.advance(days=1)
        row = _reload(db, notice)
        assert row.status == NotificationStatus.FAILED
        assert "deadline" in row.last_error
        assert all(r.at and not r.accepted for r in sink.handler.received)


def test_nothing_is_sent_after_its_deadline(app, db, notice):
    clock = Clock()
    clock.now = notice.deadline_at + timedelta(minutes=1)
    with Sink() as sink:
        app.config["SMTP_URL"] = sink.url
        dispatch_due(clock=clock)
        assert sink.handler.received == []
    row = _reload(db, notice)
    assert row.status == NotificationStatus.FAILED
    assert "deadline" in row.last_error


def test_a_refused_login_pauses_sending_and_tells_the_admin(app, db, make, notice):
    admin = make.user(Role.ADMIN, email="admin@so-noivu.example")
    db.session.commit()
    with Sink(password="right") as sink:
        app.config["SMTP_URL"] = sink.url.replace("smtp://", "smtp://mailer:wrong@")
        result = dispatch_due()
        assert result.paused
        assert sending_pause() is not None
        row = _reload(db, notice)
        assert row.status == NotificationStatus.PENDING
        assert row.attempts == 0  # a refused login is not the mail's fault
        to_admin = db.session.scalars(
            sa.select(Notification).where(Notification.recipient_email == admin.email)
        ).one()
        assert to_admin.kind == "sending_paused"

        dispatch_due()  # still paused: nothing is tried
        assert sink.handler.received == []

        app.config["SMTP_URL"] = sink.url.replace("smtp://", "smtp://mailer:right@")
        resume_sending(actor=admin)
        db.session.commit()
        dispatch_due()
        delivered = {r.message_id for r in sink.handler.delivered()}
        assert delivered == {row.message_id, to_admin.message_id}


def test_moving_a_visit_after_its_reminder_was_queued_sends_for_the_new_date_only(app, db, make):
    unit = make.unit()
    member = make.user(Role.INSPECTOR, email="member@team.example")
    team = make.team(make.plan(), TeamKind.JOINT, members=[member])
    # Three working days ahead at most five calendar days from now, whatever the weekday.
    now = utcnow()
    visit = make.inspection(team, unit, visit_at=now + timedelta(days=5)).visits[0]
    cal = load_calendar(db.session)
    target = cal.add_working_days(local_day(now), 3)
    # At 08:00 in Vietnam: a UTC date would be the next local day after 17:00 UTC.
    visit.starts_at = local_moment(target, time(8))
    visit.ends_at = visit.starts_at + timedelta(hours=4)
    db.session.commit()
    schedule_due(now)
    db.session.commit()
    old = db.session.scalars(sa.select(Notification).where(Notification.kind == "visit_reminder")).one()
    assert old.idempotency_key.endswith(visit.starts_at.date().isoformat())

    # The coordinator moves the visit a week later before the reminder went out; the
    # service that moves it need not know about the outbox.
    visit = db.session.get(Visit, visit.id)
    new_day = cal.add_working_days(target, 5)
    visit.starts_at = local_moment(new_day, time(8))
    visit.ends_at = visit.starts_at + timedelta(hours=4)
    db.session.commit()

    with Sink() as sink:
        app.config["SMTP_URL"] = sink.url
        dispatch_due()
        assert sink.handler.received == []
        old = _reload(db, old)
        assert old.status == NotificationStatus.CANCELLED
        assert "moved" in old.last_error

        # Three working days before the new date, the reminder for the new date goes out.
        later = now + timedelta(days=(new_day - target).days)
        schedule_due(later)
        db.session.commit()
        dispatch_due(clock=lambda: later)
        mails = [r.parsed() for r in sink.handler.delivered()]
        assert len(mails) == 1
        assert new_day.strftime("%d/%m/%Y") in mails[0]["Subject"]


def test_headers_and_utf8_subject_survive_a_round_trip(app, db, notice):
    with Sink() as sink:
        app.config["SMTP_URL"] = sink.url
        dispatch_due()
        (received,) = sink.handler.delivered()
    mail = message_from_bytes(received.data, policy=policy.default)
    assert mail["Message-ID"] == notice.message_id
    assert mail["Subject"].startswith("Thông báo lịch kiểm tra: Quận Hà Đông")
    assert mail["Date"] and mail["List-Id"] and mail["Auto-Submitted"] == "auto-generated"
    assert "List-Unsubscribe" not in mail  # a schedule notice is mandatory
    assert mail["To"].addresses[0].display_name == "Nguyễn Thị Lan"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "báo cáo tự đánh giá" in text
    assert "Quận Hà Đông" in html
