"""The national data set: the demo inflated to a whole country (issue 12).

`flask --app wsgi demo national [--scale S]` adds, on top of the demo, at scale 1:
100,000 units in the 62 other provinces and centrally-run cities (the provincial People's
Committee, its departments, districts, communes and the public service units under them),
3,000 people (coordinators, observers, inspectors, unit contacts), 500 teams under 186
plans (last year's, closed; this year's, under way; next year's, approved), 100,000
inspections with one visit each (joint and surprise; the past ones done, the others
approved), 1,000,000 findings on the visits that have started, 100,000 corrective
actions, the schedule notices of the joint visits (sent) and the audit events of it all.

Rows go in with COPY on PostgreSQL (executemany on SQLite), in one transaction, with ids
given here; the audit events continue the hash chain under its lock, hashed by the audit
service's own digest. The generator is seeded: the same scale on the same day gives the
same rows. It runs once: an audit event `demo.national` marks a database that has it. It
refuses a database that holds anything the demo did not make (`foreign_data`).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any, cast

import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.audit.services import GENESIS, _digest, _lock_chain, jsonable
from inspections.auth.models import Role, User
from inspections.db import utcnow
from inspections.demo import data
from inspections.demo.services import load_demo
from inspections.extensions import db
from inspections.findings.checklists import load_default_template
from inspections.findings.models import Criterion, FindingResult, Severity
from inspections.i18n import today as local_today
from inspections.plans.models import Plan, PlanStatus
from inspections.remediation.models import ActionStatus
from inspections.teams.models import TeamKind, TeamRole
from inspections.units.models import DivisionType, Unit, UnitKind
from inspections.units.services import search_key
from inspections.visits.models import InspectionKind, InspectionStatus, Slot, VisitStatus
from inspections.visits.services import visit_times
from inspections.workdays.calendar import load_calendar

MARKER = "demo.national"
SEED = "demo-national-v1"
MAIL_DOMAIN = "cchc.example"  # RFC 2606: never a real mailbox
# Not an argon2 hash: no password can match it (only the demo accounts can log in).
UNUSABLE_PASSWORD = "!national-generated-no-login"  # noqa: S105 - a marker, not a secret

# At scale 1 (the figures).
FULL = {
    "units": 100_000,
    "teams": 500,
    "people": 3_000,
    "inspections": 100_000,
    "findings": 1_000_000,
    "actions": 100_000,
}
PROVINCE_COUNT, DISTRICT_COUNT, COMMUNE_COUNT = 62, 700, 10_600
MIN_SCALE, MAX_SCALE = 0.001, 1.0
# Share of each plan year (last, this, next) in the inspections; share of joint ones.
YEAR_SHARES = (0.40, 0.45, 0.15)
JOINT_SHARE = 0.4

# Hanoi is the demo's: these are the 62 others, the five centrally-run cities first.
CITIES = ["Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"]
PROVINCES = [
    "Hà Giang", "Cao Bằng", "Bắc Kạn", "Tuyên Quang", "Lào Cai", "Điện Biên", "Lai Châu", "Sơn La",
    "Yên Bái", "Hòa Bình", "Thái Nguyên", "Lạng Sơn", "Quảng Ninh", "Bắc Giang", "Phú Thọ", "Vĩnh Phúc",
    "Bắc Ninh", "Hải Dương", "Hưng Yên", "Thái Bình", "Hà Nam", "Nam Định", "Ninh Bình", "Thanh Hóa",
    "Nghệ An", "Hà Tĩnh", "Quảng Bình", "Quảng Trị", "Thừa Thiên Huế", "Quảng Nam", "Quảng Ngãi",
    "Bình Định", "Phú Yên", "Khánh Hòa", "Ninh Thuận", "Bình Thuận", "Kon Tum", "Gia Lai", "Đắk Lắk",
    "Đắk Nông", "Lâm Đồng", "Bình Phước", "Tây Ninh", "Bình Dương", "Đồng Nai", "Bà Rịa - Vũng Tàu",
    "Long An", "Tiền Giang", "Bến Tre", "Trà Vinh", "Vĩnh Long", "Đồng Tháp", "An Giang", "Kiên Giang",
    "Hậu Giang", "Sóc Trăng", "Bạc Liêu", "Cà Mau",
]  # fmt: skip
# The departments of each province: the first six send the team members, the others are
# inspected (so no member ever inspects the own department or a unit under it).
MEMBER_DEPARTMENTS = ["so-noivu", "vp-ubnd", "so-tuphap", "so-tttt", "thanhtra-tp", "so-taichinh"]
TARGET_DEPARTMENTS = ["so-yte", "so-gddt", "so-xaydung", "so-gtvt", "so-tnmt", "so-ldtbxh"]
SYLLABLES = [
    "An", "Bình", "Tân", "Hòa", "Phú", "Thạnh", "Long", "Phước", "Hưng", "Thuận", "Vĩnh", "Đông",
    "Tây", "Nam", "Bắc", "Trung", "Quang", "Minh", "Hiệp", "Thịnh", "Đức", "Xuân", "Hải", "Sơn",
    "Thanh", "Cẩm", "Kim", "Ngọc", "Hồng", "Lạc", "Mỹ", "Lộc", "Phong", "Thái", "Hà", "Lâm", "Yên",
    "Định", "Khánh", "Thắng", "Lợi", "Hội", "Nghĩa", "Quý", "Tiến", "Thành", "Hoàng", "Châu",
    "Lương", "Hạnh", "Cát", "Tường", "Đại", "Tiên", "Vân", "Hữu", "Trường", "Gia", "Kỳ", "Bảo",
]  # fmt: skip
NOTABLES = [
    "Nguyễn Du", "Lê Lợi", "Trần Hưng Đạo", "Lý Thường Kiệt", "Chu Văn An", "Nguyễn Trãi",
    "Lê Quý Đôn", "Quang Trung", "Nguyễn Huệ", "Phan Bội Châu", "Võ Thị Sáu", "Kim Đồng",
    "Nguyễn Văn Trỗi", "Trần Phú", "Lê Hồng Phong", "Hai Bà Trưng", "Ngô Quyền", "Nguyễn Khuyến",
]  # fmt: skip
FAMILY = ["Nguyễn"] * 8 + ["Trần"] * 3 + ["Lê"] * 2 + [
    "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
]  # fmt: skip
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quốc", "Ngọc", "Thu", "Hoàng", "Xuân", "Kim"]
GIVEN = [
    "An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh",
    "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Ngọc", "Phong", "Phương", "Quân", "Quang", "Sơn",
    "Tâm", "Thảo", "Thắng", "Trang", "Trung", "Tuấn", "Vân", "Việt", "Yến", "Giang", "Thủy", "Đạt",
]  # fmt: skip
# Public service units: (name pattern, level, parent department or None), weighted by
# how many a country has. {place} is the host's place name, {notable} a school patron.
SERVICE_UNITS = [
    ("Trường Mầm non {place}", "commune", 24),
    ("Trường Tiểu học {place}", "commune", 24),
    ("Trường Trung học cơ sở {notable}", "commune", 20),
    ("Trạm Y tế {division} {place}", "commune", 16),
    ("Trường Trung học phổ thông {notable}", "district", 4),
    ("Trung tâm Y tế {division} {place}", "district", 2),
    ("Trung tâm Văn hóa - Thể thao {division} {place}", "district", 2),
    ("Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên {division} {place}", "district", 2),
    ("Ban Quản lý dự án đầu tư xây dựng {division} {place}", "district", 1),
    ("Bệnh viện Đa khoa {province}", "province:so-yte", 1),
    ("Trung tâm Kiểm soát bệnh tật {province}", "province:so-yte", 1),
    ("Trường Cao đẳng {place}", "province:so-gddt", 1),
    ("Trung tâm Dịch vụ việc làm {province}", "province:so-ldtbxh", 1),
]
FINDING_RESULTS = [
    (FindingResult.COMPLIANT, 55),
    (FindingResult.NON_COMPLIANT, 18),
    (FindingResult.OBSERVATION, 12),
    (FindingResult.GOOD_PRACTICE, 5),
    (FindingResult.NOT_APPLICABLE, 10),
]
FINDING_TEXTS = {
    FindingResult.COMPLIANT: [
        "Đã niêm yết công khai đầy đủ thủ tục hành chính tại bộ phận một cửa.",
        "Hồ sơ được tiếp nhận, giải quyết đúng hạn theo quy định.",
        "Đã ban hành kế hoạch cải cách hành chính năm và triển khai đúng tiến độ.",
    ],
    FindingResult.NON_COMPLIANT: [
        "Một số hồ sơ giải quyết quá hạn nhưng không có văn bản xin lỗi, hẹn lại.",
        "Chưa cập nhật thủ tục hành chính mới trên cổng dịch vụ công.",
        "Việc đánh giá, xếp loại công chức hằng tháng chưa đúng quy định.",
        "Bố trí người kiêm nhiệm chức danh không chuyên trách chưa đúng quy định.",
    ],
    FindingResult.OBSERVATION: [
        "Tỷ lệ hồ sơ trực tuyến mức độ 3, 4 còn thấp so với chỉ tiêu.",
        "Sổ theo dõi hồ sơ ghi chép chưa đầy đủ một số cột.",
    ],
    FindingResult.GOOD_PRACTICE: ["Áp dụng phần mềm nhắc hạn giải quyết hồ sơ cho từng công chức."],
    FindingResult.NOT_APPLICABLE: [""],
}
ACTION_TEXTS = [
    "Rà soát, giải quyết dứt điểm các hồ sơ quá hạn và gửi văn bản xin lỗi công dân.",
    "Cập nhật đầy đủ thủ tục hành chính trên cổng dịch vụ công và tại bộ phận một cửa.",
    "Thực hiện lại việc đánh giá, xếp loại công chức theo đúng quy định.",
    "Kiện toàn việc bố trí người hoạt động không chuyên trách theo quy định.",
]
SEVERITIES = [Severity.LOW, Severity.MEDIUM, Severity.MEDIUM, Severity.HIGH]


class NationalRefused(Exception):
    """The database is not a demo database: the national data set is not added to it."""


@dataclass
class NationalReport:
    created: dict[str, int] = field(default_factory=dict)
    already: dict[str, Any] | None = None  # the marker's content, when it was there already
    demo_loaded: bool = False
    seconds: float = 0.0


def targets(scale: float) -> dict[str, int]:
    """The counts to add at this scale."""
    return {what: max(1, round(n * scale)) for what, n in FULL.items()}


# --- the checks --------------------------------------------------------------------------


def marker() -> AuditEvent | None:
    return db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == MARKER).limit(1))


def _demo_unit_codes() -> list[str]:
    codes = [data.CITY[0]] + [c for c, *_ in data.DEPARTMENTS] + [c for c, *_ in data.district_units()]
    return codes + [c for c, *_ in data.COMMUNES] + [c for c, *_ in data.HOSPITALS]


def foreign_data() -> str | None:
    """What the database holds that the demo loader did not make, or None.

    Precisely: a unit whose code is not one of the demo's, a user whose username is not
    one of the demo accounts, or a plan that is neither the demo plan nor a copy of it.
    Three EXISTS queries, each stopped at its first row.
    """
    unit = db.session.scalar(sa.select(Unit.code).where(Unit.code.not_in(_demo_unit_codes())).limit(1))
    if unit is not None:
        return f"unit {unit!r} is not one of the demo's"
    usernames = [username for username, *_ in data.ACCOUNTS]
    user = db.session.scalar(sa.select(User.username).where(User.username.not_in(usernames)).limit(1))
    if user is not None:
        return f"user {user!r} is not a demo account"
    demo_plans = sa.select(Plan.id).where(Plan.title == data.PLAN["title"])
    plan = db.session.scalar(
        sa.select(Plan.title)
        .where(
            Plan.title != data.PLAN["title"],
            sa.or_(Plan.copied_from_id.is_(None), Plan.copied_from_id.not_in(demo_plans)),
        )
        .limit(1)
    )
    if plan is not None:
        return f"plan {plan!r} is neither the demo plan nor a copy of it"
    return None


# --- writing rows fast -------------------------------------------------------------------


def _sqlite_value(value: Any) -> Any:
    """What SQLAlchemy itself would store on SQLite (naive UTC text, ISO dates)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _defaults(table: str, columns: Sequence[str]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """The model's Python-side defaults of the columns not given (COPY applies only the
    server's), so that a column added to a model later still gets its default here."""
    names, values = [], []
    for column in db.metadata.tables[table].columns:
        default = column.default
        if column.name in columns or not isinstance(default, sa.ColumnDefault):
            continue
        value = default.arg(None) if default.is_callable else default.arg
        if isinstance(value, Enum):
            value = value.value
        elif isinstance(value, dict | list):
            value = _json(value)
        names.append(column.name)
        values.append(value)
    return tuple(names), tuple(values)


class _Writer:
    """COPY on PostgreSQL, executemany elsewhere, on the session's own connection."""

    def __init__(self, connection: sa.Connection) -> None:
        self.postgres = connection.dialect.name == "postgresql"
        self.raw = connection.connection.driver_connection
        self.tables: list[str] = []

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        if table not in self.tables:
            self.tables.append(table)
        extra_names, extra_values = _defaults(table, columns)
        if extra_names:
            columns = tuple(columns) + extra_names
            rows = (tuple(row) + extra_values for row in rows)
        count = 0
        names = ", ".join(columns)
        if self.postgres:
            with self.raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count

        def converted() -> Iterator[tuple[Any, ...]]:
            nonlocal count
            for row in rows:
                count += 1
                yield tuple(_sqlite_value(v) for v in row)

        marks = ", ".join("?" for _ in columns)
        cursor = self.raw.cursor()
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", converted())  # noqa: S608
        cursor.close()
        return count


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass
class _Event:
    """The fields of an AuditEvent that its digest covers (a plain object: no ORM cost)."""

    prev_hash: str
    occurred_at: datetime
    actor_id: int | None
    action: str
    object_type: str | None
    object_id: int | None
    before: Any
    after: Any


class _Audit:
    """Events appended to the chain in id order, hashed as `record` hashes them."""

    COLUMNS = ("id", "occurred_at", "actor_id", "action", "object_type", "object_id", "before", "after")
    COLUMNS += ("prev_hash", "hash")

    def __init__(self, next_id: int, head: str | None, now: datetime) -> None:
        self.next_id = next_id
        self.head = head or GENESIS
        self.moment = now
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0

    def add(self, action: str, actor: int | None, object_type: str, object_id: int, after: dict) -> None:
        self.moment += timedelta(microseconds=1)  # one clock, never going back
        after = jsonable(after)
        event = _Event(self.head, self.moment, actor, action, object_type, object_id, None, after)
        digest = _digest(cast(AuditEvent, event))
        self.rows.append(
            (self.next_id, self.moment, actor, action, object_type, object_id, None, _json(after))
            + (self.head, digest)
        )
        self.head = digest
        self.next_id += 1
        self.count += 1

    def flush(self, writer: _Writer) -> None:
        writer.write("audit_events", self.COLUMNS, self.rows)
        self.rows = []


# --- the generator ----------------------------------------------------------------------


@dataclass
class _Province:
    index: int
    name: str
    slug: str
    city: bool
    unit_id: int = 0
    departments: dict[str, int] = field(default_factory=dict)
    districts: list[tuple[int, str, DivisionType]] = field(default_factory=list)
    communes: list[tuple[int, str, DivisionType, int]] = field(default_factory=list)
    targets: list[int] = field(default_factory=list)  # units its plans inspect
    coordinator: int = 0
    observer: int = 0
    inspectors: list[tuple[int, int]] = field(default_factory=list)  # (user id, home unit id)
    plans: list[int] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"thành phố {self.name}" if self.city else f"tỉnh {self.name}"


DIVISION_WORDS = {
    DivisionType.URBAN_DISTRICT: "Quận",
    DivisionType.RURAL_DISTRICT: "Huyện",
    DivisionType.TOWN: "Thị xã",
    DivisionType.WARD: "Phường",
    DivisionType.COMMUNE: "Xã",
    DivisionType.TOWNSHIP: "Thị trấn",
}


def _spread(total: int, parts: int) -> list[int]:
    """`total` split into `parts` near-equal whole parts."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


class _Generator:
    def __init__(self, scale: float) -> None:
        self.scale = scale
        self.goal = targets(scale)
        self.rng = random.Random(f"{SEED}:{scale}")  # noqa: S311 - reproducible data, not secrets
        self.now = utcnow().replace(microsecond=0)
        self.today = local_today()
        self.session = db.session
        _lock_chain()  # before the head is read, as `record` does
        connection = self.session.connection()
        self.writer = _Writer(connection)
        self.ids = {
            table: (self.session.scalar(sa.text(f"SELECT MAX(id) FROM {table}")) or 0) + 1  # noqa: S608
            for table in (
                "units", "unit_contacts", "users", "plans", "plan_targets", "teams", "memberships",
                "inspections", "visits", "findings", "corrective_actions", "notifications", "audit_events",
            )
        }  # fmt: skip
        head = self.session.scalar(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
        self.audit = _Audit(self.ids["audit_events"], head, utcnow())
        self.created: dict[str, int] = {}
        users = {u.username: u for u in self.session.scalars(sa.select(User))}
        self.admin_id = users["admin"].id
        self.demo_users = users
        template, _ = load_default_template()
        self.template_id = template.id
        self.criteria = list(
            self.session.scalars(
                sa.select(Criterion.id)
                .where(Criterion.template_id == template.id, Criterion.parent_id.is_not(None))
                .order_by(Criterion.position)
            )
        )
        self.calendar = load_calendar(self.session)
        self.unit_names: dict[int, str] = {}
        self.unit_contacts: dict[int, tuple[int, str, str]] = {}  # unit id -> (contact id, name, email)
        self.user_names: dict[int, str] = {u.id: u.full_name for u in users.values()}

    def take(self, table: str, n: int = 1) -> int:
        """The first of `n` fresh ids of the table."""
        first = self.ids[table]
        self.ids[table] += n
        return first

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], what: str = "") -> int:
        n = self.writer.write(table, columns, rows)
        key = what or table
        self.created[key] = self.created.get(key, 0) + n
        return n

    def place(self) -> str:
        return f"{self.rng.choice(SYLLABLES)} {self.rng.choice(SYLLABLES)}"

    def person(self) -> str:
        family, middle, given = self.rng.choice(FAMILY), self.rng.choice(MIDDLE), self.rng.choice(GIVEN)
        return f"{family} {middle} {given}"

    # --- units ---------------------------------------------------------------------------

    def units(self) -> list[_Province]:
        goal = self.goal["units"]
        p = max(1, min(PROVINCE_COUNT, round(PROVINCE_COUNT * self.scale)))
        names = [(n, True) for n in CITIES] + [(n, False) for n in PROVINCES]
        provinces = [
            _Province(i, name, search_key(name).replace(" ", "").replace("-", ""), city)
            for i, (name, city) in enumerate(names[:p])
        ]
        departments = MEMBER_DEPARTMENTS + TARGET_DEPARTMENTS
        n_districts = max(p, round(DISTRICT_COUNT * self.scale))
        n_communes = max(n_districts, round(COMMUNE_COUNT * self.scale))
        n_services = goal - p * (1 + len(departments)) - n_districts - n_communes
        if n_services < 0:
            raise NationalRefused(f"scale {self.scale} is too small for the hierarchy")
        dept_names = {code: (name, name_en) for code, name, name_en in data.DEPARTMENTS}
        dept_names["so-ldtbxh"] = ("Sở Lao động - Thương binh và Xã hội", dept_names["so-ldtbxh"][1])
        rows: list[tuple[Any, ...]] = []
        created = self.now - timedelta(days=800)

        def unit(
            code: str,
            name: str,
            kind: UnitKind,
            parent: int | None,
            district: int | None = None,
            division: DivisionType | None = None,
            name_en: str | None = None,
        ) -> int:
            unit_id = self.take("units")
            rows.append(
                (unit_id, code, name, name_en, search_key(name), kind.value)
                + (division.value if division else None, parent, district, True, created)
            )
            self.unit_names[unit_id] = name
            return unit_id

        for province, n_d in zip(provinces, _spread(n_districts, p), strict=True):
            kind_word = "thành phố" if province.city else "tỉnh"
            province.unit_id = unit(
                f"ubnd-{province.slug}",
                f"Ủy ban nhân dân {kind_word} {province.name}",
                UnitKind.CITY,
                None,
                name_en=f"{province.name} People's Committee",
            )
            for code in departments:
                name, name_en = dept_names[code]
                if code == "vp-ubnd":
                    name = "Văn phòng Ủy ban nhân dân"
                elif code == "thanhtra-tp":
                    name = "Thanh tra"
                province.departments[code] = unit(
                    f"{code.removesuffix('-tp')}-{province.slug}",
                    f"{name} {province.title}",
                    UnitKind.DEPARTMENT,
                    province.unit_id,
                    name_en=f"{name_en} of {province.name}",
                )
            province.targets.extend(province.departments[c] for c in TARGET_DEPARTMENTS)
            for _ in range(n_d):
                division = self.rng.choices(
                    [DivisionType.RURAL_DISTRICT, DivisionType.URBAN_DISTRICT, DivisionType.TOWN],
                    [70, 15 if not province.city else 60, 15],
                )[0]
                place = self.place()
                number = len(rows) + 1
                district_id = unit(
                    f"qg-h{number:06d}",
                    f"{DIVISION_WORDS[division]} {place}",
                    UnitKind.DISTRICT,
                    province.unit_id,
                    division=division,
                )
                province.districts.append((district_id, place, division))
                province.targets.append(district_id)
        all_districts = [(prov, d) for prov in provinces for d in prov.districts]
        for (province, (district_id, _, district_division)), n_c in zip(
            all_districts, _spread(n_communes, len(all_districts)), strict=True
        ):
            for _ in range(n_c):
                if district_division == DivisionType.URBAN_DISTRICT:
                    division = DivisionType.WARD
                else:
                    division = self.rng.choices(
                        [DivisionType.COMMUNE, DivisionType.WARD, DivisionType.TOWNSHIP], [75, 15, 10]
                    )[0]
                place = self.place()
                commune_id = unit(
                    f"qg-x{len(rows) + 1:06d}",
                    f"{DIVISION_WORDS[division]} {place}",
                    UnitKind.COMMUNE,
                    district_id,
                    district_id,
                    division,
                )
                province.communes.append((commune_id, place, division, district_id))
                province.targets.append(commune_id)
        patterns = [(p_, level) for p_, level, _ in SERVICE_UNITS]
        weights = [w for *_, w in SERVICE_UNITS]
        for i, (pattern, level) in enumerate(self.rng.choices(patterns, weights, k=n_services)):
            province = provinces[i % p]
            if level == "commune":
                host, place, division, district_id = self.rng.choice(province.communes)
                parent = host
            elif level == "district":
                host, place, division = self.rng.choice(province.districts)
                parent = district_id = host
            else:
                place, division = self.place(), DivisionType.RURAL_DISTRICT
                district_id = self.rng.choice(province.districts)[0]
                parent = province.departments[level.split(":", 1)[1]]
            name = pattern.format(
                place=place,
                division=DIVISION_WORDS[division].lower(),
                notable=self.rng.choice(NOTABLES),
                province=province.title,
            )
            province.targets.append(
                unit(f"qg-s{len(rows) + 1:06d}", name, UnitKind.PUBLIC_SERVICE, parent, district_id)
            )
        columns = ("id", "code", "name", "name_en", "search_name", "kind", "division_type", "parent_id")
        self.write("units", columns + ("district_id", "active", "created_at"), rows)
        for row in rows:
            self.audit.add(
                "unit.create", self.admin_id, "unit", row[0], {"code": row[1], "name": row[2], "kind": row[5]}
            )
        self.contacts(rows)
        return provinces

    def contacts(self, units: list[tuple[Any, ...]]) -> None:
        """One clerk's address per unit, as the demo gives each of its units."""
        rows = []
        for unit_id, code, name, *_ in units:
            contact_id = self.take("unit_contacts")
            email = f"{code}@{MAIL_DOMAIN}"
            rows.append((contact_id, unit_id, f"Văn thư {name}"[:160], email, "vi", None, True))
            self.unit_contacts[unit_id] = (contact_id, f"Văn thư {name}"[:160], email)
        self.write("unit_contacts", ("id", "unit_id", "name", "email", "language", "user_id", "active"), rows)

    # --- people ------------------------------------------------------------------------

    def people(self, provinces: list[_Province]) -> None:
        total = self.goal["people"]
        p = len(provinces)
        inspectors = max(p, round(total * 0.6))
        contacts = max(0, total - 2 * p - inspectors)
        rows: list[tuple[Any, ...]] = []
        contact_links: list[tuple[int, int]] = []  # (user id, unit id)
        created = self.now - timedelta(days=700)

        def user(province: _Province, role: Role, home: int) -> int:
            user_id = self.take("users")
            full_name = self.person()
            family, *_, given = search_key(full_name).split()
            username = f"{given}.{family}{user_id}.{province.slug}"
            rows.append(
                (user_id, username, f"{username}@{MAIL_DOMAIN}", full_name, UNUSABLE_PASSWORD, role.value)
                + (home, "vi", True, created, None, 0)
            )
            self.user_names[user_id] = full_name
            return user_id

        for province in provinces:
            province.coordinator = user(province, Role.COORDINATOR, province.departments["so-noivu"])
            province.observer = user(province, Role.OBSERVER, province.departments["vp-ubnd"])
        for i in range(inspectors):
            province = provinces[i % p]
            home = province.departments[MEMBER_DEPARTMENTS[(i // p) % len(MEMBER_DEPARTMENTS)]]
            province.inspectors.append((user(province, Role.INSPECTOR, home), home))
        for i in range(contacts):
            province = provinces[i % p]
            unit_id = province.targets[(i // p) % len(province.targets)]
            contact_links.append((user(province, Role.UNIT_CONTACT, unit_id), unit_id))
        columns = ("id", "username", "email", "full_name", "password_hash", "role", "home_unit_id")
        columns += ("language", "active", "created_at", "last_login_at", "session_version")
        self.write("users", columns, rows, "people")
        for row in rows:
            self.audit.add("user.create", self.admin_id, "user", row[0], {"username": row[1], "role": row[5]})
        self.audit.flush(self.writer)
        # A unit contact with an account is the unit's clerk address too.
        if contact_links:
            self.session.execute(
                sa.text("UPDATE unit_contacts SET user_id = :u WHERE id = :c"),
                [{"u": user_id, "c": self.unit_contacts[unit_id][0]} for user_id, unit_id in contact_links],
            )

    # --- plans and teams ---------------------------------------------------------------

    def plans(self, provinces: list[_Province]) -> list[dict[str, Any]]:
        year = self.today.year
        statuses = {year - 1: PlanStatus.CLOSED, year: PlanStatus.IN_PROGRESS, year + 1: PlanStatus.APPROVED}
        plans: list[dict[str, Any]] = []
        rows, coordinators = [], []
        for province in provinces:
            for plan_year, status in statuses.items():
                plan_id = self.take("plans")
                province.plans.append(plan_id)
                issued = date(plan_year, 1, 10)
                title = (
                    "Kế hoạch kiểm tra công tác cải cách hành chính "
                    f"năm {plan_year} của Ủy ban nhân dân {province.title}"
                )
                plans.append(
                    {"id": plan_id, "year": plan_year, "province": province, "title": title, "teams": []}
                )
                rows.append(
                    (plan_id, plan_year, title, f"{100 + province.index}/KH-UBND", issued)
                    + (date(plan_year, 2, 1), date(plan_year, 12, 20), data.PLAN["content_areas"])
                    + (status.value, 5, None, province.coordinator, self._moment(issued))
                )
                coordinators.append((plan_id, province.coordinator))
        columns = ("id", "year", "title", "number", "issued_on", "window_start", "window_end")
        columns += ("content_areas", "status", "notice_working_days", "copied_from_id", "created_by_id")
        self.write("plans", columns + ("created_at",), rows)
        self.write("plan_coordinators", ("plan_id", "user_id"), coordinators, "plan coordinators")
        for row in rows:
            self.audit.add("plan.create", row[11], "plan", row[0], {"title": row[2], "status": row[8]})
        return plans

    def _moment(self, day: date, hour: int = 2) -> datetime:
        return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)

    def teams(self, plans: list[dict[str, Any]]) -> None:
        total = max(self.goal["teams"], 2 * len(plans))
        rows, members = [], []
        demo = self.demo_users
        for k in range(total):
            plan = plans[k % len(plans)]
            province: _Province = plan["province"]
            number = k // len(plans) + 1
            kind = TeamKind.JOINT if number % 2 == 1 else TeamKind.PUBLIC_SERVICE
            team_id = self.take("teams")
            if kind == TeamKind.JOINT:
                name = f"Đoàn kiểm tra liên ngành CCHC năm {plan['year']} {province.title} (số {number})"
            else:
                name = f"Đoàn Kiểm tra công vụ {province.title} năm {plan['year']} (số {number})"
            decided = date(plan["year"], 1, 20)
            rows.append(
                (team_id, plan["id"], name, kind.value, f"{200 + k}/QĐ-UBND", decided)
                + (f"Chủ tịch UBND {province.title}", 2, self._moment(decided))
            )
            size = min(len(province.inspectors), self.rng.randint(4, 6))
            seats = self.rng.sample(province.inspectors, size)
            # The demo's team leaders also lead the first province's first teams of this
            # year, so that their pages carry a national team's load.
            if province.index == 0 and plan["year"] == self.today.year and number <= 2:
                leader = demo["leader.joint" if kind == TeamKind.JOINT else "leader.surprise"]
                seats = [(leader.id, leader.home_unit_id), (demo["member"].id, demo["member"].home_unit_id)]
                seats += self.rng.sample(province.inspectors, min(len(province.inspectors), 3))
            roles = [TeamRole.HEAD, TeamRole.DEPUTY, TeamRole.SECRETARY] + [TeamRole.MEMBER] * 5
            for (user_id, home), role in zip(seats, roles, strict=False):
                members.append((self.take("memberships"), team_id, user_id, role.value, home))
            plan["teams"].append({"id": team_id, "kind": kind, "name": name, "head": seats[0][0]})
            self.audit.add(
                "team.create",
                province.coordinator,
                "team",
                team_id,
                {"name": name, "kind": kind.value, "members": [u for u, _ in seats]},
            )
        columns = ("id", "plan_id", "name", "kind", "decision_number", "decision_date", "decision_signer")
        self.write("teams", columns + ("visits_per_day", "created_at"), rows)
        self.write("memberships", ("id", "team_id", "user_id", "role", "home_unit_id"), members)

    # --- inspections, visits, findings, actions -----------------------------------------

    def working_days(self, start: date, end: date) -> list[date]:
        days, day = [], start
        while day <= end:
            if self.calendar.is_working_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def inspections(self, plans: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """Inspections and their visits; returns the visits that have started, as
        (visit id, unit id, start, team head, plan id)."""
        total = self.goal["inspections"]
        by_province: dict[int, list[dict[str, Any]]] = {}
        for plan in plans:
            by_province.setdefault(plan["province"].index, []).append(plan)
        shares = _spread(total, len(by_province))
        inspections, visits, started, targets_rows = [], [], [], []
        notices = []
        for (_, province_plans), share in zip(sorted(by_province.items()), shares, strict=True):
            per_year = [round(share * s) for s in YEAR_SHARES]
            per_year[-1] = share - sum(per_year[:-1])
            for plan, n in zip(province_plans, per_year, strict=True):
                province: _Province = plan["province"]
                units = self.rng.sample(province.targets, min(n, len(province.targets)))
                teams = {kind: [t for t in plan["teams"] if t["kind"] == kind] for kind in TeamKind}
                assigned: dict[int, list[tuple[int, InspectionKind]]] = {t["id"]: [] for t in plan["teams"]}
                counts = {InspectionKind.JOINT: 0, InspectionKind.SURPRISE: 0}
                for unit_id in units:
                    joint = self.rng.random() < JOINT_SHARE
                    kind = InspectionKind.JOINT if joint else InspectionKind.SURPRISE
                    pool = teams[TeamKind.JOINT if joint else TeamKind.PUBLIC_SERVICE]
                    team = pool[counts[kind] % len(pool)]
                    counts[kind] += 1
                    assigned[team["id"]].append((unit_id, kind))
                for kind, target_kind in (
                    (InspectionKind.JOINT, "joint"),
                    (InspectionKind.SURPRISE, "surprise"),
                ):
                    targets_rows.append((self.take("plan_targets"), plan["id"], target_kind, counts[kind]))
                targets_rows.append((self.take("plan_targets"), plan["id"], "case", 0))
                slots = [
                    (day, slot)
                    for day in self.working_days(date(plan["year"], 2, 1), date(plan["year"], 12, 20))
                    for slot in (Slot.MORNING, Slot.AFTERNOON)
                ]
                for team in plan["teams"]:
                    team_units = assigned[team["id"]]
                    step = len(slots) / max(1, len(team_units))
                    for i, (unit_id, kind) in enumerate(team_units):
                        day, slot = slots[min(len(slots) - 1, int(i * step))]
                        starts_at, ends_at = visit_times(day, slot)
                        inspection_id, visit_id = self.take("inspections"), self.take("visits")
                        assigned_at = self._moment(date(plan["year"], 1, 25))
                        if starts_at <= self.now:
                            status = VisitStatus.DONE if day < self.today else VisitStatus.IN_PROGRESS
                            i_status = (
                                InspectionStatus.VISITED if day < self.today else InspectionStatus.SCHEDULED
                            )
                            started.append((visit_id, unit_id, starts_at, team["head"], plan["id"]))
                        else:
                            status, i_status = VisitStatus.APPROVED, InspectionStatus.SCHEDULED
                        inspections.append(
                            (inspection_id, plan["id"], team["id"], unit_id, kind.value, i_status.value)
                            + (False, None, assigned_at)
                        )
                        visits.append(
                            (visit_id, inspection_id, starts_at, ends_at, slot.value, status.value)
                            + (False, 1, assigned_at)
                        )
                        self.audit.add(
                            "inspection.assign",
                            province.coordinator,
                            "inspection",
                            inspection_id,
                            {"plan": plan["id"], "team": team["id"], "unit": unit_id, "kind": kind.value},
                        )
                        self.audit.add(
                            "visit.create",
                            team["head"],
                            "visit",
                            visit_id,
                            {
                                "inspection_id": inspection_id,
                                "starts_at": starts_at,
                                "slot": slot,
                                "status": status,
                            },
                        )
                        if kind == InspectionKind.JOINT:
                            notices.append(
                                (visit_id, inspection_id, unit_id, starts_at, ends_at, slot, team, plan)
                            )
        self.write("plan_targets", ("id", "plan_id", "kind", "count"), targets_rows, "plan targets")
        columns = (
            "id",
            "plan_id",
            "team_id",
            "unit_id",
            "kind",
            "status",
            "drawn",
            "conflict_override_reason",
        )
        self.write("inspections", columns + ("created_at",), inspections)
        columns = ("id", "inspection_id", "starts_at", "ends_at", "slot", "status", "fixed", "version")
        self.write("visits", columns + ("created_at",), visits)
        self.audit.flush(self.writer)
        self.notices(notices)
        return started

    def notices(self, visits: list[tuple[Any, ...]]) -> None:
        """The schedule notice of each joint visit to its unit's clerk, sent when approved."""
        rows = []
        for visit_id, inspection_id, unit_id, starts_at, ends_at, slot, team, plan in visits:
            contact_id, name, email = self.unit_contacts[unit_id]
            day = starts_at.date().isoformat()
            due = min(self.now, starts_at - timedelta(days=10))
            context = {
                "visit_id": visit_id,
                "inspection_id": inspection_id,
                "visit_starts_at": starts_at.isoformat(),
                "visit_ends_at": ends_at.isoformat(),
                "visit_date": day,
                "slot": str(slot),
                "unit_name": self.unit_names[unit_id],
                "team_name": team["name"],
                "team_head": self.user_names.get(team["head"], ""),
                "plan_title": plan["title"],
            }
            notification_id = self.take("notifications")
            rows.append(
                (notification_id, f"visit:{visit_id}:schedule_notice:contact:{contact_id}:{day}")
                + ("schedule_notice", True, email, name, None, contact_id, "vi", "visit", visit_id)
                + (_json(context), f"<national-{notification_id}@{MAIL_DOMAIN}>", "sent", due, starts_at)
                + (None, 1, None, due, due + timedelta(seconds=40), due)
            )
        columns = ("id", "idempotency_key", "kind", "mandatory", "recipient_email", "recipient_name")
        columns += ("recipient_user_id", "recipient_contact_id", "language", "object_type", "object_id")
        columns += ("context", "message_id", "status", "due_at", "deadline_at", "next_attempt_at")
        columns += ("attempts", "last_error", "claimed_at", "sent_at", "created_at")
        self.write("notifications", columns, rows, "outbox rows")

    def findings(self, started: list[tuple[Any, ...]]) -> list[tuple[int, int, datetime, int]]:
        """The findings of the visits that have started; returns the non-compliant ones as
        (finding id, unit id, visit start, author)."""
        self.write(
            "visit_checklists",
            ("visit_id", "template_id", "started_at"),
            ((v[0], self.template_id, v[2]) for v in started),
            "visit checklists",
        )
        if not started:
            return []
        per_visit = _spread(self.goal["findings"], len(started))
        results = [r for r, _ in FINDING_RESULTS]
        weights = [w for _, w in FINDING_RESULTS]
        non_compliant: list[tuple[int, int, datetime, int]] = []
        rng = self.rng
        criteria = self.criteria
        first = self.ids["findings"]

        def rows() -> Iterator[tuple[Any, ...]]:
            finding_id = first
            for (visit_id, unit_id, starts_at, author, _), n in zip(started, per_visit, strict=True):
                n = min(n, len(criteria))
                at = starts_at + timedelta(hours=2)
                chosen = sorted(rng.sample(range(len(criteria)), n))
                for index, result in zip(chosen, rng.choices(results, weights, k=n), strict=True):
                    if result == FindingResult.NON_COMPLIANT:
                        severity = rng.choice(SEVERITIES)
                        non_compliant.append((finding_id, unit_id, starts_at, author))
                    else:
                        severity = Severity.NONE
                    text = rng.choice(FINDING_TEXTS[result])
                    yield (
                        finding_id, visit_id, None, criteria[index], result.value, severity.value, text, "",
                        author, 1, at, at,
                    )  # fmt: skip
                    finding_id += 1

        columns = ("id", "visit_id", "case_id", "criterion_id", "result", "severity", "text")
        columns += ("named_individuals", "author_id", "version", "created_at", "updated_at")
        n = self.write("findings", columns, rows())
        self.ids["findings"] = first + n
        return non_compliant

    def actions(self, non_compliant: list[tuple[int, int, datetime, int]]) -> None:
        chosen = self.rng.sample(non_compliant, min(self.goal["actions"], len(non_compliant)))
        chosen.sort()
        days = self.working_days(date(self.today.year - 2, 1, 1), date(self.today.year + 3, 12, 31))
        index = {day: i for i, day in enumerate(days)}
        rows = []
        for finding_id, unit_id, starts_at, author in chosen:
            action_id = self.take("corrective_actions")
            set_on = starts_at.date()
            working_days = self.rng.choice((10, 20, 30, 45, 60))
            position = index.get(set_on)
            due_on = days[position + working_days] if position is not None else set_on + timedelta(days=60)
            description = self.rng.choice(ACTION_TEXTS)
            rows.append(
                (action_id, finding_id, unit_id, description, due_on, ActionStatus.OPEN.value)
                + (None, None, None, None, None, starts_at + timedelta(hours=3))
            )
            self.audit.add(
                "action.create",
                author,
                "corrective_action",
                action_id,
                {
                    "finding_id": finding_id,
                    "unit_id": unit_id,
                    "status": "open",
                    "description": description,
                    "due_on": due_on,
                    "working_days": working_days,
                },
            )
        columns = ("id", "finding_id", "unit_id", "description", "due_on", "status", "report_text")
        columns += ("reported_at", "return_reason", "verified_by_id", "verified_at", "created_at")
        self.write("corrective_actions", columns, rows, "actions")

    def run(self) -> dict[str, int]:
        provinces = self.units()
        self.people(provinces)
        plans = self.plans(provinces)
        self.teams(plans)
        self.audit.flush(self.writer)
        started = self.inspections(plans)
        non_compliant = self.findings(started)
        self.actions(non_compliant)
        self.created["audit events"] = self.audit.count + 1
        self.audit.add(
            MARKER,
            self.admin_id,
            "demo",
            0,
            {"scale": self.scale, "seed": SEED, "day": self.today, "created": dict(self.created)},
        )
        self.audit.flush(self.writer)
        return self.created


def _reset_sequences(tables: Sequence[str]) -> None:
    for table in tables:
        if table in ("plan_coordinators", "visit_checklists"):
            continue
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
        )


def generate_national(*, scale: float = 1.0, password: str | None = None) -> NationalReport:
    """Add the national data set (commits). Idempotent; refuses a database with real data."""
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise NationalRefused(f"the scale must be between {MIN_SCALE} and {MAX_SCALE}")
    started = time.perf_counter()
    report = NationalReport()
    existing = marker()
    if existing is not None:
        report.already = existing.after or {}
        return report
    problem = foreign_data()
    if problem is not None:
        raise NationalRefused(
            f"this database holds data the demo did not make ({problem}): "
            "the national data set is added only to a demo database"
        )
    if db.session.scalar(sa.select(Plan.id).where(Plan.title == data.PLAN["title"]).limit(1)) is None:
        load_demo(password=password)
        db.session.commit()
        report.demo_loaded = True
    generator = _Generator(scale)
    report.created = generator.run()
    postgres = generator.writer.postgres
    if postgres:
        _reset_sequences(generator.writer.tables)
    db.session.commit()
    if postgres:
        for table in generator.writer.tables:
            db.session.execute(sa.text(f"ANALYZE {table}"))
        db.session.commit()
    report.seconds = time.perf_counter() - started
    return report
