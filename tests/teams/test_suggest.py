"""The team pickers' suggestions: people for a team's seats, teams to assign units to."""

from __future__ import annotations

import pytest

from inspections.auth.models import Role
from inspections.plans.models import PlanStatus
from inspections.teams.models import TeamKind
from tests.conftest import csrf_token


@pytest.fixture
def setting(make, db):
    home = make.unit(code="so-tuphap", name="Sở Tư pháp")
    lan = make.user(Role.COORDINATOR, username="lan")
    other = make.user(Role.COORDINATOR, username="other")
    plan = make.plan(title="Kế hoạch kiểm tra CCHC năm 2019")
    plan.coordinators.append(lan)
    other_plan = make.plan(title="Kế hoạch của quận", year=2020)
    other_plan.coordinators.append(other)
    team = make.team(plan)
    team.name = "Đoàn kiểm tra liên ngành"
    other_team = make.team(other_plan)
    other_team.name = "Đoàn của quận"
    huy = make.user(Role.INSPECTOR, username="huy", full_name="Nguyễn Văn Huy", home_unit_id=home.id)
    make.user(Role.INSPECTOR, username="hung", full_name="Trần Hùng", email="thung@so.example")
    make.user(Role.INSPECTOR, username="huyen", full_name="Lê Huyền", active=False)
    make.user(Role.UNIT_CONTACT, username="huycontact", full_name="Huy Liên Hệ")
    db.session.commit()
    return {"team": team, "other_team": other_team, "huy": huy, "plan": plan}


def _results(client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200 and response.is_json
    return response.get_json()["results"]


def test_people_are_found_by_name_username_or_email_but_never_a_contact_or_inactive(
    db, client, login, setting
):
    login("lan")
    url = f"/teams/{setting['team'].id}/people/suggest?q="
    found = _results(client, url + "huy")
    assert [r["value"] for r in found] == ["huy"]  # not the inactive Huyền, not the unit contact
    assert found[0]["text"] == "Nguyễn Văn Huy" and "Sở Tư pháp" in found[0]["hint"]
    assert [r["value"] for r in _results(client, url + "thung@")] == ["hung"]
    assert [r["value"] for r in _results(client, url + "HÙNG")] == ["hung"]
    assert _results(client, url + "") == []
    assert _results(client, url + "%") == []


def test_people_already_on_the_team_are_not_suggested_again(make, db, client, login, setting):
    login("lan")
    team_url = f"/teams/{setting['team'].id}"
    token = csrf_token(client, team_url)
    client.post(f"{team_url}/members", data={"csrf_token": token, "username": "huy", "role": "member"})
    assert [m.user.username for m in setting["team"].memberships] == ["huy"]
    assert _results(client, f"/teams/{setting['team'].id}/people/suggest?q=huy") == []


def test_a_coordinator_of_another_plan_gets_nobody_for_this_team(db, client, login, setting):
    login("other")
    response = client.get(f"/teams/{setting['team'].id}/people/suggest?q=huy")
    assert response.status_code == 404 and not response.is_json
    assert "Nguyễn Văn Huy" not in response.get_data(as_text=True)
    assert client.get("/teams/99999999999/people/suggest?q=huy").status_code == 404


def test_teams_are_suggested_only_to_who_may_assign_to_them(db, client, login, setting):
    login("other")
    assert [r["text"] for r in _results(client, "/teams/suggest?q=doan")] == ["Đoàn của quận"]
    assert _results(client, "/teams/suggest?q=lien+nganh") == []


def test_a_closed_plan_s_teams_are_not_suggested(db, client, login, setting):
    login("lan")
    found = _results(client, "/teams/suggest?q=lien+nganh")
    assert [r["value"] for r in found] == [str(setting["team"].id)]
    assert found[0]["hint"] == "Kế hoạch kiểm tra CCHC năm 2019"
    setting["plan"].status = PlanStatus.CLOSED
    db.session.commit()
    assert _results(client, "/teams/suggest?q=lien+nganh") == []


@pytest.mark.parametrize("role", [Role.UNIT_CONTACT, Role.INSPECTOR, Role.OBSERVER])
def test_who_runs_no_plan_gets_no_team_suggestion(make, db, client, login, setting, role):
    make.user(role, username="someone")
    db.session.commit()
    login("someone")
    assert client.get("/teams/suggest?q=doan").status_code == 403
    assert client.get(f"/teams/{setting['team'].id}/people/suggest?q=huy").status_code == 404


def test_anonymous_suggestions_go_to_the_login_page(client, setting):
    for url in ("/teams/suggest?q=doan", f"/teams/{setting['team'].id}/people/suggest?q=huy"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_team_page_offers_pickers_over_plain_inputs_and_asks_before_removing(
    make, db, client, login, setting
):
    team = setting["team"]
    login("lan")
    token = csrf_token(client, f"/teams/{team.id}")
    client.post(f"/teams/{team.id}/members", data={"csrf_token": token, "username": "huy", "role": "head"})
    page = client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert 'data-picker="users"' in page and f"/teams/{team.id}/people/suggest" in page
    assert 'name="username"' in page and 'data-picker="units"' in page
    assert "data-confirm=" in page and "Nguyễn Văn Huy" in page
    assert "pickers.js" in page and "tom-select.complete.min.js" in page
    assert team.kind == TeamKind.JOINT
