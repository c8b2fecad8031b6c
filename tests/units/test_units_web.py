"""The unit registry pages: search, pages, export; surprise secrecy (import: tests/imports)."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from inspections.assignments.draw import PoolFilters, perform_draw
from inspections.auth.models import Role
from inspections.teams.models import TeamKind
from inspections.units.models import Unit, UnitKind
from inspections.visits.models import Inspection
from tests.conftest import csrf_token


@pytest.fixture
def staff(db, make, client, login):
    user = make.user(Role.COORDINATOR, username="lan")
    db.session.commit()
    login("lan")
    return user


def _count(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Unit))


def test_search_is_accent_insensitive_and_pages_by_keyset(db, make, client, staff):
    make.unit(code="q-hadong", name="Quận Hà Đông")
    for i in range(60):
        make.unit(code=f"x{i}", name=f"Xã {i:02d}", kind=UnitKind.COMMUNE)
    db.session.commit()
    found = client.get("/units/?q=ha+dong").get_data(as_text=True)
    assert "Quận Hà Đông" in found and "Xã 01" not in found
    first = client.get("/units/?kind=commune").get_data(as_text=True)
    assert first.count('data-code="x') == 50 and 'rel="next"' in first
    after = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    assert "kind=commune" in after
    second = client.get(after).get_data(as_text=True)
    assert second.count('data-code="x') == 10 and 'rel="next"' not in second


def test_a_unit_contact_never_learns_that_its_unit_was_drawn(app, db, make, client, login):
    lan = make.user(Role.COORDINATOR, username="lan")
    plan = make.plan(coordinators=[lan])
    team = make.team(
        plan, TeamKind.PUBLIC_SERVICE, members=[make.user(Role.INSPECTOR, home_unit_id=make.unit().id)]
    )
    drawn = make.unit(code="q-drawn", name="Quận Bị Rút")
    contact = make.user(Role.UNIT_CONTACT, username="contact", home_unit_id=drawn.id)
    observer = make.user(Role.OBSERVER, username="obs")
    with app.test_request_context():
        draw = perform_draw(team, actor=lan, count=1, filters=PoolFilters(kinds=(UnitKind.DISTRICT,)))
    db.session.commit()
    assert draw.drawn_unit_ids == [drawn.id]  # the only district outside the members' zone
    assert db.session.scalar(sa.select(Inspection.unit_id)) == contact.home_unit_id and observer.id

    login("contact")
    pages = [
        client.get("/"),
        client.get("/units/"),
        client.get("/units/?q=bi+rut"),
        client.get(f"/units/{drawn.id}"),
        client.get("/units/export.csv"),
        client.get("/plans/"),
        client.get(f"/plans/{plan.id}"),
        client.get(f"/plans/{plan.id}/export.xlsx"),
        client.get(f"/teams/{team.id}"),
        client.get(f"/assignments/draws/{draw.id}"),
    ]
    home = pages[0].get_data(as_text=True)
    assert "Quận Bị Rút" in home  # its own unit, of course
    assert team.name not in home and plan.title not in home
    for response in pages[1:]:
        body = response.get_data(as_text=True)
        assert "Bị Rút" not in body and team.name not in body
    assert [r.status_code for r in pages[1:]] == [403, 403, 403, 403, 403, 404, 404, 404, 404]

    # An observer sees the registry, but not the surprise target, until the visit starts.
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login("obs")
    unit_page = client.get(f"/units/{drawn.id}").get_data(as_text=True)
    assert team.name not in unit_page
    # The plan's coordinator does see it.
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login("lan")
    assert team.name in client.get(f"/units/{drawn.id}").get_data(as_text=True)


def test_register_and_edit_a_unit_with_its_contact(db, make, client, staff):
    make.unit(code="ubnd-hn", name="UBND Thành phố Hà Nội", kind=UnitKind.CITY)
    db.session.commit()
    form = {
        "code": "q-hadong",
        "name": "Quận Hà Đông",
        "kind": "district",
        "division_type": "urban_district",
        "parent_code": "ubnd-hn",
        "active": "y",
        "contact_name": "Văn thư",
        "contact_email": "vanthu@hadong.example",
        "contact_language": "vi",
    }
    page = client.post("/units/new", data=form | {"csrf_token": csrf_token(client, "/units/new")})
    assert page.status_code == 302
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "q-hadong"))
    assert unit.parent.code == "ubnd-hn" and unit.contacts[0].email == "vanthu@hadong.example"

    bad = client.post(
        f"/units/{unit.id}/edit",
        data=form | {"parent_code": "nowhere", "csrf_token": csrf_token(client, f"/units/{unit.id}/edit")},
    )
    assert bad.status_code == 200 and "nowhere" in bad.get_data(as_text=True)
    client.post(
        f"/units/{unit.id}/edit",
        data=form
        | {"name": "Quận Hà Đông (mới)", "contact_email": "moi@hadong.example", "active": ""}
        | {"csrf_token": csrf_token(client, f"/units/{unit.id}/edit")},
    )
    db.session.expire_all()
    unit = db.session.get(Unit, unit.id)
    assert unit.name == "Quận Hà Đông (mới)" and unit.search_name == "quan ha dong (moi)" and not unit.active
    assert [(c.email, c.active) for c in unit.contacts] == [
        ("vanthu@hadong.example", False),
        ("moi@hadong.example", True),
    ]
    duplicate = client.post("/units/new", data=form | {"csrf_token": csrf_token(client, "/units/new")})
    assert duplicate.status_code == 200 and 'class="flash error"' in duplicate.get_data(as_text=True)


def test_an_observer_s_plan_export_leaves_out_surprise_targets(app, db, make, client, login):
    from openpyxl import load_workbook

    lan = make.user(Role.COORDINATOR)
    make.user(Role.OBSERVER, username="obs")
    plan = make.plan(coordinators=[lan])
    joint = make.team(plan, TeamKind.JOINT)
    surprise = make.team(plan, TeamKind.PUBLIC_SERVICE)
    make.inspection(joint, make.unit(code="announced"))
    make.inspection(surprise, make.unit(code="secret"), drawn=True)
    db.session.commit()
    login("obs")
    book = load_workbook(io.BytesIO(client.get(f"/plans/{plan.id}/export.xlsx").data))
    codes = [row[0] for row in book.worksheets[2].iter_rows(min_row=2, values_only=True)]
    assert codes == ["announced"]
