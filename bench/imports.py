"""Bulk import: parse vs check (preview) vs apply, at 10,000 and 100,000 units, on SQLite
and PostgreSQL, with the peak memory of each step.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/imports_db .venv/bin/python bench/imports.py
    .venv/bin/python bench/imports.py --sizes 10000 --databases sqlite

Makes an XLSX file of N units (a district for every hundred communes, each with a parent, a
district and a contact), then for each database (SQLite in a temporary folder, and a
scratch PostgreSQL database beside the one DATABASE_URL names, dropped at the end) builds
the schema with the migrations and times:

- parse: openpyxl's read-only mode reading every cell of the file (the floor: nothing is
  faster than reading the file);
- preview: the worker's check of the job (streamed, a query or two per 2,000 rows);
- apply: the worker's application once confirmed (reads and checks the file again, writes
  in bulk, one audit event, commits once).

Peak memory is the process's resident set, sampled every 20 ms during each step, above
what it was when the step started.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspections import create_app
from inspections.auth.models import Role
from inspections.auth.services import create_user
from inspections.extensions import db
from inspections.files import storage_path
from inspections.imports.models import ImportJob, ImportKind, ImportStatus
from inspections.imports.services import FOLDER, run_job
from inspections.units.transfer import COLUMNS

PLACES = [
    "Hà Đông", "Ba Đình", "Hoàn Kiếm", "Tây Hồ", "Long Biên", "Cầu Giấy", "Đống Đa", "Hai Bà Trưng",
    "Hoàng Mai", "Thanh Xuân", "Sóc Sơn", "Đông Anh", "Gia Lâm", "Nam Từ Liêm", "Thanh Trì", "Bắc Từ Liêm",
]  # fmt: skip


def make_file(n: int, path: Path) -> None:
    rng = random.Random(n)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Units")
    sheet.append(list(COLUMNS))
    sheet.append(["vn", "Việt Nam", "Viet Nam", "city", "", "", "", "1", "", "", ""])
    districts = max(n // 100, 1)
    for d in range(districts):
        code = f"d-{d:05d}"
        place = rng.choice(PLACES)
        sheet.append([code, f"Quận {place} {d}", "", "district", "urban_district", "vn", "", "1",
                      f"Văn phòng {place}", f"vp{d}@{code}.gov.vn", "vi"])  # fmt: skip
    for i in range(n - districts - 1):
        d = i % districts
        place = rng.choice(PLACES)
        sheet.append([f"c-{i:06d}", f"Phường {place} {i}", "", "commune", "ward", f"d-{d:05d}", f"d-{d:05d}",
                      "1", f"Cán bộ {i}", f"cb{i}@p{i}.gov.vn", "vi"])  # fmt: skip
    book.save(path)
    _declare_dimension(path, f"A1:K{n + 1}")


def _declare_dimension(path: Path, ref: str) -> None:
    """Put the <dimension> that Excel and LibreOffice write (openpyxl's write-only mode
    leaves it out, and its reader then scans the whole sheet once more to look for it)."""
    rewritten = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetViews>", f'<dimension ref="{ref}"/><sheetViews>'.encode(), 1)
            target.writestr(item, data)
    rewritten.replace(path)


class PeakMemory:
    """The resident set's peak above its level at the start, sampled by a thread."""

    def __init__(self) -> None:
        self.start = self.peak = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss())

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def mb(self) -> float:
        return (self.peak - self.start) / 1e6


def _rss() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    with PeakMemory() as memory:
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
    return elapsed, memory.mb, result


def parse(path: Path) -> int:
    book = load_workbook(path, read_only=True, data_only=True)
    cells = 0
    for row in book.worksheets[0].iter_rows(values_only=True):
        cells += sum(1 for c in row if c is not None)
    book.close()
    return cells


def run_import(url: str, path: Path, n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
             "PASSWORD_HASH_PROFILE": "CHEAPEST"},
            instance_path=instance,
        )  # fmt: skip
        with app.app_context():
            import flask_migrate

            flask_migrate.upgrade(revision="heads")
            user = create_user(
                username="bench", email="bench@example.gov.vn", full_name="Bench", password="x" * 12,
                role=Role.COORDINATOR,
            )  # fmt: skip
            data = path.read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            stored = storage_path(sha, FOLDER)
            stored.parent.mkdir(parents=True, exist_ok=True)
            stored.write_bytes(data)
            job = ImportJob(kind=ImportKind.UNITS, filename=path.name, fmt="xlsx", sha256=sha, size=len(data),
                            created_by_id=user.id)  # fmt: skip
            db.session.add(job)
            db.session.commit()
            job_id = job.id
            out: dict[str, float] = {}
            out["parse"], out["parse_mb"], _ = timed(lambda: parse(path))
            out["preview"], out["preview_mb"], status = timed(lambda: run_job(job_id))
            if status != ImportStatus.CHECKED:
                raise SystemExit(f"check: {status} {db.session.get(ImportJob, job_id).message}")
            db.session.execute(sa.update(ImportJob).values(status=ImportStatus.CONFIRMED))
            db.session.commit()
            out["apply"], out["apply_mb"], status = timed(lambda: run_job(job_id))
            if status != ImportStatus.DONE:
                raise SystemExit(f"apply: {status}")
            count = db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("units")))
            if count != n:
                raise SystemExit(f"{count} units imported of {n}")
            db.session.remove()
            db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    databases = args.databases.split(",")
    server = sa.make_url(os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/imports_db"))
    if server.drivername == "postgresql":
        server = server.set(drivername="postgresql+psycopg")
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        for n in sizes:
            path = Path(scratch) / f"units-{n}.xlsx"
            make_file(n, path)
            size_mb = path.stat().st_size / 1e6
            for database in databases:
                if database == "sqlite":
                    out = run_import(f"sqlite:///{scratch}/bench-{n}.sqlite3", path, n)
                else:
                    name = f"bench_imports_{uuid.uuid4().hex[:8]}"
                    with admin.connect() as conn:
                        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
                    try:
                        out = run_import(
                            server.set(database=name).render_as_string(hide_password=False), path, n
                        )
                    finally:
                        with admin.connect() as conn:
                            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                results.append((database, n, size_mb, out))
                print(f"{database} {n}: {out}", file=sys.stderr, flush=True)
    admin.dispose()
    print(f"{'database':<11}{'rows':>9}{'file MB':>9}{'parse s':>9}{'preview s':>11}{'apply s':>9}"
          f"{'prev/parse':>12}{'apply/parse':>13}{'peak MB p/pv/a':>18}")  # fmt: skip
    for database, n, size_mb, out in results:
        print(
            f"{database:<11}{n:>9,}{size_mb:>9.1f}{out['parse']:>9.2f}{out['preview']:>11.2f}{out['apply']:>9.2f}"
            f"{out['preview'] / out['parse']:>12.2f}{out['apply'] / out['parse']:>13.2f}"
            f"{out['parse_mb']:>8.0f}/{out['preview_mb']:.0f}/{out['apply_mb']:.0f}"
        )


if __name__ == "__main__":
    main()
