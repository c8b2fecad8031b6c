"""Requests for a fresh link are throttled per client address and per email typed, the
unit's uploads per client address (one budget for every upload page), each with the
translated "too many attempts" page (issue 11, item 5 for the portal)."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from inspections import create_app
from inspections.extensions import limiter
from inspections.outbox.models import Notification
from inspections.portal.models import UnitUpload
from tests import fieldwork
from tests.conftest import IsolatedClient, csrf_token, settings_for
from tests.factories import PASSWORD
from tests.links_world import notice

TOO_MANY = "Bạn đã thử quá nhiều lần"


@pytest.fixture
def throttled(migrated, instance_dir, app):
    """An app with throttling on (the suite's apps have it off)."""
    settings = settings_for(migrated, instance_dir) | {
        "RATELIMIT_ENABLED": True,
        "FRESH_LINK_LIMIT_PER_EMAIL": "2 per minute",
        "FRESH_LINK_LIMIT_PER_ADDRESS": "4 per minute",
        "UPLOAD_LIMIT": "3 per minute",
    }
    throttled = create_app(settings, instance_path=str(instance_dir))
    throttled.test_client_class = IsolatedClient
    with throttled.app_context():
        limiter.reset()
    yield throttled
    with throttled.app_context():
        limiter.reset()


def _fresh(client, link_path: str, email: str, address: str = "203.0.113.7"):
    return client.post(
        "/l/fresh",
        data={"csrf_token": csrf_token(client), "token": link_path.rsplit("/", 1)[1], "email": email},
        environ_base={"REMOTE_ADDR": address},
    )


def test_fresh_links_are_throttled_per_email_typed(throttled, db, make):
    world = notice(make, db)
    client = throttled.test_client()
    answers = [_fresh(client, world.acknowledge, "vanthu@hadong.example").status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    # From another address the same email is still held back; another email is not.
    other = throttled.test_client()
    assert _fresh(other, world.acknowledge, "VanThu@hadong.example", "198.51.100.2").status_code == 429
    assert _fresh(other, world.acknowledge, "khac@hadong.example", "198.51.100.2").status_code == 200
    page = _fresh(client, world.acknowledge, "vanthu@hadong.example").get_data(as_text=True)
    assert TOO_MANY in page
    db.session.expire_all()
    # The one fresh link that was due (once per link, contact and hour) was written once.
    assert db.session.scalar(sa.select(sa.func.count()).where(Notification.kind == "fresh_link")) == 1


def test_fresh_links_are_throttled_per_client_address(throttled, db, make):
    world = notice(make, db)
    client = throttled.test_client()
    answers = [_fresh(client, world.acknowledge, f"nobody{n}@nowhere.example").status_code for n in range(5)]
    assert answers == [200, 200, 200, 200, 429]
    assert TOO_MANY in _fresh(client, world.acknowledge, "x@nowhere.example").get_data(as_text=True)
    elsewhere = throttled.test_client()
    assert _fresh(elsewhere, world.acknowledge, "y@nowhere.example", "198.51.100.9").status_code == 200


def test_uploads_share_one_budget_per_client_address(throttled, db, make):
    world = notice(make, db)
    client = throttled.test_client()
    client.post("/login", data={"csrf_token": csrf_token(client), "username": world.field.contact.username,
                                "password": PASSWORD})  # fmt: skip
    token = csrf_token(client, "/unit/")

    def by_dashboard():
        return client.post(
            f"/unit/visits/{world.field.visit.id}/self-assessment",
            data={"csrf_token": token, "file": (io.BytesIO(fieldwork.PDF), "tu-danh-gia.pdf")},
            content_type="multipart/form-data",
        )

    def by_link():
        return client.post(
            world.self_assessment,
            data={"csrf_token": token, "file": (io.BytesIO(fieldwork.PDF), "tu-danh-gia.pdf")},
            content_type="multipart/form-data",
        )

    answers = [by_dashboard().status_code, by_link().status_code, by_dashboard().status_code]
    assert answers == [302, 302, 302]
    refused = by_link()
    assert refused.status_code == 429 and TOO_MANY in refused.get_data(as_text=True)
    # Reading is not uploading: the pages still open.
    assert client.get(world.self_assessment).status_code == 200
    assert client.get("/unit/").status_code == 200
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(UnitUpload.id))) == 3
