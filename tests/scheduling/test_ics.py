"""Per-user ICS feeds: a secret address, revocable, holding what the user may see."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from icalendar import Calendar

from inspections.auth.models import Role
from inspections.scheduling.models import CalendarFeed
from inspections.teams.models import TeamKind
from tests.conftest import csrf_token
from tests.factories import days_from_now


def _new_address(client) -> str:
    client.post("/calendar/feed", data={"csrf_token": csrf_token(client, "/calendar")})
    page = client.get("/calendar").get_data(as_text=True)
    return "/calendar/feed/" + page.split("/calendar/feed/", 1)[1].split(".ics", 1)[0] + ".ics"


def test_feed_lists_the_users_visits_and_keeps_only_a_hash(db, make, client, login):
    leader = make.user(Role.INSPECTOR)
    team = make.team(make.plan(), TeamKind.JOINT, members=[leader])
    make.inspection(team, make.unit(name="Sở Tư pháp"), visit_at=days_from_now(10))
    make.inspection(
        make.team(make.plan(), TeamKind.JOINT), make.unit(name="Sở khác"), visit_at=days_from_now(11)
    )
    db.session.commit()
    login(leader.username)
    address = _new_address(client)
    response = client.get(address)
    assert response.mimetype == "text/calendar"
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert ["Sở Tư pháp" in str(e.get("summary")) for e in events] == [True]
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    stored = db.session.scalar(sa.select(CalendarFeed.token_hash))
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored


def test_a_new_address_ends_the_old_one_and_revoking_ends_it(db, make, client, login):
    user = make.user(Role.OBSERVER)
    db.session.commit()
    login(user.username)
    first = _new_address(client)
    assert client.get(first).status_code == 200
    second = _new_address(client)
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    client.post("/calendar/feed/revoke", data={"csrf_token": csrf_token(client, "/calendar")})
    assert client.get(second).status_code == 404


def test_an_unknown_token_or_an_inactive_user_gets_nothing(db, make, client, login):
    user = make.user(Role.OBSERVER)
    db.session.commit()
    assert client.get("/calendar/feed/made-up-token.ics").status_code == 404
    login(user.username)
    address = _new_address(client)
    user.active = False
    db.session.commit()
    assert client.get(address).status_code == 404
