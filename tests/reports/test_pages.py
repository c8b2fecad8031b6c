from __future__ import annotations

import re

import sqlalchemy as sa

from inspections import policy
from inspections.auth.models import Role
from inspections.teams.models import TeamKind
from inspections.visits.models import VisitStatus
from tests.factories import days_from_now


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_coordinator_home_shows_each_plan_against_its_targets(client, login, make, db):
    make.user(Role.COORDINATOR, username="lan")
    plan = make.plan(title="Kế hoạch kiểm tra công tác CCHC năm 2019")
    team = make.team(plan, TeamKind.JOINT)
    make.inspection(team, make.unit())
    db.session.commit()
    login("lan")

    html = client.get("/").get_data(as_text=True)
    assert "Kế hoạch kiểm tra công tác CCHC năm 2019" in html
    rows = {
        kind: _text_of(re.search(rf'<tr data-kind="{kind}">(.*?)</tr>', html, re.S).group(1))
        for kind in ("joint", "surprise", "case")
    }
    assert rows["joint"].startswith("Kiểm tra liên ngành 15 1/15 ")
    assert rows["surprise"].startswith("Kiểm tra công vụ đột xuất 28 0/28 ")
    assert rows["case"].startswith("Vụ việc 4 0/4 ")


def test_team_leader_home_lists_the_team_s_visits(client, login, make, db):
    leader = make.user(Role.INSPECTOR, username="tuan", home_unit_id=make.unit().id)
    plan = make.plan()
    team = make.team(plan, TeamKind.PUBLIC_SERVICE, members=[leader])
    make.inspection(team, make.unit(name="Quận Hà Đông"), visit_at=days_from_now(10))
    other_team = make.team(plan, TeamKind.PUBLIC_SERVICE)
    make.inspection(other_team, make.unit(name="Huyện Gia Lâm"), visit_at=days_from_now(10))
    db.session.commit()
    login("tuan")

    text = _text(client.get("/"))
    assert "Quận Hà Đông" in text
    assert "Huyện Gia Lâm" not in text  # another team's surprise visit


def test_unit_contact_sees_announced_visits_but_never_a_coming_surprise(client, login, make, db):
    unit = make.unit(name="Quận Hà Đông")
    make.user(Role.UNIT_CONTACT, username="binh", home_unit_id=unit.id)
    plan = make.plan()
    joint = make.team(plan, TeamKind.JOINT)
    joint.name = "Đoàn liên ngành"
    surprise = make.team(plan, TeamKind.PUBLIC_SERVICE)
    surprise.name = "Đoàn công vụ"
    make.inspection(joint, unit, visit_at=days_from_now(20))
    make.inspection(surprise, unit, visit_at=days_from_now(5))
    db.session.commit()
    login("binh")

    text = _text(client.get("/"))
    assert "Đoàn liên ngành" in text
    assert "Đoàn công vụ" not in text
    assert client.get("/plans/").status_code == 403


def test_unit_contact_does_not_see_a_date_that_is_only_proposed(client, login, make, db):
    unit = make.unit()
    make.user(Role.UNIT_CONTACT, username="binh", home_unit_id=unit.id)
    inspection = make.inspection(make.team(make.plan(), TeamKind.JOINT), unit, visit_at=days_from_now(20))
    inspection.visits[0].status = VisitStatus.PROPOSED
    db.session.commit()
    login("binh")

    text = _text(client.get("/"))
    assert "chưa có ngày" in text
    assert inspection.visits[0].starts_at.strftime("/%m/%Y") not in text


def test_surprise_inspections_are_hidden_until_the_visit_starts(make, db):
    unit = make.unit()
    contact = make.user(Role.UNIT_CONTACT, home_unit_id=unit.id)
    plan_coordinator = make.user(Role.COORDINATOR)
    other_coordinator = make.user(Role.COORDINATOR)
    admin = make.user(Role.ADMIN)
    member = make.user(Role.INSPECTOR, home_unit_id=make.unit().id)
    outsider = make.user(Role.INSPECTOR, home_unit_id=make.unit().id)
    plan = make.plan()
    plan.coordinators.append(plan_coordinator)
    team = make.team(plan, TeamKind.PUBLIC_SERVICE, members=[member])
    coming = make.inspection(team, unit, visit_at=days_from_now(3))
    db.session.flush()

    def sees(user) -> bool:
        query = policy.visible_inspections(user).where(sa.literal_column("inspections.id") == coming.id)
        return db.session.scalar(query) is not None

    assert [sees(u) for u in (admin, plan_coordinator, member)] == [True, True, True]
    assert [sees(u) for u in (contact, other_coordinator, outsider)] == [False, False, False]

    coming.visits[0].starts_at = days_from_now(-1)
    db.session.flush()
    assert sees(contact) and sees(other_coordinator)
    assert not sees(outsider)  # not their team, not announced to them


def test_plan_page_shows_targets_and_teams_with_their_heads(client, login, make, db):
    make.user(Role.OBSERVER, username="hung")
    leader = make.user(Role.INSPECTOR, full_name="Lê Minh Tuấn", home_unit_id=make.unit().id)
    plan = make.plan()
    make.team(plan, TeamKind.JOINT, members=[leader])
    db.session.commit()
    login("hung")

    text = _text(client.get(f"/plans/{plan.id}"))
    assert "Trưởng đoàn: Lê Minh Tuấn" in text  # the members are on the team's page
    assert "01/03/2019 – 20/12/2019" in text
    assert "5 ngày làm việc" in text


def test_unknown_pages_get_a_clear_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)
