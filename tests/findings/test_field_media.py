"""The visit page's one-step save: a finding with several photos, thumbnails made by Pillow,
the live score answer, the offline worker and manifest, and refused offline saves."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from PIL import Image

from inspections.findings import services
from inspections.findings.models import Evidence, Finding, RefusedSave
from tests import fieldwork
from tests.conftest import csrf_token
from tests.factories import PASSWORD


def _save(client, field, criterion, *, files=(), json_answer=True, **fields):
    token = csrf_token(client, f"/visits/{field.visit.id}")
    data = {"csrf_token": token, "criterion_id": str(criterion.id), "version": "", **fields}
    if files:
        data["file"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(
        f"/visits/{field.visit.id}/findings",
        data=data,
        content_type="multipart/form-data",
        headers={"Accept": "application/json"} if json_answer else {},
    )


def test_a_finding_and_its_photos_are_saved_in_one_step_with_thumbnails(app, client, login, db, make):
    field = fieldwork.build(make, db)
    criterion = field.criteria(db)[0]
    login(field.member.username)
    big = fieldwork.jpeg("2019:10:14 09:30:00", size=(1600, 1200))
    response = _save(
        client,
        field,
        criterion,
        result="compliant",
        files=[
            ("quay-1.jpg", big),
            ("quay-2.jpg", fieldwork.jpeg("2019:10:14 10:00:00")),
            ("bb.pdf", fieldwork.PDF),
        ],
        taken_ms=["", "", ""],
    )
    assert response.status_code == 200, response.json
    answer = response.json
    finding = db.session.scalar(sa.select(Finding))
    photos = db.session.scalars(sa.select(Evidence).order_by(Evidence.id)).all()
    assert [p.filename for p in photos] == ["quay-1.jpg", "quay-2.jpg", "bb.pdf"]
    assert photos[0].taken_at == datetime(2019, 10, 14, 2, 30, tzinfo=UTC)  # EXIF, Hanoi time
    # The page's live parts: the counter, the scores, and the gallery with its thumbnails.
    assert answer["progress"]["done"] == 1 and answer["finding_id"] == finding.id
    assert "100.0" in answer["scores_html"]
    assert answer["gallery_html"].count("gallery-item") == 2 and "bb.pdf" in answer["gallery_html"]
    assert "14/10/2019 09:30" in answer["gallery_html"]

    thumb = client.get(f"/evidence/{photos[0].id}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(thumb.data)) as image:
        assert max(image.size) == 320
    assert (Path(app.instance_path) / "thumbs" / photos[0].sha256[:2] / photos[0].sha256).exists()
    assert client.get(f"/evidence/{photos[2].id}/thumb").status_code == 404  # a PDF has none
    # An outsider gets nothing, not even the thumbnail.
    other = app.test_client()
    other.post(
        "/login",
        data={"csrf_token": csrf_token(other), "username": field.outsider.username, "password": PASSWORD},
    )
    assert other.get(f"/visits/{field.visit.id}").status_code == 404
    assert other.get(f"/evidence/{photos[0].id}/thumb").status_code == 404


def test_a_bad_file_refuses_the_whole_save_and_changes_nothing(app, client, login, db, make):
    field = fieldwork.build(make, db)
    login(field.member.username)
    response = _save(
        client,
        field,
        field.criteria(db)[0],
        result="compliant",
        files=[("ok.jpg", fieldwork.jpeg()), ("virus.jpg", b"MZ\x90\x00 not a photo")],
    )
    assert response.status_code == 400
    assert "không được chấp nhận" in response.json["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Finding)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 0


def test_without_javascript_the_same_form_saves_and_returns_to_the_criterion(app, client, login, db, make):
    field = fieldwork.build(make, db)
    criterion = field.criteria(db)[0]
    login(field.member.username)
    response = _save(
        client, field, criterion, json_answer=False, result="compliant", files=[("a.jpg", fieldwork.jpeg())]
    )
    assert response.status_code == 302 and response.location.endswith(f"#c{criterion.id}")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 1


def test_a_queued_save_the_server_refuses_is_noted_for_the_inbox_until_saved(app, client, login, db, make):
    field = fieldwork.build(make, db)
    criterion = field.criteria(db)[0]
    login(field.member.username)
    # Sent by the queue (queued=1) and refused: a non-compliant finding without a severity.
    response = _save(client, field, criterion, result="non_compliant", queued="1")
    assert response.status_code == 400
    refused = db.session.scalars(services.refused_saves_of(field.member)).all()
    assert [(r.criterion_id, r.visit_id) for r in refused] == [(criterion.id, field.visit.id)]
    assert "mức độ" in refused[0].message
    # Nothing for a save refused while the member was looking (not queued), nor for others.
    _save(client, field, field.criteria(db)[1], result="non_compliant")
    assert len(db.session.scalars(services.refused_saves_of(field.member)).all()) == 1
    assert db.session.scalars(services.refused_saves_of(field.leader)).all() == []
    # A second refusal replaces the first; the save, when it is accepted, clears it.
    _save(client, field, criterion, result="non_compliant", queued="1", text="x" * 10_001)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RefusedSave)) == 1
    response = _save(client, field, criterion, result="non_compliant", severity="high", queued="1")
    assert response.status_code == 200
    assert db.session.scalars(services.refused_saves_of(field.member)).all() == []


def test_refused_saves_follow_what_the_member_may_still_see(app, db, make):
    field = fieldwork.build(make, db)
    criterion = field.criteria(db)[0]
    with app.test_request_context():
        services.record_refused_save(
            field.visit, criterion_id=criterion.id, message="refused", actor=field.outsider
        )
        services.record_refused_save(
            field.visit, criterion_id=criterion.id, message="refused", actor=field.member
        )
        db.session.commit()
        assert db.session.scalars(services.refused_saves_of(field.outsider)).all() == []  # not the team's
        assert len(db.session.scalars(services.refused_saves_of(field.member)).all()) == 1


def test_the_service_worker_covers_the_visit_pages_and_the_app_installs(client):
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Service-Worker-Allowed"] == "/"
    assert r"^\/visits\/\d+$" in worker.get_data(as_text=True)  # the visit pages it keeps
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    data = json.loads(manifest.data)
    assert data["start_url"] == "/" and data["display"] == "standalone"
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200
    assert client.get("/field/offline").status_code == 200


def test_the_visit_page_carries_the_rules_the_queue_checks(app, client, login, db, make):
    field = fieldwork.build(make, db)
    login(field.member.username)
    page = client.get(f"/visits/{field.visit.id}").get_data(as_text=True)
    raw = page.split("data-rules='")[1].split("'")[0]
    rules = json.loads(raw.replace("&#39;", "'").replace("&amp;", "&"))
    assert rules["needs_severity"] == ["non_compliant"]
    assert rules["max_files"] == services.MAX_FILES
    assert rules["messages"]["needs_severity"] == "Kết quả không đạt cần có mức độ."
    total = len(field.criteria(db))
    assert f'<span class="done">0</span> / <span class="total">{total}</span>' in page
    assert 'accept="image/*" capture="environment" multiple' in page


def test_the_copy_kept_for_offline_use_leaves_the_flashed_message_to_the_page(app, client, login, db, make):
    field = fieldwork.build(make, db)
    login(field.leader.username)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Đã thêm yêu cầu khắc phục.")]
    path = f"/visits/{field.visit.id}"
    # The service worker's background copy (after a save) comes first, the redirect second.
    kept = client.get(path, headers={"X-Cache-Fill": "1"}).get_data(as_text=True)
    assert "Đã thêm yêu cầu khắc phục." not in kept
    assert "Đã thêm yêu cầu khắc phục." in client.get(path).get_data(as_text=True)
