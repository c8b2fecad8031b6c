"""Surprise secrecy decided per visit (issue 11, items 2 and 3).

A surprise inspection whose first visit took place last week has a follow-up visit next
week. Outside the team, the plan's coordinators and admins, nobody may learn of the
follow-up before it starts: not the unit's contact (home page, dashboard, calendar), not
the observer, a coordinator of another plan or another team (visit list, visit page,
calendar, ICS feed, actions list). Each channel is also shown carrying what the viewer is
entitled to (the first visit, or the follow-up to the team), so none passes by showing
nothing.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from inspections.auth.models import Role
from inspections.findings.models import Finding, FindingResult, Severity
from inspections.i18n import local_day, today
from inspections.remediation.models import CorrectiveAction
from inspections.teams.models import TeamKind
from inspections.units.models import UnitContact, UnitKind
from inspections.visits.models import Slot, Visit, VisitStatus
from tests.conftest import IsolatedClient, csrf_token
from tests.factories import PASSWORD, days_from_now

FIRST_ACTION = "Niêm yết đủ thủ tục tại bộ phận một cửa"
SECRET_ACTION = "Bổ sung sổ theo dõi hồ sơ trễ hạn"


@pytest.fixture
def world(app, db, make):
    app.test_client_class = IsolatedClient  # one client per person, each request on its own
    coordinator = make.user(Role.COORDINATOR)
    start = today() - timedelta(days=40)
    plan = make.plan(window_start=start, window_end=start + timedelta(days=120), coordinators=[coordinator])
    unit = make.unit(name="Phường Kim Mã", kind=UnitKind.COMMUNE)  # not in the district filter
    contact = make.user(Role.UNIT_CONTACT, home_unit_id=unit.id)
    unit.contacts.append(UnitContact(name="Văn thư", email=contact.email, user_id=contact.id))
    leader, member = make.user(Role.INSPECTOR), make.user(Role.INSPECTOR)
    team = make.team(plan, TeamKind.PUBLIC_SERVICE, members=[leader, member])
    other_team_member = make.user(Role.INSPECTOR)
    make.team(plan, TeamKind.JOINT, members=[other_team_member])
    inspection = make.inspection(team, unit, visit_at=days_from_now(-5))
    first = inspection.visits[0]
    first.status = VisitStatus.DONE
    follow_up = Visit(
        inspection=inspection,
        starts_at=days_from_now(6),
        ends_at=days_from_now(6) + timedelta(hours=3),
        slot=Slot.MORNING,
        status=VisitStatus.APPROVED,
    )
    db.session.add(follow_up)
    db.session.flush()
    # One action on each visit; the second as the old code let it be written ahead of time.
    for visit, text in ((first, FIRST_ACTION), (follow_up, SECRET_ACTION)):
        finding = Finding(
            visit_id=visit.id, result=FindingResult.NON_COMPLIANT, severity=Severity.LOW,
            text="", author_id=leader.id,
        )  # fmt: skip
        db.session.add(
            CorrectiveAction(
                finding=finding, unit=unit, description=text, due_on=today() + timedelta(days=45)
            )
        )
    users = {
        "contact": contact,
        "observer": make.user(Role.OBSERVER),
        "other_coordinator": make.user(Role.COORDINATOR),
        "other_team": other_team_member,
        "coordinator": coordinator,
        "member": member,
        "admin": make.user(Role.ADMIN),
    }
    db.session.commit()
    return {"users": users, "first": first, "follow_up": follow_up}


OUTSIDERS = ("contact", "observer", "other_coordinator", "other_team")
ENTITLED = ("coordinator", "member", "admin")


def _day(visit: Visit) -> str:
    return local_day(visit.starts_at).strftime("%d/%m/%Y")


def _client(app, user):
    client = app.test_client()
    response = client.post(
        "/login", data={"csrf_token": csrf_token(client), "username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def _domain(app) -> str:
    """The calendar UIDs' domain: the deployment's own, APP_URL's host (issue 14)."""
    return urlsplit(app.config["APP_URL"]).hostname


def _feed(app, user) -> list[str]:
    client = _client(app, user)
    assert (
        client.post("/calendar/feed", data={"csrf_token": csrf_token(client, "/calendar")}).status_code == 302
    )
    page = client.get("/calendar").get_data(as_text=True)
    token = page.split("/calendar/feed/", 1)[1].split(".ics", 1)[0]
    response = app.test_client().get(f"/calendar/feed/{token}.ics")  # no session: the feed's token
    assert response.status_code == 200
    return [str(e.get("uid")) for e in Calendar.from_ical(response.data).walk("VEVENT")]


def _pages(client, world) -> dict[str, str]:
    months = {local_day(world[v].starts_at).strftime("%Y-%m") for v in ("first", "follow_up")}
    paths = ["/", "/visits/", "/unit/", "/calendar", *(f"/calendar?month={m}" for m in sorted(months))]
    return {path: client.get(path).get_data(as_text=True) for path in paths}


@pytest.mark.parametrize("who", OUTSIDERS)
def test_a_follow_up_surprise_visit_is_hidden_from_outsiders_until_it_starts(app, world, who):
    user = world["users"][who]
    client = _client(app, user)
    secret = _day(world["follow_up"])
    for path, body in _pages(client, world).items():
        assert secret not in body, f"{who}: {secret} on {path}"
    assert client.get(f"/visits/{world['follow_up'].id}").status_code == 404
    assert f"visit-{world['follow_up'].id}@" not in " ".join(_feed(app, user))


def test_what_the_outsiders_may_see_they_do_see(app, world):
    """The first visit has started: the contact's home page and the observer's and other
    coordinator's lists, pages and feeds carry it (the same pages that hide the follow-up)."""
    first = world["first"]
    home = _client(app, world["users"]["contact"]).get("/").get_data(as_text=True)
    assert _day(first) in home
    for who in ("observer", "other_coordinator"):
        user = world["users"][who]
        client = _client(app, user)
        assert _day(first) in client.get("/visits/").get_data(as_text=True), who
        assert client.get(f"/visits/{first.id}").status_code == 200, who
        assert f"visit-{first.id}@{_domain(app)}" in _feed(app, user), who


@pytest.mark.parametrize("who", ENTITLED)
def test_the_team_the_plans_coordinators_and_admins_see_the_follow_up(app, world, who):
    user = world["users"][who]
    client = _client(app, user)
    follow_up = world["follow_up"]
    assert _day(follow_up) in client.get("/visits/").get_data(as_text=True)
    assert client.get(f"/visits/{follow_up.id}").status_code == 200
    month = local_day(follow_up.starts_at).strftime("%Y-%m")
    assert _day(follow_up) in client.get(f"/calendar?month={month}").get_data(as_text=True)
    assert f"visit-{follow_up.id}@{_domain(app)}" in _feed(app, user)


def test_the_team_members_home_page_lists_both_visits(app, world):
    body = _client(app, world["users"]["member"]).get("/").get_data(as_text=True)
    assert _day(world["first"]) in body and _day(world["follow_up"]) in body


# --- item 3: the actions list follows the visit's secrecy -----------------------------------


@pytest.mark.parametrize("who", ("observer", "other_coordinator"))
def test_actions_of_a_surprise_visit_not_yet_started_are_not_listed_to_outsiders(app, world, who):
    body = _client(app, world["users"][who]).get("/actions/").get_data(as_text=True)
    assert SECRET_ACTION not in body
    assert FIRST_ACTION in body  # the started visit's action is listed
    assert body.count("Phường Kim Mã") == 1


@pytest.mark.parametrize("who", ENTITLED)
def test_the_team_the_plans_coordinators_and_admins_list_both_actions(app, world, who):
    body = _client(app, world["users"][who]).get("/actions/").get_data(as_text=True)
    assert SECRET_ACTION in body and FIRST_ACTION in body


def test_once_the_follow_up_has_started_the_observer_sees_it_and_its_action(app, db, world):
    follow_up = world["follow_up"]
    follow_up.starts_at = days_from_now(-1)
    follow_up.ends_at = follow_up.starts_at + timedelta(hours=3)
    db.session.commit()
    client = _client(app, world["users"]["observer"])
    assert _day(follow_up) in client.get("/visits/").get_data(as_text=True)
    assert client.get(f"/visits/{follow_up.id}").status_code == 200
    assert SECRET_ACTION in client.get("/actions/").get_data(as_text=True)
