"""Imports as background jobs: upload, check by a worker, confirm, apply; progress on the
page; a worker that dies mid-apply leaves nothing applied and a job that is taken up again."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.auth.models import Role, User
from inspections.db import utcnow
from inspections.imports import services
from inspections.imports.models import ImportJob, ImportStatus
from inspections.imports.services import LostClaim, claim, due_jobs, run_job
from inspections.units.models import Unit
from tests import factories
from tests.conftest import IsolatedClient, csrf_token
from tests.imports.helpers import GOOD, csv_data, row
from workers.imports import run as run_task

ROOT = Path(__file__).parents[2]


def _count(db, model=Unit):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _upload(client, data: bytes, name: str, kind: str = "units"):
    return client.post(
        "/imports/",
        data={"csrf_token": csrf_token(client, "/imports/"), "kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _job(db) -> ImportJob:
    db.session.expire_all()
    return db.session.scalars(sa.select(ImportJob).order_by(ImportJob.id.desc())).first()


@pytest.fixture
def coordinator(db, make, login):
    user = make.user(Role.COORDINATOR, username="lan")
    db.session.commit()
    login("lan")
    return user


def run_upload(db, make, client, login, data, name, *, confirm=False, kind="units"):
    """Upload as a coordinator (an admin for people), run the worker's check, and confirm."""
    user = db.session.scalar(sa.select(User).where(User.username == "importer"))
    if user is None:
        user = make.user(Role.ADMIN if kind == "people" else Role.COORDINATOR, username="importer")
        db.session.commit()
    login("importer")
    answer = _upload(client, data, name, kind)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    job = _job(db)
    assert job.created_by_id == user.id
    run_task.apply(args=[job.id])
    if confirm:
        page = client.get(f"/imports/{job.id}").get_data(as_text=True)
        assert f'action="/imports/{job.id}/confirm"' in page
        token = csrf_token(client, f"/imports/{job.id}")
        client.post(f"/imports/{job.id}/confirm", data={"csrf_token": token})
        assert _job(db).status == ImportStatus.CONFIRMED
        run_task.apply(args=[job.id])
    return _job(db)


def test_upload_check_confirm_apply_through_the_pages(db, make, client, login):
    job = run_upload(db, make, client, login, csv_data(GOOD), "units.csv")
    assert job.status == ImportStatus.CHECKED and job.rows_total == 4 and job.rows_checked == 4
    assert _count(db) == 0  # checked, not applied: nothing until the confirmation
    page = client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "4</strong> sẽ tạo mới" in page or "4</strong>" in page
    token = csrf_token(client, f"/imports/{job.id}")
    client.post(f"/imports/{job.id}/confirm", data={"csrf_token": token})
    run_task.apply(args=[job.id])
    job = _job(db)
    assert job.status == ImportStatus.DONE and job.rows_applied == 4 and job.claim_token is None
    assert _count(db) == 4
    page = client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert 'data-status="done"' in page and "hx-trigger" not in page  # finished: no more polling
    listing = client.get("/imports/").get_data(as_text=True)
    assert "units.csv" in listing


def test_a_working_job_page_polls_and_its_partial_is_the_progress_only(db, make, client, coordinator):
    _upload(client, csv_data(GOOD), "units.csv")
    job = _job(db)
    page = client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in page and '<noscript><meta http-equiv="refresh"' in page
    partial = client.get(f"/imports/{job.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert partial.lstrip().startswith("<section") and "<html" not in partial


def test_a_file_with_errors_lists_them_by_row_and_column_and_cannot_be_confirmed(db, make, client, login):
    rows = GOOD + [row("q-bad", "Quận Sai Email", email="not-an-email"), row("x-kind", "Đơn vị lạ", "planet")]
    job = run_upload(db, make, client, login, csv_data(rows), "units.csv")
    assert job.status == ImportStatus.INVALID and job.error_count == 2
    page = client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "2 lỗi: không có gì được nhập" in page
    assert '<td data-label="Dòng">6</td>' in page and "Email cán bộ đầu mối" in page
    assert "planet" in page
    token = csrf_token(client, f"/imports/{job.id}")
    client.post(f"/imports/{job.id}/confirm", data={"csrf_token": token})
    assert _job(db).status == ImportStatus.INVALID and _count(db) == 0


def test_a_text_file_named_xlsx_is_refused_at_the_upload(db, client, coordinator):
    answer = _upload(client, b"code,name,kind\nq,Q,district\n", "units.xlsx")
    assert answer.status_code == 400
    assert "Tệp không phải là bảng tính Excel (.xlsx) hợp lệ." in answer.get_data(as_text=True)
    assert _count(db, ImportJob) == 0


def test_a_file_the_worker_cannot_read_fails_with_a_translated_message(db, make, client, login):
    job = run_upload(db, make, client, login, b"code,name\nq,Q\n", "units.csv")
    assert job.status == ImportStatus.FAILED and job.claim_token is None
    page = client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "Thiếu cột: Loại." in page and "hx-trigger" not in page


def test_a_bad_name_or_a_missing_file_changes_nothing(db, client, coordinator):
    answer = _upload(client, b"x", "units.pdf")
    assert answer.status_code == 400 and "Tải lên tệp .csv hoặc .xlsx." in answer.get_data(as_text=True)
    assert _count(db, ImportJob) == 0


def test_the_old_address_leads_to_the_new_page(db, client, coordinator):
    answer = client.get("/units/import")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/imports/?kind=units")


def _client_of(app, username):
    app.test_client_class = IsolatedClient
    client = app.test_client()
    token = csrf_token(client)
    client.post("/login", data={"csrf_token": token, "username": username, "password": factories.PASSWORD})
    return client


def test_who_may_import_and_see_a_job(app, db, make):
    owner = make.user(Role.COORDINATOR, username="owner")
    make.user(Role.COORDINATOR, username="other")
    make.user(Role.INSPECTOR, username="insp")
    job = ImportJob(
        kind="units", filename="u.csv", fmt="csv", sha256="0" * 64, size=1, created_by_id=owner.id
    )
    db.session.add(job)
    db.session.commit()
    assert _client_of(app, "insp").get("/imports/").status_code == 403
    other = _client_of(app, "other")
    assert other.get(f"/imports/{job.id}").status_code == 404
    page = other.get("/imports/").get_data(as_text=True)
    assert 'value="units"' in page and 'value="people"' not in page  # accounts: admins only
    assert _upload(other, b"full_name,email\n", "p.csv", "people").status_code == 400
    assert _count(db, ImportJob) == 1
    assert _client_of(app, "owner").get(f"/imports/{job.id}").status_code == 200


def test_a_claim_is_fenced_a_stale_job_is_taken_over_and_the_old_worker_changes_nothing(
    app, db, make, client, login
):
    job = run_upload(db, make, client, login, csv_data(GOOD), "units.csv")
    db.session.execute(sa.update(ImportJob).values(status=ImportStatus.CONFIRMED))
    db.session.commit()
    first = claim(job.id)
    assert first is not None and first[0].status == ImportStatus.APPLYING
    assert claim(job.id) is None  # alive: nobody else takes it
    assert job.id not in due_jobs()
    db.session.execute(sa.update(ImportJob).values(heartbeat_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert job.id in due_jobs()
    second = claim(job.id)
    assert second is not None and second[1] != first[1]
    with pytest.raises(LostClaim):  # the first worker comes back: its outcome is refused
        services._finish(job.id, first[1], ImportStatus.DONE)
    db.session.rollback()
    assert _job(db).status == ImportStatus.APPLYING and _job(db).claim_token == second[1]


def test_a_job_that_keeps_dying_is_given_up_after_its_attempts(db, make, client, login):
    job = run_upload(db, make, client, login, csv_data(GOOD), "units.csv")
    db.session.execute(
        sa.update(ImportJob).values(
            status=ImportStatus.APPLYING,
            attempts=services.MAX_ATTEMPTS,
            heartbeat_at=utcnow() - timedelta(hours=1),
        )
    )
    db.session.commit()
    assert run_job(job.id) is None
    assert _job(db).status == ImportStatus.FAILED and _count(db) == 0


def test_a_lost_task_is_found_again_by_the_beat_tick(db, client, coordinator):
    _upload(client, csv_data(GOOD), "units.csv")
    job = _job(db)
    assert job.status == ImportStatus.QUEUED and due_jobs() == [job.id]
    assert run_job(job.id) == ImportStatus.CHECKED and due_jobs() == []


KILLER = """
import sys, time
from pathlib import Path
from tests.conftest import settings_for
from inspections import create_app
from inspections.imports import services, units

database_url, instance, marker, job_id = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
original = units.apply_batch

def slow(planned, run, *, actor):
    written = original(planned, run, actor=actor)
    marker.write_text(str(written))  # rows written, not committed: now is the time to die
    time.sleep(120)
    return written

units.apply_batch = slow
app = create_app(settings_for(database_url, Path(instance)), instance_path=instance)
with app.app_context():
    services.run_job(job_id)
"""


def test_a_worker_killed_mid_apply_leaves_nothing_applied_and_the_job_is_applied_once_later(
    app, db, make, client, login, migrated, instance_dir, tmp_path
):
    rows = [row(f"u-{i:05d}", f"Đơn vị {i}") for i in range(5_000)]  # more than one batch
    job = run_upload(db, make, client, login, csv_data(rows), "units.csv")
    assert job.status == ImportStatus.CHECKED
    db.session.execute(sa.update(ImportJob).values(status=ImportStatus.CONFIRMED))
    db.session.commit()
    marker = tmp_path / "mid-apply"
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    worker = subprocess.Popen(
        [sys.executable, str(script), migrated, str(instance_dir), str(marker), str(job.id)],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.exists(), "the worker never reached the middle of the apply"
        assert int(marker.read_text()) == 2_000
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    # Nothing of the import is there: not a unit, not an audit event; the job is mid-apply.
    assert _count(db) == 0
    assert _count(db, AuditEvent) == db.session.scalar(
        sa.select(sa.func.count()).where(~AuditEvent.action.like("import.%"))
    )
    job = _job(db)
    assert job.status == ImportStatus.APPLYING and job.claim_token is not None
    assert run_job(job.id) is None  # its lease has not run out: nobody takes it yet
    db.session.execute(sa.update(ImportJob).values(heartbeat_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert due_jobs() == [job.id]
    assert run_job(job.id) == ImportStatus.DONE
    assert _count(db) == 5_000
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "import.units")) == 1
    assert _job(db).attempts == 0 and _job(db).rows_applied == 5_000


def test_a_file_larger_than_an_ordinary_request_is_accepted_up_to_the_import_limit(
    app, db, client, coordinator
):
    big = b"code,name,kind\n" + b"c-0000001,Phuong,commune\n" * 1_100_000  # 27.5 MB: above MAX_CONTENT_LENGTH
    assert len(big) > app.config["MAX_CONTENT_LENGTH"]
    answer = _upload(client, big, "big.csv")
    assert answer.status_code == 302
    assert _job(db).size == len(big)
    app.config["IMPORT_MAX_BYTES"] = 1_000_000
    refused = _upload(client, big, "big.csv")
    assert refused.status_code in (400, 413) and _count(db, ImportJob) == 1


def test_an_upload_without_the_csrf_token_is_refused(app, db, client, coordinator):
    app.config["WTF_CSRF_ENABLED"] = True
    answer = client.post(
        "/imports/",
        data={"kind": "units", "file": (io.BytesIO(csv_data(GOOD)), "units.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400 and _count(db, ImportJob) == 0
