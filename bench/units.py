"""Unit list and search at 1,000 and 100,000 units on PostgreSQL.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/units.py

Creates a scratch database beside the one named (dropped at the end), builds the schema
with the migrations, fills it, and times what the unit pages run: the first page, a page
deep in the list (keyset), an accent-insensitive name search, a code search and a filtered
list. Prints the median of many runs per query and the ratio 100,000 / 1,000.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspections import create_app
from inspections.extensions import db
from inspections.units.models import UnitKind
from inspections.units.services import list_units, search_key

SIZES = (1_000, 100_000)
RUNS = 200
PREFIXES = [
    "Phường",
    "Xã",
    "Thị trấn",
    "Trường THCS",
    "Trường Tiểu học",
    "Trạm Y tế",
    "Bệnh viện",
    "Trung tâm",
]
PLACES = [
    "Hà Đông", "Ba Đình", "Hoàn Kiếm", "Tây Hồ", "Long Biên", "Cầu Giấy", "Đống Đa", "Hai Bà Trưng",
    "Hoàng Mai", "Thanh Xuân", "Sóc Sơn", "Đông Anh", "Gia Lâm", "Nam Từ Liêm", "Thanh Trì", "Bắc Từ Liêm",
    "Mê Linh", "Sơn Tây", "Ba Vì", "Phúc Thọ", "Đan Phượng", "Hoài Đức", "Quốc Oai", "Thạch Thất",
    "Chương Mỹ", "Thanh Oai", "Thường Tín", "Phú Xuyên", "Ứng Hòa", "Mỹ Đức", "Quang Trung", "Kim Chung",
]  # fmt: skip
KINDS = [UnitKind.COMMUNE, UnitKind.PUBLIC_SERVICE]


def fill(n: int) -> None:
    rng = random.Random(n)
    db.session.execute(
        sa.text(
            "INSERT INTO units (id, code, name, search_name, kind, active, created_at) "
            "VALUES (1, 'ubnd-hn', 'Ủy ban nhân dân thành phố Hà Nội', 'uy ban nhan dan thanh pho ha noi', "
            "'city', true, now())"
        )
    )
    rows = []
    for i in range(2, n + 1):
        name = f"{rng.choice(PREFIXES)} {rng.choice(PLACES)} số {rng.randint(1, 400)}"
        rows.append(
            {
                "id": i,
                "code": f"u-{i:06d}",
                "name": name,
                "search_name": search_key(name),
                "kind": rng.choice(KINDS).value,
            }
        )
    statement = sa.text(
        "INSERT INTO units (id, code, name, search_name, kind, parent_id, active, created_at) "
        "VALUES (:id, :code, :name, :search_name, :kind, 1, true, now())"
    )
    for start in range(0, len(rows), 5000):
        db.session.execute(statement, rows[start : start + 5000])
    db.session.commit()
    db.session.execute(sa.text("ANALYZE units"))
    db.session.commit()


def median_ms(fn) -> float:
    for _ in range(10):  # warm the caches and the plan cache
        fn()
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def measure(n: int) -> dict[str, float]:
    middle = n // 2
    queries = {
        "list, first page": lambda: list_units(),
        "list, page deep in (keyset)": lambda: list_units(after=middle),
        "search 'ha dong'": lambda: list_units(q="ha dong"),
        "search 'HÀ ĐÔNG SỐ 17' (rare)": lambda: list_units(q="HÀ ĐÔNG SỐ 17"),
        "search by code": lambda: list_units(q=f"u-{middle:06d}"),
        "list by kind": lambda: list_units(kind=UnitKind.PUBLIC_SERVICE),
    }
    return {name: median_ms(fn) for name, fn in queries.items()}


def main() -> None:
    server = sa.make_url(os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    if server.drivername == "postgresql":
        server = server.set(drivername="postgresql+psycopg")
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    results: dict[int, dict[str, float]] = {}
    for n in SIZES:
        name = f"bench_units_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            url = server.set(database=name).render_as_string(hide_password=False)
            with tempfile.TemporaryDirectory() as instance:
                app = create_app(
                    {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True},
                    instance_path=instance,
                )
                with app.app_context():
                    import flask_migrate

                    flask_migrate.upgrade(revision="heads")
                    fill(n)
                    with app.test_request_context():
                        results[n] = measure(n)
                    db.session.remove()
                    db.engine.dispose()
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    small, large = SIZES
    print(f"median of {RUNS} runs, ms (PostgreSQL {admin.dialect.server_version_info})")
    print(f"{'query':<32}{small:>10,}{large:>12,}{'ratio':>8}")
    for query in results[small]:
        a, b = results[small][query], results[large][query]
        print(f"{query:<32}{a:>10.2f}{b:>12.2f}{b / a:>8.2f}")
    total_a, total_b = sum(results[small].values()), sum(results[large].values())
    print(f"{'all queries':<32}{total_a:>10.2f}{total_b:>12.2f}{total_b / total_a:>8.2f}")
    admin.dispose()


if __name__ == "__main__":
    main()
