"""Evidence: recognised by content, size-limited, stored by SHA-256, photo time kept."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from inspections.findings.models import Evidence
from inspections.findings.services import save_visit_finding
from tests import fieldwork
from tests.conftest import csrf_token


@pytest.fixture
def finding_id(make, db, app):
    field = fieldwork.build(make, db)
    with app.test_request_context():
        finding = save_visit_finding(
            field.visit,
            criterion_id=field.criteria(db)[0].id,
            result="compliant",
            expected_version=None,
            actor=field.leader,
        )
    db.session.commit()
    return field, finding.id


def _stored(app) -> set[Path]:
    root = Path(app.instance_path) / "evidence"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _upload(client, field, finding_id, data: bytes, name: str, **extra):
    token = csrf_token(client, f"/visits/{field.visit.id}")
    return client.post(
        f"/findings/{finding_id}/evidence",
        data={"csrf_token": token, "file": (io.BytesIO(data), name), **extra},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )


def test_a_photo_is_stored_under_its_hash_with_the_time_it_was_taken(app, client, login, db, finding_id):
    field, fid = finding_id
    login(field.member.username)
    photo = fieldwork.jpeg(taken="2019:10:14 09:30:00")
    response = _upload(client, field, fid, photo, "quay-mot-cua.jpg")
    assert response.status_code == 200, response.json

    item = db.session.scalar(sa.select(Evidence))
    digest = hashlib.sha256(photo).hexdigest()
    assert (item.sha256, item.content_type, item.size_bytes) == (digest, "image/jpeg", len(photo))
    # 09:30 in Hanoi is 02:30 UTC.
    assert item.taken_at == datetime(2019, 10, 14, 2, 30, tzinfo=UTC)
    path = Path(app.instance_path) / "evidence" / digest[:2] / digest
    assert path.read_bytes() == photo
    download = client.get(f"/evidence/{item.id}")
    assert download.data == photo and download.mimetype == "image/jpeg"


def test_a_photo_without_exif_keeps_the_device_time(client, login, db, finding_id):
    field, fid = finding_id
    login(field.member.username)
    millis = int(datetime(2019, 10, 14, 3, 0, tzinfo=UTC).timestamp() * 1000)
    response = _upload(client, field, fid, fieldwork.jpeg(taken=None), "anh.jpg", taken_ms=str(millis))
    assert response.status_code == 200
    assert db.session.scalar(sa.select(Evidence.taken_at)) == datetime(2019, 10, 14, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (fieldwork.PDF, "anh-chup.jpg", "không khớp với tên tệp"),
        (fieldwork.jpeg(), "bien-ban.pdf", "không khớp với tên tệp"),
        (b"MZ\x90\x00 not a photo", "virus.jpg", "không được chấp nhận"),
        (fieldwork.jpeg(), "../../etc/anh.jpg", "đường dẫn thư mục"),
        (fieldwork.jpeg(), "C:\\Users\\anh.jpg", "đường dẫn thư mục"),
        (b"%PDF-" + b"x" * 2048, "lon.pdf", "Tệp quá lớn"),
    ],
    ids=["pdf-named-jpg", "jpg-named-pdf", "unknown", "relative-path", "windows-path", "oversized"],
)
def test_refused_uploads_say_why_and_store_nothing(app, client, login, db, finding_id, data, name, message):
    field, fid = finding_id
    app.config["EVIDENCE_MAX_BYTES"] = 1024
    login(field.member.username)
    before = _stored(app)
    response = _upload(client, field, fid, data, name)
    assert response.status_code == 400
    assert message in response.json["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 0
    assert _stored(app) == before


def test_the_refusal_is_shown_on_the_page_without_javascript(app, client, login, finding_id):
    field, fid = finding_id
    login(field.member.username)
    client.post("/language", data={"csrf_token": csrf_token(client), "language": "en"})
    token = csrf_token(client, f"/visits/{field.visit.id}")
    response = client.post(
        f"/findings/{fid}/evidence",
        data={"csrf_token": token, "file": (io.BytesIO(fieldwork.PDF), "anh.jpg")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "The file&#39;s content (PDF) does not match its name (anh.jpg)." in response.get_data(
        as_text=True
    )


@pytest.mark.parametrize(("who", "status"), [("coordinator", 403), ("outsider", 404), ("contact", 404)])
def test_only_the_team_may_add_evidence(client, login, finding_id, who, status):
    field, fid = finding_id
    login(getattr(field, who).username)
    token = csrf_token(client)
    response = client.post(
        f"/findings/{fid}/evidence",
        data={"csrf_token": token, "file": (io.BytesIO(fieldwork.jpeg()), "anh.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == status
