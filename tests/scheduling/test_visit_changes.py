"""After approval: a visit moved or cancelled with a reason, re-validated; the unit of an
announced visit is told (change notice, feed), a surprise visit's unit nothing; the old
reminders go; the audit holds before and after."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from inspections.audit.models import AuditEvent
from inspections.auth.models import Role
from inspections.errors import Conflict, InvalidInput
from inspections.i18n import LOCAL_TZ, local_day, today
from inspections.outbox.models import Notification, NotificationStatus
from inspections.outbox.render import render
from inspections.reminders.notices import schedule_notices
from inspections.reminders.rules import schedule_due
from inspections.scheduling.changes import ShortNotice, cancel_visit, move_visit
from inspections.scheduling.models import MemberAbsence
from inspections.teams.models import TeamKind
from inspections.units.models import UnitContact
from inspections.visits.models import InspectionStatus, Slot, VisitStatus
from inspections.visits.services import visit_times
from inspections.workdays.calendar import WorkCalendar
from tests.conftest import csrf_token
from tests.fieldwork import Field, build

CAL = WorkCalendar()
REASON = "Trưởng đoàn bận họp HĐND"


def working_day(n: int) -> date:
    return CAL.add_working_days(today(), n)


def world(make, db, *, kind: TeamKind = TeamKind.JOINT, days: int = 12) -> Field:
    """An approved visit `days` working days ahead, in a plan whose window holds it."""
    field = build(make, db, visit_at=visit_times(working_day(days), Slot.MORNING)[0], kind=kind)
    field.plan.window_start = today() - timedelta(days=30)
    field.plan.window_end = today() + timedelta(days=200)
    db.session.commit()
    return field


def rows(db, **where) -> list[Notification]:
    query = sa.select(Notification).order_by(Notification.id)
    for name, value in where.items():
        query = query.where(getattr(Notification, name) == value)
    return list(db.session.scalars(query))


def _sent(db, rows_: list[Notification]) -> None:
    """As if the dispatcher had sent them."""
    for row in rows_:
        row.status = NotificationStatus.SENT
    db.session.commit()


def test_a_moved_announced_visit_tells_the_unit_and_supersedes_the_old_reminders(db, make, in_request):
    field = world(make, db, days=3)
    _sent(db, schedule_notices(field.visit))
    schedule_due(field.visit.starts_at - timedelta(days=1))  # the reminders of the old time
    db.session.commit()
    old_reminders = rows(db, kind="visit_reminder")
    assert old_reminders and all(r.status == NotificationStatus.PENDING for r in old_reminders)
    old_start = field.visit.starts_at

    new_day = working_day(15)
    move_visit(field.visit, day=new_day, slot=Slot.AFTERNOON, reason=REASON, actor=field.coordinator)
    db.session.commit()

    visit = field.visit
    assert (local_day(visit.starts_at), visit.slot) == (new_day, Slot.AFTERNOON)
    assert visit.sequence == 1 and visit.change_reason == REASON
    for row in old_reminders:
        db.session.refresh(row)
        assert row.status == NotificationStatus.CANCELLED
    [notice] = rows(db, kind="visit_changed", recipient_contact_id=field.unit.contacts[0].id)
    assert notice.status == NotificationStatus.PENDING
    assert notice.context["reason"] == REASON and notice.context["short_notice"] is False
    text = render(notice).get_body(("plain",)).get_content()
    assert REASON in text and new_day.strftime("%d/%m/%Y") in text
    assert old_start.astimezone(LOCAL_TZ).strftime("%d/%m/%Y") in text
    assert notice.context.get("acknowledge_url")  # the unit acknowledges the new time
    # The team is told too, with the visit's page.
    team_rows = rows(db, kind="visit_changed", recipient_contact_id=None)
    assert {r.recipient_user_id for r in team_rows} == {field.leader.id, field.member.id}
    # New reminders are planned for the new time by the next run of the rules.
    schedule_due(visit.starts_at - timedelta(days=1))
    db.session.commit()
    fresh = [r for r in rows(db, kind="visit_reminder") if r.status == NotificationStatus.PENDING]
    assert fresh and all(r.idempotency_key.startswith(f"visit:{visit.id}.1:") for r in fresh)
    # The audit holds before → after, and the reason.
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "visit.move"))
    assert event.before["starts_at"] == old_start.isoformat()
    assert event.after["starts_at"] == visit.starts_at.isoformat() and event.after["reason"] == REASON


def test_a_move_within_one_day_also_gets_fresh_reminders(db, make, in_request):
    field = world(make, db, days=2)
    schedule_due(field.visit.starts_at - timedelta(days=1))
    db.session.commit()
    before = rows(db, kind="visit_reminder")
    day = local_day(field.visit.starts_at)
    move_visit(
        field.visit,
        day=day,
        slot=Slot.AFTERNOON,
        reason=REASON,
        actor=field.coordinator,
        accept_short_notice=True,
    )
    db.session.commit()
    for row in before:
        db.session.refresh(row)
        assert row.status == NotificationStatus.CANCELLED
    assert schedule_due(field.visit.starts_at - timedelta(hours=20)) > 0


def test_a_short_notice_move_needs_confirming_and_the_notice_says_so(db, make, in_request):
    field = world(make, db)
    _sent(db, schedule_notices(field.visit))
    soon = working_day(2)
    with pytest.raises(ShortNotice):
        move_visit(field.visit, day=soon, slot=Slot.MORNING, reason=REASON, actor=field.coordinator)
    db.session.rollback()
    assert local_day(field.visit.starts_at) == working_day(12)

    move_visit(
        field.visit,
        day=soon,
        slot=Slot.MORNING,
        reason=REASON,
        actor=field.coordinator,
        accept_short_notice=True,
    )
    db.session.commit()
    [notice] = rows(db, kind="visit_changed", recipient_contact_id=field.unit.contacts[0].id)
    assert notice.context["short_notice"] is True
    assert "Báo trước ngắn" in render(notice).get_body(("plain",)).get_content()


def test_a_surprise_visit_moves_silently_for_the_unit(db, make, in_request):
    field = world(make, db, kind=TeamKind.PUBLIC_SERVICE)
    move_visit(field.visit, day=working_day(4), slot=Slot.MORNING, reason=REASON, actor=field.coordinator)
    db.session.commit()
    assert rows(db, recipient_contact_id=field.unit.contacts[0].id) == []
    assert all(r.recipient_user_id in {field.leader.id, field.member.id} for r in rows(db))
    assert len(rows(db, kind="visit_changed")) == 2


@pytest.mark.parametrize(
    "case",
    ["past", "holiday", "outside", "absence", "same", "no_reason"],
)
def test_a_move_that_breaks_a_rule_is_refused_and_changes_nothing(db, make, in_request, case):
    field = world(make, db)
    day, reason = working_day(14), REASON
    if case == "past":
        day = today() - timedelta(days=1)
    elif case == "holiday":
        day = next(
            d for d in (today() + timedelta(days=n) for n in range(1, 30)) if not CAL.is_working_day(d)
        )
    elif case == "outside":
        day = field.plan.window_end + timedelta(days=7)
        day = next(d for d in (day + timedelta(days=n) for n in range(10)) if CAL.is_working_day(d))
    elif case == "absence":
        db.session.add(MemberAbsence(user_id=field.member.id, day=day, note="Nghỉ phép"))
        db.session.commit()
    elif case == "same":
        day = local_day(field.visit.starts_at)
    else:
        reason = "   "
    before = (field.visit.starts_at, field.visit.sequence)
    with pytest.raises(InvalidInput):
        move_visit(field.visit, day=day, slot=Slot.MORNING, reason=reason, actor=field.coordinator)
    db.session.rollback()
    assert (field.visit.starts_at, field.visit.sequence) == before
    assert rows(db, kind="visit_changed") == []


def test_two_visits_of_one_team_cannot_share_a_half_day(db, make, in_request):
    field = world(make, db)
    other = make.inspection(field.team, make.unit(), visit_at=visit_times(working_day(14), Slot.MORNING)[0])
    db.session.commit()
    assert other.visits
    with pytest.raises(InvalidInput):
        move_visit(
            field.visit, day=working_day(14), slot=Slot.MORNING, reason=REASON, actor=field.coordinator
        )


def test_a_cancelled_announced_visit_is_told_and_stays_cancelled_in_the_units_feed(db, make, in_request, app):
    field = world(make, db)
    _sent(db, schedule_notices(field.visit))
    schedule_due(field.visit.starts_at - timedelta(days=1))
    db.session.commit()
    cancel_visit(field.visit, reason=REASON, actor=field.coordinator)
    db.session.commit()
    assert field.visit.status == VisitStatus.CANCELLED and field.visit.cancelled_at is not None
    assert field.inspection.status == InspectionStatus.ASSIGNED  # to be scheduled again
    assert all(r.status == NotificationStatus.CANCELLED for r in rows(db, kind="visit_reminder"))
    [told] = rows(db, kind="visit_cancelled", recipient_contact_id=field.unit.contacts[0].id)
    assert REASON in render(told).get_body(("plain",)).get_content()
    with pytest.raises(Conflict):
        cancel_visit(field.visit, reason=REASON, actor=field.coordinator)


def test_a_cancelled_surprise_visit_tells_the_unit_nothing(db, make, in_request):
    field = world(make, db, kind=TeamKind.PUBLIC_SERVICE)
    cancel_visit(field.visit, reason=REASON, actor=field.coordinator)
    db.session.commit()
    assert rows(db, recipient_contact_id=field.unit.contacts[0].id) == []
    assert len(rows(db, kind="visit_cancelled")) == 2  # the team


def test_a_unit_never_told_of_a_visit_gets_the_schedule_notice_of_its_new_time(db, make, in_request):
    field = world(make, db)
    pending = schedule_notices(field.visit)  # queued, not yet sent
    db.session.commit()
    move_visit(field.visit, day=working_day(16), slot=Slot.MORNING, reason=REASON, actor=field.coordinator)
    db.session.commit()
    for row in pending:
        db.session.refresh(row)
        assert row.status == NotificationStatus.CANCELLED
    contact = field.unit.contacts[0].id
    assert rows(db, kind="visit_changed", recipient_contact_id=contact) == []
    [fresh] = rows(
        db, kind="schedule_notice", recipient_contact_id=contact, status=NotificationStatus.PENDING
    )
    assert fresh.context["visit_sequence"] == 1


# --- the pages ----------------------------------------------------------------------------


def _feed(client) -> Calendar:
    client.post("/calendar/feed", data={"csrf_token": csrf_token(client, "/calendar")})
    page = client.get("/calendar").get_data(as_text=True)
    address = "/calendar/feed/" + page.split("/calendar/feed/", 1)[1].split(".ics", 1)[0] + ".ics"
    return Calendar.from_ical(client.get(address).data)


def test_the_coordinator_moves_and_cancels_from_the_page_and_the_feeds_follow(db, make, client, login):
    field = world(make, db)
    path = f"/visits/{field.visit.id}/change"
    login(field.coordinator.username)
    token = csrf_token(client, path)
    new_day = working_day(15)
    client.post(
        f"/visits/{field.visit.id}/move",
        data={"csrf_token": token, "day": new_day.isoformat(), "slot": "morning", "reason": REASON},
    )
    db.session.expire_all()
    assert local_day(field.visit.starts_at) == new_day
    client.post("/logout", data={"csrf_token": token})

    login(field.contact.username)
    [event] = _feed(client).walk("VEVENT")
    assert int(event["sequence"]) == 1 and event.decoded("dtstart") == field.visit.starts_at
    client.post("/logout", data={"csrf_token": csrf_token(client, "/calendar")})

    login(field.coordinator.username)
    page = client.get(path).get_data(as_text=True)
    assert "data-confirm=" in page
    client.post(
        f"/visits/{field.visit.id}/cancel", data={"csrf_token": csrf_token(client, path), "reason": REASON}
    )
    db.session.expire_all()
    assert field.visit.status == VisitStatus.CANCELLED
    client.post("/logout", data={"csrf_token": csrf_token(client, path)})

    login(field.contact.username)
    [event] = _feed(client).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"


def test_a_surprise_visit_moved_or_cancelled_never_reaches_the_units_feed(db, make, client, login):
    field = world(make, db, kind=TeamKind.PUBLIC_SERVICE)
    with client.application.test_request_context():
        move_visit(field.visit, day=working_day(5), slot=Slot.MORNING, reason=REASON, actor=field.coordinator)
        db.session.commit()
        cancel_visit(field.visit, reason=REASON, actor=field.coordinator)
        db.session.commit()
    login(field.contact.username)
    assert _feed(client).walk("VEVENT") == []


def test_bad_input_on_the_page_is_a_message_not_an_error(db, make, client, login):
    field = world(make, db)
    path = f"/visits/{field.visit.id}/change"
    login(field.coordinator.username)
    token = csrf_token(client, path)
    for data in (
        {"day": "not-a-date", "slot": "morning", "reason": REASON},
        {"day": working_day(15).isoformat(), "slot": "night", "reason": REASON},
        {"day": working_day(15).isoformat(), "slot": "morning", "reason": ""},
    ):
        response = client.post(f"/visits/{field.visit.id}/move", data={"csrf_token": token} | data)
        assert response.status_code == 302
    assert client.post(f"/visits/{field.visit.id}/move", data={"day": "x"}).status_code == 400
    db.session.expire_all()
    assert field.visit.sequence == 0


def test_only_the_coordinator_moves_the_head_proposes_a_member_neither(db, make, client, login):
    field = world(make, db)
    path = f"/visits/{field.visit.id}/change"
    login(field.member.username)
    assert client.get(path).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/visits/")})
    login(field.outsider.username)
    assert client.get(path).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/visits/")})
    other = make.user(Role.COORDINATOR)
    db.session.commit()
    login(other.username)
    assert client.get(path).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/visits/")})

    login(field.leader.username)
    token = csrf_token(client, path)
    assert (
        client.post(
            f"/visits/{field.visit.id}/cancel", data={"csrf_token": token, "reason": REASON}
        ).status_code
        == 403
    )
    client.post(
        f"/visits/{field.visit.id}/move",
        data={"csrf_token": token, "day": working_day(15).isoformat(), "slot": "morning", "reason": REASON},
    )
    db.session.expire_all()
    assert field.visit.sequence == 0  # only proposed
    assert "Đề nghị dời lịch đang chờ cán bộ điều phối" in client.get(path).get_data(as_text=True)


def test_unit_contacts_of_another_unit_and_active_status_are_respected(db, make, in_request):
    field = world(make, db)
    db.session.add(UnitContact(unit=field.unit, name="Cũ", email="cu@hadong.example", active=False))
    db.session.commit()
    _sent(db, schedule_notices(field.visit))
    move_visit(field.visit, day=working_day(15), slot=Slot.MORNING, reason=REASON, actor=field.coordinator)
    db.session.commit()
    assert [r.recipient_email for r in rows(db, kind="visit_changed") if r.recipient_contact_id] == [
        "vanthu@hadong.example"
    ]
