"""People (inactive accounts, a one-time link each), several contacts per unit, and the
template of each import."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from inspections.auth.models import Role, User
from inspections.auth.services import authenticate
from inspections.imports.models import ImportKind, ImportStatus
from inspections.imports.parsing import CONTACT_LAYOUT, PEOPLE_LAYOUT, UNIT_LAYOUT
from inspections.imports.services import apply_file, check_file
from inspections.outbox.models import Notification
from inspections.units.models import UnitContact
from tests.imports.helpers import csv_data, write
from tests.imports.test_import_jobs import run_upload

PEOPLE = PEOPLE_LAYOUT.names


@pytest.fixture
def request_context(app, db):
    with app.test_request_context():
        yield


def _people(*rows: dict[str, str]) -> bytes:
    return csv_data([[r.get(c, "") for c in PEOPLE] for r in rows], header=PEOPLE)


def test_people_get_inactive_accounts_and_a_one_time_link_each(db, make, client, login):
    make.unit(code="hn-stp", name="Sở Tư pháp")
    make.unit(code="q-hadong", name="Quận Hà Đông")
    db.session.commit()
    data = _people(
        {"full_name": "Lê Văn Cường", "email": "Cuong.LV@stp.hanoi.example", "home_unit_code": "hn-stp",
         "role": "inspector"},
        {"full_name": "Phạm Thị Dung", "email": "dung@hadong.example", "username": "dung.pt",
         "home_unit_code": "q-hadong", "role": "Đầu mối đơn vị", "language": "en"},
    )  # fmt: skip
    job = run_upload(db, make, client, login, data, "people.csv", confirm=True, kind="people")
    assert job.status == ImportStatus.DONE, job.message
    assert job.counts == {"create": 2, "existing": 0}
    users = {u.username: u for u in db.session.scalars(sa.select(User).where(User.username != "importer"))}
    assert set(users) == {"Cuong.LV@stp.hanoi.example", "dung.pt"}
    assert not any(u.active for u in users.values())  # until the password is set
    assert users["dung.pt"].role == Role.UNIT_CONTACT and users["dung.pt"].language.value == "en"
    links = db.session.scalars(sa.select(Notification).where(Notification.kind == "password_link")).all()
    assert sorted(n.recipient_user_id for n in links) == sorted(u.id for u in users.values())
    with client.application.test_request_context():
        assert authenticate("dung.pt", "anything at all") is None
    # The same file again changes nothing and mails nobody.
    again = run_upload(db, make, client, login, data, "people.csv", confirm=True, kind="people")
    assert again.counts == {"create": 0, "existing": 2}
    assert db.session.scalar(sa.select(sa.func.count()).where(Notification.kind == "password_link")) == 2


def test_a_file_cannot_make_an_admin_and_a_unit_official_needs_a_unit(db, make, tmp_path, request_context):
    make.unit(code="hn-stp", name="Sở Tư pháp")
    data = _people(
        {"full_name": "Kẻ Gian", "email": "boss@evil.example", "home_unit_code": "hn-stp", "role": "admin"},
        {"full_name": "Điều Phối", "email": "dp@hn.example", "home_unit_code": "hn-stp",
         "role": "coordinator"},
        {"full_name": "Không Đơn Vị", "email": "kdv@hn.example", "role": "unit_contact"},
        {"full_name": "Sai Đơn Vị", "email": "sdv@hn.example", "home_unit_code": "nowhere",
         "role": "inspector"},
        {"full_name": "Lặp", "email": "BOSS@evil.example", "home_unit_code": "hn-stp", "role": "inspector"},
    )  # fmt: skip
    checked = check_file(write(tmp_path, data, "csv"), "csv", ImportKind.PEOPLE)
    assert {(e.row, e.column) for e in checked.errors} == {
        (2, "role"), (3, "role"), (4, "home_unit_code"), (5, "home_unit_code"), (6, "email"),
    }  # fmt: skip
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_a_unit_takes_several_contacts_and_a_second_file_updates_them(db, make, tmp_path, request_context):
    unit = make.unit(code="q-hadong", name="Quận Hà Đông")
    columns = CONTACT_LAYOUT.names
    rows = [
        ["q-hadong", "Văn thư", "vanthu@hadong.example", "vi", "1"],
        ["q-hadong", "Chánh văn phòng", "cvp@hadong.example", "en", "1"],
        ["q-hadong", "Phó chánh văn phòng", "pcvp@hadong.example", "", ""],
    ]
    path = write(tmp_path, csv_data(rows, header=columns), "csv")
    assert check_file(path, "csv", ImportKind.CONTACTS).counts == {"create": 3, "update": 0, "unchanged": 0}
    apply_file(path, "csv", ImportKind.CONTACTS, actor=None)
    changed = [["q-hadong", "Văn thư", "vanthu@hadong.example", "vi", "0"], *rows[1:]]
    path = write(tmp_path, csv_data(changed, header=columns), "csv", "again")
    assert check_file(path, "csv", ImportKind.CONTACTS).counts == {"create": 0, "update": 1, "unchanged": 2}
    apply_file(path, "csv", ImportKind.CONTACTS, actor=None)
    contacts = db.session.execute(
        sa.select(UnitContact.email, UnitContact.active)
        .where(UnitContact.unit_id == unit.id)
        .order_by(UnitContact.id)
    ).all()
    assert contacts == [
        ("vanthu@hadong.example", False), ("cvp@hadong.example", True), ("pcvp@hadong.example", True),
    ]  # fmt: skip
    bad = write(
        tmp_path,
        csv_data([["q-nowhere", "X", "x@x.example", "", ""], rows[0], rows[0]], header=columns),
        "csv",
        "bad",
    )
    assert {(e.row, e.column) for e in check_file(bad, "csv", ImportKind.CONTACTS).errors} == {
        (2, "unit_code"), (4, "contact_email"),
    }  # fmt: skip


@pytest.mark.parametrize("kind", ["units", "contacts", "people"])
def test_each_import_has_a_template_with_both_languages_and_a_sample_row(db, make, client, login, kind):
    make.user(Role.ADMIN, username="boss")
    db.session.commit()
    login("boss")
    layout = {"units": UNIT_LAYOUT, "contacts": CONTACT_LAYOUT, "people": PEOPLE_LAYOUT}[kind]
    answer = client.get(f"/imports/template/{kind}.xlsx")
    assert answer.status_code == 200
    rows = list(load_workbook(io.BytesIO(answer.data)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and len(rows[0]) == len(layout.columns)
    assert rows[0][0] in {
        "Mã / Code",
        "Mã đơn vị / Unit code",
        "Họ và tên / Full name",
        "Unit code",
        "Full name",
    }
    assert all(rows[1][i] == (c.sample or None) for i, c in enumerate(layout.columns))
    text = client.get(f"/imports/template/{kind}.csv").data.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[0][0] == rows[0][0]


def test_the_unit_template_imports_as_it_is(db, make, client, login, tmp_path):
    make.user(Role.COORDINATOR, username="lan")
    db.session.commit()
    login("lan")
    data = client.get("/imports/template/units.xlsx").data
    with client.application.test_request_context():
        checked = check_file(write(tmp_path, data, "xlsx"), "xlsx", ImportKind.UNITS)
    assert checked.ok and checked.counts["create"] == 1, checked.errors
