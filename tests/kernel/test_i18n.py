from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from babel.messages.pofile import read_po

from inspections.auth.models import User
from inspections.i18n import show_date, show_datetime
from inspections.units.models import Language
from tests.conftest import csrf_token
from tests.factories import PASSWORD

ROOT = Path(__file__).parents[2]


def test_pages_are_vietnamese_by_default(client):
    body = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi"' in body
    assert "Đăng nhập" in body and "Tên đăng nhập" in body


def test_switching_to_english_on_the_page(client):
    response = client.post(
        "/language", data={"csrf_token": csrf_token(client), "language": "en", "next": "/login"}
    )
    assert response.location == "/login"
    body = client.get("/login").get_data(as_text=True)
    assert '<html lang="en"' in body
    assert "Username" in body


def test_a_user_s_language_is_kept_with_the_account(app, client, login, make, db):
    user = make.user(username="lan")
    db.session.commit()
    login("lan")
    client.post("/language", data={"csrf_token": csrf_token(client), "language": "en"})

    db.session.expire_all()
    assert db.session.get(User, user.id).language == Language.EN
    # Another browser, with no language chosen: the account's language applies.
    other = app.test_client()
    other.post("/login", data={"csrf_token": csrf_token(other), "username": "lan", "password": PASSWORD})
    assert '<html lang="en"' in other.get("/").get_data(as_text=True)


def test_dates_are_dd_mm_yyyy_in_ho_chi_minh_time(app):
    with app.test_request_context():
        assert show_date(date(2019, 9, 2)) == "02/09/2019"
        # 18:30 UTC on 1 September is 01:30 on 2 September in Hanoi.
        moment = datetime(2019, 9, 1, 18, 30, tzinfo=UTC)
        assert show_date(moment) == "02/09/2019"
        assert show_datetime(moment) == "02/09/2019 01:30"


def test_every_message_has_a_vietnamese_translation(tmp_path):
    """Extract the messages afresh: a wrapped string without a translation fails here."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-k", "_plural:1,2", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with (ROOT / "inspections/translations/vi/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = read_po(f, locale="vi")
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalog
        if m.id and not m.fuzzy and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    assert sorted(wanted - translated) == []
