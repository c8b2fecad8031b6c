"""The bulk assignment page: the selection survives a search and a page turn, "select all
on this page", chips that take a unit out, and the team offered first."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from inspections.auth.models import Role
from inspections.plans.models import PlanStatus
from inspections.units.models import UnitKind
from inspections.visits.models import Inspection
from tests.conftest import csrf_token

CHECKED = re.compile(r'type="checkbox" name="unit_ids" value="(\d+)"[^>]*checked')
CHIP = re.compile(r'data-unit-id="(\d+)"')


@pytest.fixture
def setting(make, db):
    lan = make.user(Role.COORDINATOR, username="lan")
    old = make.plan(title="Kế hoạch năm 2019", year=2019, status=PlanStatus.IN_PROGRESS)
    new = make.plan(title="Kế hoạch năm 2020", year=2020, status=PlanStatus.APPROVED)
    closed = make.plan(title="Kế hoạch năm 2021 (đã đóng)", year=2021, status=PlanStatus.CLOSED)
    foreign = make.plan(title="Kế hoạch năm 2022 của người khác", year=2022)
    for plan in (old, new, closed):
        plan.coordinators.append(lan)
    teams = {p.year: make.team(p) for p in (old, new, closed, foreign)}
    districts = [make.unit(code=f"q-{n:02d}", name=f"Quận {n:02d}") for n in range(60)]
    communes = [make.unit(code=f"x-{n:02d}", name=f"Xã {n:02d}", kind=UnitKind.COMMUNE) for n in range(3)]
    db.session.commit()
    return {"lan": lan, "teams": teams, "districts": districts, "communes": communes}


def _post(client, data: dict) -> str:
    token = csrf_token(client, "/assignments/bulk")
    response = client.post("/assignments/bulk", data={"csrf_token": token} | data)
    assert response.status_code == 302
    return response.headers["Location"]


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_ticked_units_stay_selected_across_a_new_search_and_show_as_chips(db, client, login, setting):
    login("lan")
    first, second = setting["districts"][0], setting["districts"][1]
    commune = setting["communes"][0]
    # Ticked on a search for districts, then a search for communes is asked for.
    where = _post(client, {"action": "search", "q": "xa", "unit_ids": [str(first.id), str(second.id)]})
    assert parse_qs(urlsplit(where).query)["selected"] == [f"{first.id},{second.id}"]
    page = _page(client, where)
    assert "Xã 00" in page and "Quận 00" not in page.split('id="bulk-units"')[1]
    assert set(CHIP.findall(page)) == {str(first.id), str(second.id)}
    # The off-page selection travels as hidden inputs: ticking a commune adds to it.
    hidden = re.findall(r'<input type="hidden" name="unit_ids" value="(\d+)">', page)
    assert set(hidden) == {str(first.id), str(second.id)}
    where = _post(client, {"action": "search", "q": "", "unit_ids": [*hidden, str(commune.id)]})
    page = _page(client, where)
    assert set(CHIP.findall(page)) == {str(first.id), str(second.id), str(commune.id)}
    assert set(CHECKED.findall(page)) == {str(first.id), str(second.id)}  # the districts on page 1
    assert "3 đơn vị đã chọn" in page or "3 units selected" in page


def test_select_all_on_this_page_and_the_next_page_keep_the_selection(db, client, login, setting):
    login("lan")
    page_ids = [str(u.id) for u in setting["districts"][:50]]
    where = _post(client, {"action": "select_page", "page_ids": page_ids, "kind": "district"})
    page = _page(client, where)
    assert len(set(CHIP.findall(page))) == 50
    assert set(CHECKED.findall(page)) == set(page_ids)
    next_after = re.search(r'name="next_after" value="([^"]+)"', page).group(1)
    hidden = re.findall(r'<input type="hidden" name="unit_ids" value="(\d+)">', page)
    assert hidden == []  # all of them are on this page, as ticked boxes
    where = _post(
        client, {"action": "next", "next_after": next_after, "kind": "district", "unit_ids": page_ids}
    )
    page = _page(client, where)
    assert "Quận 59" in page and len(set(CHIP.findall(page))) == 50
    assert len(re.findall(r'<input type="hidden" name="unit_ids" value="(\d+)">', page)) == 50


def test_a_chip_takes_its_unit_out_and_assigning_takes_every_selected_unit(db, client, login, setting):
    login("lan")
    chosen = setting["districts"][:3]
    ids = [str(u.id) for u in chosen]
    where = _post(client, {"unselect": ids[1], "unit_ids": ids})
    assert parse_qs(urlsplit(where).query)["selected"] == [f"{ids[0]},{ids[2]}"]
    team = setting["teams"][2020]
    where = _post(client, {"team_id": str(team.id), "unit_ids": [ids[0], ids[2]], "action": "assign"})
    assert where.endswith(f"/teams/{team.id}")
    assigned = {i.unit_id for i in db.session.query(Inspection).filter_by(team_id=team.id)}
    assert assigned == {chosen[0].id, chosen[2].id}


def test_nothing_selected_is_refused_and_the_search_is_kept(db, client, login, setting):
    login("lan")
    team = setting["teams"][2020]
    where = _post(client, {"team_id": str(team.id), "q": "quan 05"})
    assert "/assignments/bulk" in where and parse_qs(urlsplit(where).query)["q"] == ["quan 05"]
    page = _page(client, where)
    assert "Chọn ít nhất một đơn vị" in page or "Select at least one unit" in page
    assert db.session.query(Inspection).count() == 0


def test_the_team_offered_first_is_the_newest_open_plan_s_and_never_another_coordinator_s(
    db, client, login, setting
):
    login("lan")
    page = _page(client, "/assignments/bulk")
    team_select = page.split('id="team_id"')[1]
    options = re.findall(r'<option value="(\d+)" ?(selected)?>([^<]*)</option>', team_select)
    teams = setting["teams"]
    assert [int(v) for v, _, _ in options] == [teams[2020].id, teams[2019].id]  # no closed, no other's
    assert [int(v) for v, sel, _ in options if sel] == [teams[2020].id]
    # The team page's link names its team: that one is chosen.
    page = _page(client, f"/assignments/bulk?team_id={teams[2019].id}")
    options = re.findall(r'<option value="(\d+)" ?(selected)?>', page.split('id="team_id"')[1])
    assert [int(v) for v, sel in options if sel] == [teams[2019].id]


def test_the_unit_registry_s_own_form_still_assigns(db, client, login, setting):
    login("lan")
    team = setting["teams"][2020]
    unit = setting["districts"][7]
    token = csrf_token(client, "/assignments/bulk")
    response = client.post(
        "/assignments/bulk", data={"csrf_token": token, "team_id": str(team.id), "unit_ids": [str(unit.id)]}
    )
    assert response.headers["Location"].endswith(f"/teams/{team.id}")
    assert db.session.query(Inspection).filter_by(team_id=team.id, unit_id=unit.id).count() == 1


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.INSPECTOR, Role.UNIT_CONTACT])
def test_who_may_not_assign_gets_no_bulk_page(make, db, client, login, setting, role):
    make.user(role, username="someone")
    db.session.commit()
    login("someone")
    assert client.get("/assignments/bulk").status_code == 403
