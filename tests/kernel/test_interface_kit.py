"""The shared interface pieces: dates typed as dd/mm/yyyy, the error summary, the vendored
assets matching their manifest, and the navigation's groups."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict
from wtforms.validators import InputRequired

from inspections.auth.models import Role
from inspections.forms import BaseForm, DayField, parse_typed_day

VENDOR = Path(__file__).resolve().parents[2] / "inspections/static/vendor"


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("25/03/2026", date(2026, 3, 25)),
        ("5/3/2026", date(2026, 3, 5)),
        ("25.03.2026", date(2026, 3, 25)),
        (" 2026-03-25 ", date(2026, 3, 25)),
        ("31/02/2026", None),
        ("03/25/2026", None),  # a month 25: mm/dd/yyyy is not read as a date
        ("25/03/26", None),
        ("hôm nay", None),
    ],
)
def test_a_typed_day_is_read_as_day_month_year(typed, day):
    assert parse_typed_day(typed) == day


class _Form(BaseForm):
    class Meta:
        csrf = False

    due = DayField("Due", validators=[InputRequired("Enter a date.")])


def test_the_day_field_shows_dd_mm_yyyy_and_refuses_nonsense(app):
    with app.test_request_context():
        form = _Form(data={"due": date(2026, 3, 5)})
        html = form.due()
        assert 'value="05/03/2026"' in html and 'placeholder="dd/mm/yyyy"' in html and 'type="text"' in html

        good = _Form(formdata=MultiDict({"due": "2026-03-05"}))
        assert good.validate() and good.due.data == date(2026, 3, 5)

        bad = _Form(formdata=MultiDict({"due": "31/02/2026"}))
        assert not bad.validate()
        assert bad.due.data is None and 'value="31/02/2026"' in bad.due()  # what was typed stays
        assert "dd/mm/yyyy" in " ".join(map(str, bad.due.errors))


def test_the_error_summary_links_each_error_to_its_field(app):
    with app.test_request_context():
        form = _Form(formdata=MultiDict({"due": "xx"}))
        form.validate()
        html = render_template_string(
            '{% from "_forms.html" import error_summary, field %}'
            "{{ error_summary(form) }}{{ field(form.due) }}",
            form=form,
        )
    assert 'class="error-summary"' in html and 'tabindex="-1"' in html
    assert f'<a href="#{form.due.id}">' in html
    assert 'aria-invalid="true"' in html and f'aria-describedby="{form.due.id}-error"' in html
    assert "required-mark" in html  # InputRequired marks the field


def test_a_form_without_errors_has_no_summary(app):
    with app.test_request_context():
        form = _Form(formdata=MultiDict({"due": "01/01/2026"}))
        assert form.validate()
        html = render_template_string(
            '{% from "_forms.html" import error_summary %}{{ error_summary(form) }}', form=form
        )
    assert "error-summary" not in html


def test_every_vendored_file_matches_its_manifest():
    manifest = json.loads((VENDOR / "MANIFEST.json").read_text(encoding="utf-8"))
    for key in ("bootstrap", "htmx.org", "axe-core"):
        entry = manifest[key]
        assert entry["pack"] and entry["licence"] and entry["version"] in entry["source"]
        for path, digest in entry["files"].items():
            data = (VENDOR / path).read_bytes()
            assert digest == "sha256:" + hashlib.sha256(data).hexdigest(), path
        assert any(p.endswith("LICENSE") for p in entry["files"]), key


def test_the_administration_group_shows_only_what_the_user_may_open(client, db, make, login):
    coordinator = make.user(Role.COORDINATOR)
    db.session.commit()
    login(coordinator.username)
    page = client.get("/").get_data(as_text=True)
    assert 'id="admin-menu"' in page and 'href="/checklists/"' in page
    assert 'href="/admin/system"' not in page and 'href="/admin/outbox"' not in page
    assert 'data-bs-toggle="offcanvas"' in page and "vendor/bootstrap-5.3.9/bootstrap.min.css" in page


def test_static_urls_name_their_file_s_content(client, db, make, login):
    """A release that changes field.js changes its URL: the service worker, which answers
    from its kept copy first, cannot hand the new page the old script."""
    static = Path(__file__).resolve().parents[2] / "inspections/static"
    coordinator = make.user(Role.COORDINATOR)
    db.session.commit()
    login(coordinator.username)
    page = client.get("/").get_data(as_text=True)
    digest = hashlib.sha256((static / "app.js").read_bytes()).hexdigest()[:12]
    assert f"/static/app.js?v={digest}" in page
    assert client.get(f"/static/app.js?v={digest}").status_code == 200
