"""A proposed move waits on the plan's coordinator until decided; the opt-in daily digest
lists what waits, once a day, only for those who asked for it."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from inspections.auth.models import Role
from inspections.db import utcnow
from inspections.i18n import LOCAL_TZ
from inspections.inbox.digest import send_digests, set_digest, subscribed
from inspections.inbox.services import ItemKind, inbox_of
from inspections.outbox.models import Notification
from inspections.outbox.render import render
from inspections.scheduling.changes import decide_move, propose_move
from inspections.visits.models import Slot
from tests.conftest import csrf_token
from tests.scheduling.test_visit_changes import REASON, working_day, world


def _moves(user) -> list[str]:
    return [i.text for i in inbox_of(user).items.get(ItemKind.MOVE_PROPOSED, [])]


def _morning():
    """08:00 in Vietnam today, after the digest hour."""
    now = utcnow().astimezone(LOCAL_TZ)
    return now.replace(hour=8, minute=0, second=0, microsecond=0)


def test_a_proposed_move_waits_on_the_plans_coordinator_until_decided(db, make, in_request):
    field = world(make, db)
    stranger = make.user(Role.COORDINATOR)
    admin = make.user(Role.ADMIN)
    change = propose_move(
        field.visit, day=working_day(15), slot=Slot.MORNING, reason=REASON, actor=field.leader
    )
    db.session.commit()
    assert _moves(field.coordinator) == [f"{field.unit.name} — {REASON}"]
    assert _moves(admin) and _moves(stranger) == [] and _moves(field.leader) == []
    decide_move(change, accept=True, actor=field.coordinator)
    db.session.commit()
    assert _moves(field.coordinator) == [] and _moves(admin) == []


def test_a_refused_move_leaves_the_inbox_too(db, make, in_request):
    field = world(make, db)
    change = propose_move(
        field.visit, day=working_day(15), slot=Slot.MORNING, reason=REASON, actor=field.leader
    )
    db.session.commit()
    assert _moves(field.coordinator)
    decide_move(change, accept=False, actor=field.coordinator)
    db.session.commit()
    assert _moves(field.coordinator) == []


def test_the_digest_goes_once_a_day_only_to_those_who_opted_in(db, make, in_request):
    field = world(make, db)
    propose_move(field.visit, day=working_day(15), slot=Slot.MORNING, reason=REASON, actor=field.leader)
    other = make.user(Role.COORDINATOR)
    field.plan.coordinators.append(other)
    db.session.commit()
    assert send_digests(_morning()) == 0  # nobody asked for it
    set_digest(field.coordinator, wanted=True)
    db.session.commit()
    assert send_digests(_morning() - timedelta(hours=2)) == 0  # before the digest hour
    assert send_digests(_morning()) == 1
    assert send_digests(_morning() + timedelta(hours=3)) == 0  # once a day
    db.session.commit()
    [row] = db.session.scalars(sa.select(Notification).where(Notification.kind == "inbox_digest"))
    assert row.recipient_user_id == field.coordinator.id
    text = render(row).get_body(("plain",)).get_content()
    assert REASON in text and f"/visits/{field.visit.id}/change" in text and "/inbox/" in text


def test_nothing_waiting_means_no_digest(db, make, in_request):
    field = world(make, db)
    set_digest(field.coordinator, wanted=True)
    db.session.commit()
    assert send_digests(_morning()) == 0


def test_the_digest_is_switched_on_and_off_from_the_inbox(db, make, client, login):
    field = world(make, db)
    login(field.coordinator.username)
    token = csrf_token(client, "/inbox/")
    assert "Thư hằng ngày: đang bật" not in client.get("/inbox/").get_data(as_text=True)
    client.post("/inbox/digest", data={"csrf_token": token, "wanted": "1"})
    assert "Thư hằng ngày: đang bật" in client.get("/inbox/").get_data(as_text=True)
    assert subscribed(field.coordinator)
    client.post("/inbox/digest", data={"csrf_token": token, "wanted": "0"})
    db.session.expire_all()
    assert not subscribed(field.coordinator)
    assert client.post("/inbox/digest", data={"wanted": "1"}).status_code == 400
