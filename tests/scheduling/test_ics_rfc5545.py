"""The ICS feed as calendar programs read it (RFC 5545; issue 14): read by `icalendar` and
by `vobject`, two parsers that share no code with each other (the feed is written with
icalendar, so every property is also checked through vobject)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import vobject
from flask import current_app
from icalendar import Calendar

from inspections.auth.models import Role
from inspections.teams.models import TeamKind
from inspections.visits.models import VisitStatus
from inspections.visits.services import mark_in_progress
from tests.conftest import csrf_token
from tests.factories import days_from_now

APP_URL = "https://kiemtra.hanoi.gov.vn"
PREPARE = "self-assessment"  # the English msgid; its Vietnamese says "tự đánh giá"


def _address(client) -> str:
    client.post("/calendar/feed", data={"csrf_token": csrf_token(client, "/calendar")})
    page = client.get("/calendar").get_data(as_text=True)
    return "/calendar/feed/" + page.split("/calendar/feed/", 1)[1].split(".ics", 1)[0] + ".ics"


@pytest.fixture
def world(app, db, make):
    app.config["APP_URL"] = APP_URL
    leader = make.user(Role.INSPECTOR, full_name="Lê Minh Tuấn", language="en")
    parent = make.unit(name="UBND Thành phố Hà Nội")
    unit = make.unit(name="Huyện Gia Lâm", parent_id=parent.id)
    contact = make.user(Role.UNIT_CONTACT, home_unit_id=unit.id, language="en")
    plan = make.plan()
    team = make.team(plan, TeamKind.JOINT, members=[leader])
    team.name = "Đoàn kiểm tra liên ngành số 1"
    visit = make.inspection(team, unit, visit_at=days_from_now(10)).visits[0]
    surprise = make.team(plan, TeamKind.PUBLIC_SERVICE, members=[leader])
    secret = make.inspection(surprise, make.unit(name="Trường X"), visit_at=days_from_now(12)).visits[0]
    db.session.commit()
    return {"leader": leader, "contact": contact, "visit": visit, "secret": secret, "unit": unit}


def _fetch(client, address: str) -> bytes:
    response = client.get(address)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return response.data


def _events(data: bytes) -> tuple[dict[str, object], dict[str, object]]:
    """By UID: the events as icalendar reads them, and as vobject reads them."""
    by_icalendar = {str(e["uid"]): e for e in Calendar.from_ical(data).walk("VEVENT")}
    parsed = vobject.readOne(data.decode())
    by_vobject = {e.uid.value: e for e in parsed.contents.get("vevent", [])}
    assert set(by_icalendar) == set(by_vobject)
    return by_icalendar, by_vobject


def test_a_feed_says_method_stable_stamps_place_page_and_status(world, client, login):
    login(world["leader"].username)
    address = _address(client)
    first = _fetch(client, address)
    second = _fetch(client, address)
    assert first == second  # nothing changed: the same bytes, DTSTAMP included

    calendar = Calendar.from_ical(first)
    assert str(calendar["method"]) == "PUBLISH"
    assert vobject.readOne(first.decode()).method.value == "PUBLISH"
    ical, vobj = _events(first)
    uid = f"visit-{world['visit'].id}@kiemtra.hanoi.gov.vn"
    assert uid in ical and f"visit-{world['secret'].id}@kiemtra.hanoi.gov.vn" in ical  # the team sees both
    event, same = ical[uid], vobj[uid]
    assert event["dtstamp"].dt == event["last-modified"].dt == same.dtstamp.value == same.last_modified.value
    assert "Huyện Gia Lâm" in str(event["location"]) and "UBND Thành phố Hà Nội" in same.location.value
    description = same.description.value
    assert "Đoàn kiểm tra liên ngành số 1" in description and "Lê Minh Tuấn" in description
    assert PREPARE in description
    assert str(event["url"]) == same.url.value == f"{APP_URL}/visits/{world['visit'].id}"
    assert str(event["status"]) == same.status.value == "CONFIRMED"
    assert int(event["sequence"]) == int(same.sequence.value) == 0


def test_sequence_rises_only_when_the_time_moves(world, db, client, login):
    login(world["leader"].username)
    address = _address(client)
    uid = f"visit-{world['visit'].id}@kiemtra.hanoi.gov.vn"
    before = _events(_fetch(client, address))[1][uid]

    visit = world["visit"]
    mark_in_progress(visit)  # a change of the row, not of its time
    visit.fixed = True
    db.session.commit()
    after_status = _events(_fetch(client, address))[1][uid]
    assert after_status.sequence.value == before.sequence.value == "0"
    assert after_status.dtstamp.value >= before.dtstamp.value

    visit.starts_at += timedelta(days=1)
    visit.ends_at += timedelta(days=1)
    db.session.commit()
    moved_ical, moved_vobject = _events(_fetch(client, address))
    moved = moved_vobject[uid]
    assert moved.sequence.value == "1" and int(moved_ical[uid]["sequence"]) == 1
    assert moved.dtstart.value == visit.starts_at
    assert moved.last_modified.value >= after_status.last_modified.value

    visit.starts_at = visit.starts_at  # written again, unchanged: no new SEQUENCE
    db.session.commit()
    assert _events(_fetch(client, address))[1][uid].sequence.value == "1"


def test_a_proposed_visit_is_tentative_and_a_cancelled_one_stays_cancelled(world, db, client, login):
    login(world["leader"].username)
    address = _address(client)
    uid = f"visit-{world['visit'].id}@kiemtra.hanoi.gov.vn"
    world["visit"].status = VisitStatus.PROPOSED
    db.session.commit()
    assert _events(_fetch(client, address))[1][uid].status.value == "TENTATIVE"
    world["visit"].status = VisitStatus.CANCELLED
    db.session.commit()
    ical, vobj = _events(_fetch(client, address))
    assert str(ical[uid]["status"]) == vobj[uid].status.value == "CANCELLED"


def test_a_unit_contacts_feed_links_to_the_units_page_and_keeps_surprise_secret(world, db, client, login):
    login(world["contact"].username)
    address = _address(client)
    ical, vobj = _events(_fetch(client, address))
    assert list(vobj) == [f"visit-{world['visit'].id}@kiemtra.hanoi.gov.vn"]
    [event] = vobj.values()
    assert event.url.value == f"{APP_URL}/unit/"
    assert PREPARE in event.description.value
    assert "Trường X" not in _fetch(client, address).decode()
    # A cancelled visit the unit was told of is gone from its feed, never a proposed date.
    world["visit"].status = VisitStatus.PROPOSED
    db.session.commit()
    assert _events(_fetch(client, address))[1] == {}
    world["visit"].status = VisitStatus.CANCELLED
    db.session.commit()
    assert _events(_fetch(client, address))[1] == {}


def test_the_uid_domain_follows_mail_domain(world, client, login):
    current_app.config["MAIL_DOMAIN"] = "lich.hanoi.gov.vn"
    login(world["leader"].username)
    _ical, vobj = _events(_fetch(client, _address(client)))
    assert all(uid.endswith("@lich.hanoi.gov.vn") for uid in vobj)


def test_a_feed_places_the_visit_at_the_unit_s_address(world, db, client, login):
    world["unit"].address = "Số 1 đường Nguyễn Đức Thuận, Trâu Quỳ, Gia Lâm, Hà Nội"
    db.session.commit()
    login(world["leader"].username)
    ical, vobj = _events(_fetch(client, _address(client)))
    uid = f"visit-{world['visit'].id}@kiemtra.hanoi.gov.vn"
    assert vobj[uid].location.value == "Huyện Gia Lâm, Số 1 đường Nguyễn Đức Thuận, Trâu Quỳ, Gia Lâm, Hà Nội"
