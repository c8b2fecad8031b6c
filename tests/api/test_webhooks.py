"""Webhooks: domain events written as deliveries in the publisher's transaction, sent
signed per Standard Webhooks to a real HTTP receiver, retried, logged; surprise secrecy
decided with the subscription owner's eyes, at the event and again at sending."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook

from inspections import events
from inspections.auth.models import Role
from inspections.db import utcnow
from inspections.teams.models import TeamKind
from inspections.webhooks import dispatch, services
from inspections.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from tests.conftest import csrf_token
from tests.factories import days_from_now


class Receiver:
    """A real HTTP server on the loopback that records what it gets and answers `status`."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def _subscribe(db, make, owner, url, types=("visit.approved",)):
    unit = make.unit()
    admin = make.user(Role.ADMIN)
    subscription, secret = services.create_subscription(
        unit_code=unit.code, owner_username=owner.username, url=url, event_types=list(types), actor=admin
    )
    db.session.commit()
    return subscription, secret


def _visit(db, make, kind=TeamKind.JOINT, days=20, coordinators=()):
    plan = make.plan(coordinators=list(coordinators))
    inspection = make.inspection(make.team(plan, kind), make.unit(), visit_at=days_from_now(days))
    db.session.commit()
    return inspection.visits[0]


def test_an_event_is_delivered_signed_per_standard_webhooks(db, make, receiver):
    subscription, secret = _subscribe(db, make, make.user(Role.ADMIN), receiver.url)
    visit = _visit(db, make)
    events.publish(events.VisitApproved(visit.id))
    db.session.commit()
    assert dispatch.deliver_due() == 1
    ((headers, body),) = receiver.received
    payload = Webhook(secret).verify(body, headers)  # raises if the signature is wrong
    assert payload["type"] == "visit.approved" and payload["data"]["visit_id"] == visit.id
    row = db.session.scalar(sa.select(WebhookDelivery))
    assert row.status == DeliveryStatus.DELIVERED and headers["webhook-id"] == row.msg_id
    assert dispatch.deliver_due() == 0  # nothing sent twice


def test_a_rolled_back_change_sends_nothing(db, make, receiver):
    _subscribe(db, make, make.user(Role.ADMIN), receiver.url)
    visit = _visit(db, make)
    events.publish(events.VisitApproved(visit.id))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id))) == 0


def test_a_surprise_visit_reaches_only_subscribers_who_may_know_of_it(db, make, receiver):
    coordinator = make.user(Role.COORDINATOR)
    outsider_sub, _ = _subscribe(db, make, make.user(Role.OBSERVER), receiver.url)
    insider_sub, _ = _subscribe(db, make, coordinator, receiver.url)
    visit = _visit(db, make, TeamKind.PUBLIC_SERVICE, days=5, coordinators=[coordinator])
    events.publish(events.VisitApproved(visit.id))
    db.session.commit()
    rows = list(db.session.scalars(sa.select(WebhookDelivery)))
    assert [r.subscription_id for r in rows] == [insider_sub.id]
    assert outsider_sub.id not in {r.subscription_id for r in rows}


def test_relevance_is_checked_again_when_sending(db, make, receiver):
    owner = make.user(Role.ADMIN)
    _subscribe(db, make, owner, receiver.url)
    events.publish(events.VisitApproved(_visit(db, make).id))
    owner.active = False  # the owner may no longer see anything
    db.session.commit()
    dispatch.deliver_due()
    assert receiver.received == []
    assert db.session.scalar(sa.select(WebhookDelivery.status)) == DeliveryStatus.DROPPED


def test_a_refused_delivery_is_retried_with_backoff_then_given_up(app, db, make, receiver):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 3
    _subscribe(db, make, make.user(Role.ADMIN), receiver.url)
    events.publish(events.VisitApproved(_visit(db, make).id))
    db.session.commit()
    receiver.status = 503
    dispatch.deliver_due()
    row = db.session.scalar(sa.select(WebhookDelivery))
    db.session.refresh(row)
    assert row.status == DeliveryStatus.PENDING and row.attempts == 1 and row.response_status == 503
    assert row.next_attempt_at > utcnow()
    assert dispatch.deliver_due() == 0  # not yet due
    later = utcnow() + timedelta(hours=2)
    dispatch.deliver_due(now=later)
    receiver.status = 200
    dispatch.deliver_due(now=later + timedelta(hours=2))
    db.session.refresh(row)
    assert row.status == DeliveryStatus.DELIVERED and row.attempts == 3
    # The same message id on every attempt: the receiver can tell a retry from a new event.
    assert len({h["webhook-id"] for h, _b in receiver.received}) == 1 and len(receiver.received) == 3


def test_a_silent_receiver_fails_after_the_last_attempt(app, db, make):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 1
    app.config["WEBHOOK_TIMEOUT"] = 1
    _subscribe(db, make, make.user(Role.ADMIN), "http://127.0.0.1:9/nothing")
    events.publish(events.VisitApproved(_visit(db, make).id))
    db.session.commit()
    dispatch.deliver_due()
    row = db.session.scalar(sa.select(WebhookDelivery))
    assert row.status == DeliveryStatus.FAILED and row.last_error


def test_a_stale_claim_cannot_record_an_outcome(app, db, make, receiver):
    """The fencing token: a worker whose lease ran out (and whose row another worker took)
    does not overwrite the newer claim's outcome."""
    _subscribe(db, make, make.user(Role.ADMIN), receiver.url)
    events.publish(events.VisitApproved(_visit(db, make).id))
    db.session.commit()
    seen = []

    def slow_post(url, body, headers, timeout):
        # Meanwhile the lease ran out and another dispatcher claimed the row.
        db.session.execute(sa.update(WebhookDelivery).values(claim_token="another-worker"))
        db.session.commit()
        seen.append(url)
        return dispatch.Outcome(200)

    dispatch.deliver_due(post=slow_post)
    row = db.session.scalar(sa.select(WebhookDelivery))
    db.session.refresh(row)
    assert seen and row.status == DeliveryStatus.PENDING and row.claim_token == "another-worker"


def test_the_admin_page_subscribes_logs_and_sends_a_test_event(db, make, client, login, receiver):
    admin = make.user(Role.ADMIN)
    unit = make.unit()
    db.session.commit()
    login(admin.username)
    made = client.post(
        "/admin/webhooks/",
        data={
            "csrf_token": csrf_token(client, "/admin/webhooks/"),
            "unit_code": unit.code,
            "owner": admin.username,
            "url": receiver.url,
            "events": ["visit.approved", "conclusion.issued"],
        },
    )
    assert made.status_code == 200
    secret = re.search(r'<code class="token">(whsec_[^<]+)</code>', made.get_data(as_text=True)).group(1)
    page = client.get("/admin/webhooks/").get_data(as_text=True)
    assert secret not in page and receiver.url in page
    subscription_id = db.session.scalar(sa.select(WebhookSubscription.id))
    test = client.post(
        f"/admin/webhooks/{subscription_id}/test", data={"csrf_token": csrf_token(client, "/admin/webhooks/")}
    )
    assert test.status_code == 302
    dispatch.deliver_due()
    ((headers, body),) = receiver.received
    assert Webhook(secret).verify(body, headers)["type"] == "webhook.test"
    assert "webhook.test" in client.get("/admin/webhooks/").get_data(as_text=True)


def test_api_writes_raise_webhooks_through_the_same_events(world, db, make, client, bearer, receiver):
    subscription, _ = _subscribe(
        db, make, make.user(Role.ADMIN), receiver.url, types=("remediation.reported",)
    )
    headers = bearer(world["users"]["contact"], "write")
    response = client.post(
        f"/api/v1/actions/{world['action_id']}/report", json={"text": "Xong"}, headers=headers
    )
    assert response.status_code == 200
    dispatch.deliver_due()
    ((_headers, body),) = receiver.received
    assert json.loads(body)["data"]["action_id"] == world["action_id"]
