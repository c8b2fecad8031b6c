"""Surprise secrecy through every channel the schedule opens: a unit contact must not learn
a surprise visit's date in advance from pages, the ICS feed, counts or email.

Each test also checks that the same channel does carry the date to someone entitled to it
(or carries the announced visit to the contact), so none of them passes by showing nothing.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from inspections import policy
from inspections.auth.models import Role
from inspections.i18n import today
from inspections.outbox.models import Notification
from inspections.scheduling.models import ProposalStatus
from inspections.scheduling.services import approve_proposal, request_proposal, visit_placement
from inspections.teams.models import TeamKind
from inspections.units.models import UnitContact
from inspections.visits.models import InspectionKind, Visit
from tests.conftest import csrf_token
from workers.scheduling import propose_schedule


@pytest.fixture
def scheduled(app, db, make):
    """One unit with an announced and a surprise inspection, both approved in the future."""
    coordinator = make.user(Role.COORDINATOR)
    start = today() + timedelta(days=20)
    plan = make.plan(window_start=start, window_end=start + timedelta(days=40), coordinators=[coordinator])
    unit = make.unit(name="Phường Điện Biên")
    contact = make.user(Role.UNIT_CONTACT, home_unit_id=unit.id)
    unit.contacts.append(UnitContact(name="Văn thư", email=contact.email, user_id=contact.id))
    member = make.user(Role.INSPECTOR)
    joint = make.team(plan, TeamKind.JOINT, members=[make.user(Role.INSPECTOR)])
    surprise = make.team(plan, TeamKind.PUBLIC_SERVICE, members=[member])
    surprise.name = "Đoàn công vụ bí mật"
    make.inspection(joint, unit)
    make.inspection(surprise, unit)
    proposal = request_proposal(plan, actor=None, seed=3)
    db.session.commit()
    propose_schedule.apply(args=[proposal.id])
    db.session.expire_all()
    assert proposal.status == ProposalStatus.READY, proposal.reasons
    with app.test_request_context():
        approve_proposal(proposal, actor=coordinator)
    db.session.commit()
    visits = {v.inspection.kind: v for v in db.session.scalars(sa.select(Visit))}
    secret_day = visit_placement(visits[InspectionKind.SURPRISE]).day
    announced_day = visit_placement(visits[InspectionKind.JOINT]).day
    assert secret_day != announced_day
    return {
        "contact": contact,
        "member": member,
        "coordinator": coordinator,
        "plan": plan,
        "secret_day": secret_day,
        "announced_day": announced_day,
        "surprise_visit": visits[InspectionKind.SURPRISE],
        "team_name": surprise.name,
    }


def _secrets(world) -> list[str]:
    day = world["secret_day"]
    return [day.strftime("%d/%m/%Y"), day.isoformat(), day.strftime("%Y%m%d"), world["team_name"]]


def _get_pages(client, world) -> dict[str, str]:
    month = world["secret_day"].strftime("%Y-%m")
    paths = ["/", "/calendar", f"/calendar?month={month}", f"/plans/{world['plan'].id}/schedule",
             f"/plans/{world['plan'].id}/schedule/progress", f"/plans/{world['plan'].id}"]  # fmt: skip
    return {path: client.get(path).get_data(as_text=True) for path in paths}


def test_pages_do_not_show_the_contact_a_surprise_date(scheduled, client, login):
    login(scheduled["contact"].username)
    for path, body in _get_pages(client, scheduled).items():
        for secret in _secrets(scheduled):
            assert secret not in body, f"{secret} on {path}"
    calendar = client.get(f"/calendar?month={scheduled['announced_day'].strftime('%Y-%m')}").get_data(
        as_text=True
    )
    assert "Phường Điện Biên" in calendar  # the announced visit is there
    secret_month = scheduled["secret_day"].strftime("%Y-%m")
    page = client.get(f"/calendar?month={secret_month}").get_data(as_text=True)
    same_month = secret_month == scheduled["announced_day"].strftime("%Y-%m")
    assert page.count('class="entry') == (1 if same_month else 0)  # no cell for the surprise visit


def test_pages_show_the_surprise_date_to_the_team_member(scheduled, client, login):
    login(scheduled["member"].username)
    body = client.get(f"/calendar?month={scheduled['secret_day'].strftime('%Y-%m')}").get_data(as_text=True)
    assert scheduled["secret_day"].strftime("%d/%m/%Y") in body


def _feed(client, login, user) -> Calendar:
    login(user.username)
    response = client.post("/calendar/feed", data={"csrf_token": csrf_token(client, "/calendar")})
    assert response.status_code == 302
    page = client.get("/calendar").get_data(as_text=True)
    url = page.split("/calendar/feed/", 1)[1].split(".ics", 1)[0]
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    response = client.get(f"/calendar/feed/{url}.ics")
    assert response.status_code == 200
    return Calendar.from_ical(response.data)


def test_the_ics_feed_holds_only_the_contacts_announced_visit(scheduled, client, login):
    events = _feed(client, login, scheduled["contact"]).walk("VEVENT")
    days = [e.decoded("dtstart").astimezone(tz=None).date() for e in events]
    assert len(events) == 1
    assert scheduled["secret_day"] not in days
    assert all(scheduled["team_name"] not in str(e.get("summary")) for e in events)


def test_the_ics_feed_of_the_team_member_holds_the_surprise_visit(app, scheduled, client, login):
    events = _feed(client, login, scheduled["member"]).walk("VEVENT")
    domain = urlsplit(app.config["APP_URL"]).hostname  # the deployment's own (issue 14)
    assert [e.get("uid") for e in events] == [f"visit-{scheduled['surprise_visit'].id}@{domain}"]


def test_counts_do_not_reveal_a_surprise_visit(scheduled, db, client, login):
    contact = scheduled["contact"]
    count = sa.select(sa.func.count()).select_from(policy.calendar_visits(contact).subquery())
    assert db.session.scalar(count) == 1
    count = sa.select(sa.func.count()).select_from(policy.visible_inspections(contact).subquery())
    assert db.session.scalar(count) == 1
    member_count = sa.select(sa.func.count()).select_from(
        policy.calendar_visits(scheduled["member"]).subquery()
    )
    assert db.session.scalar(member_count) == 1
    login(contact.username)
    for day in (scheduled["announced_day"], scheduled["secret_day"]):
        body = client.get(f"/calendar?month={day.strftime('%Y-%m')}").get_data(as_text=True)
        same_month = day.strftime("%Y-%m") == scheduled["announced_day"].strftime("%Y-%m")
        assert body.count('<li id="visit-') == (1 if same_month else 0)


def test_no_email_tells_the_contact_of_the_surprise_visit(scheduled, db, app):
    from inspections.outbox.render import render

    rows = db.session.scalars(sa.select(Notification)).all()
    to_contact = [r for r in rows if r.recipient_email == scheduled["contact"].email]
    assert [r.kind for r in to_contact] == ["schedule_notice"]  # the announced visit's notice
    assert all(r.object_id != scheduled["surprise_visit"].id for r in rows)
    # The time-based reminders in the days before the surprise visit write nothing for the unit.
    from inspections.reminders.rules import visit_reminders
    from inspections.workdays.calendar import load_calendar

    before = scheduled["surprise_visit"].starts_at
    for days in (7, 3, 1):
        visit_reminders(before - timedelta(days=days), load_calendar(db.session))
    db.session.flush()
    rows = db.session.scalars(sa.select(Notification)).all()
    to_contact = [r for r in rows if r.recipient_email == scheduled["contact"].email]
    assert all(r.object_id != scheduled["surprise_visit"].id for r in to_contact)
    with app.test_request_context():
        for row in to_contact:
            message = render(row)
            text = "\n".join(
                part.get_content() for part in message.walk() if part.get_content_type().startswith("text/")
            )
            for secret in _secrets(scheduled):
                assert secret not in text and secret not in str(message["Subject"])
