"""A member's absence that hits approved visits: re-propose just those visits (the others stay
where they are); a team head's proposed move, decided by the coordinator."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from inspections.auth.models import Role
from inspections.errors import Conflict, InvalidInput
from inspections.i18n import local_day, today
from inspections.scheduling.changes import (
    add_absence,
    apply_moves,
    decide_move,
    hit_visits,
    propose_move,
    repropose,
)
from inspections.scheduling.models import ChangeStatus, MemberAbsence
from inspections.teams.models import TeamKind
from inspections.visits.models import Slot
from inspections.visits.services import visit_times
from tests.conftest import csrf_token
from tests.scheduling.test_visit_changes import REASON, rows, working_day, world


def test_an_absence_hits_only_the_visits_on_its_day_and_the_reproposal_moves_only_them(db, make, in_request):
    field = world(make, db, days=12)
    kept = make.inspection(field.team, make.unit(), visit_at=visit_times(working_day(14), Slot.MORNING)[0])
    other_team = make.team(field.plan, TeamKind.JOINT, members=[make.user(Role.INSPECTOR)])
    elsewhere = make.inspection(
        other_team, make.unit(), visit_at=visit_times(working_day(12), Slot.MORNING)[0]
    )
    db.session.commit()
    away = local_day(field.visit.starts_at)
    add_absence(field.plan, user_id=field.member.id, day=away, note="Đi học", actor=field.coordinator)
    db.session.commit()

    assert hit_visits(field.plan) == [field.visit]
    [suggestion] = repropose(field.plan)
    assert suggestion.visit == field.visit and suggestion.day != away
    assert (suggestion.day, suggestion.slot) != (local_day(kept.visits[0].starts_at), Slot.MORNING)

    untouched = {v.id: v.starts_at for v in (kept.visits[0], elsewhere.visits[0])}
    apply_moves(
        field.plan,
        [(suggestion.visit.id, suggestion.day, suggestion.slot)],
        reason=REASON,
        actor=field.coordinator,
        accept_short_notice=True,
    )
    db.session.commit()
    assert local_day(field.visit.starts_at) == suggestion.day
    assert {v.id: v.starts_at for v in (kept.visits[0], elsewhere.visits[0])} == untouched
    assert hit_visits(field.plan) == []
    assert len(rows(db, kind="visit_changed")) >= 2


def test_an_absence_is_only_for_the_plans_people_and_not_in_the_past(db, make, in_request):
    field = world(make, db)
    with pytest.raises(InvalidInput):
        add_absence(
            field.plan, user_id=field.outsider.id, day=working_day(3), note="", actor=field.coordinator
        )
    with pytest.raises(InvalidInput):
        add_absence(
            field.plan,
            user_id=field.member.id,
            day=today() - timedelta(days=1),
            note="",
            actor=field.coordinator,
        )
    add_absence(field.plan, user_id=field.member.id, day=working_day(3), note="", actor=field.coordinator)
    with pytest.raises(Conflict):
        add_absence(field.plan, user_id=field.member.id, day=working_day(3), note="", actor=field.coordinator)
    db.session.rollback()


def test_no_reproposal_without_a_hit(db, make, in_request):
    field = world(make, db)
    with pytest.raises(InvalidInput):
        repropose(field.plan)


def test_the_absences_page_records_and_offers_the_reproposal(db, make, client, login):
    field = world(make, db)
    path = f"/plans/{field.plan.id}/schedule/absences"
    login(field.coordinator.username)
    token = csrf_token(client, path)
    away = local_day(field.visit.starts_at)
    client.post(
        path, data={"csrf_token": token, "user_id": field.member.id, "day": away.isoformat(), "note": "Ốm"}
    )
    page = client.get(path).get_data(as_text=True)
    assert "Ốm" in page and field.unit.name in page
    answer = client.post(f"{path}/repropose", data={"csrf_token": token}).get_data(as_text=True)
    [move] = [v for v in answer.split('name="move" value="')[1:]]
    value = move.split('"', 1)[0]
    assert value.startswith(f"{field.visit.id}|")
    client.post(
        f"{path}/apply", data={"csrf_token": token, "move": value, "reason": REASON, "short_notice": "y"}
    )
    db.session.expire_all()
    assert local_day(field.visit.starts_at) != away
    # Bad input is refused with a message, and changes nothing.
    before = field.visit.starts_at
    client.post(f"{path}/apply", data={"csrf_token": token, "move": "1|x|y", "reason": REASON})
    client.post(path, data={"csrf_token": token, "user_id": "abc", "day": "x"})
    db.session.expire_all()
    assert field.visit.starts_at == before
    assert db.session.scalar(sa.select(sa.func.count(MemberAbsence.id))) == 1
    assert client.post(path, data={"user_id": field.member.id}).status_code == 400


def test_the_absences_page_is_the_coordinators(db, make, client, login):
    field = world(make, db)
    login(field.leader.username)
    assert client.get(f"/plans/{field.plan.id}/schedule/absences").status_code == 404


def test_a_proposed_move_waits_then_the_coordinator_accepts_it(db, make, in_request):
    field = world(make, db)
    day = working_day(15)
    change = propose_move(field.visit, day=day, slot=Slot.AFTERNOON, reason=REASON, actor=field.leader)
    db.session.commit()
    assert local_day(field.visit.starts_at) == working_day(12)
    with pytest.raises(Conflict):
        propose_move(field.visit, day=day, slot=Slot.MORNING, reason=REASON, actor=field.leader)
    db.session.rollback()
    decide_move(change, accept=True, actor=field.coordinator)
    db.session.commit()
    assert change.status == ChangeStatus.ACCEPTED
    assert (local_day(field.visit.starts_at), field.visit.slot) == (day, Slot.AFTERNOON)
    with pytest.raises(Conflict):
        decide_move(change, accept=False, actor=field.coordinator)


def test_a_refused_proposed_move_changes_nothing(db, make, in_request):
    field = world(make, db)
    change = propose_move(
        field.visit, day=working_day(15), slot=Slot.MORNING, reason=REASON, actor=field.leader
    )
    decide_move(change, accept=False, actor=field.coordinator)
    db.session.commit()
    assert change.status == ChangeStatus.REFUSED and field.visit.sequence == 0
    assert rows(db, kind="visit_changed") == []
