"""Teams, assignment and conflict-of-interest screening."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from inspections.assignments.services import ConflictOfInterestError, assign, assign_many
from inspections.audit.models import AuditEvent
from inspections.auth.models import Role
from inspections.errors import Conflict, InvalidInput
from inspections.teams.models import TeamKind, TeamRole
from inspections.teams.services import add_member, create_team
from inspections.units.models import UnitKind
from inspections.visits.models import InspectionKind


@pytest.fixture(autouse=True)
def _request(app, db):
    with app.test_request_context():
        yield


@pytest.fixture
def city(make):
    """A small hierarchy: city → departments, districts → wards; hospitals under Health."""
    u = SimpleNamespace()
    u.city = make.unit(code="hn", name="Hà Nội", kind=UnitKind.CITY)
    u.noivu = make.unit(code="so-noivu", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=u.city)
    u.tuphap = make.unit(code="so-tuphap", name="Sở Tư pháp", kind=UnitKind.DEPARTMENT, parent=u.city)
    u.yte = make.unit(code="so-yte", name="Sở Y tế", kind=UnitKind.DEPARTMENT, parent=u.city)
    u.hadong = make.unit(code="q-hadong", name="Quận Hà Đông", kind=UnitKind.DISTRICT, parent=u.city)
    u.badinh = make.unit(code="q-badinh", name="Quận Ba Đình", kind=UnitKind.DISTRICT, parent=u.city)
    u.ward = make.unit(code="p-qt", name="Phường Quang Trung", kind=UnitKind.COMMUNE, parent=u.hadong)
    u.hospital = make.unit(code="bv-hd", name="Bệnh viện Hà Đông", kind=UnitKind.PUBLIC_SERVICE, parent=u.yte)
    return u


@pytest.fixture
def team(make, city):
    lan = make.user(Role.COORDINATOR)
    plan = make.plan(coordinators=[lan])
    joint = create_team(plan, actor=lan, name="Đoàn liên ngành", kind=TeamKind.JOINT, decision_number="1/QĐ")
    for username, home, role in (("a", city.noivu, TeamRole.HEAD), ("b", city.tuphap, TeamRole.MEMBER)):
        user = make.user(Role.INSPECTOR, username=f"{username}{joint.id}", home_unit_id=home.id)
        add_member(joint, actor=lan, user=user, role=role)
    return SimpleNamespace(team=joint, plan=plan, lan=lan)


def test_a_unit_is_assigned_once_per_plan_and_kind(db, city, team):
    inspection = assign(team.team, city.badinh, actor=team.lan)
    assert inspection.kind == InspectionKind.JOINT and not inspection.drawn
    with pytest.raises(Conflict):
        assign(team.team, city.badinh, actor=team.lan)
    events = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == "inspection")
    ).all()
    assert events == ["inspection.assign"]


@pytest.mark.parametrize("target", ["noivu", "city", "hospital"])
def test_home_unit_itself_above_or_below_is_a_conflict(db, make, city, team, target):
    # so-yte's member makes its hospital (below) a conflict; the city is above every member.
    nurse = make.user(Role.INSPECTOR, home_unit_id=city.yte.id)
    add_member(team.team, actor=team.lan, user=nurse, role=TeamRole.SECRETARY)
    with pytest.raises(ConflictOfInterestError) as refused:
        assign(team.team, getattr(city, target), actor=team.lan)
    assert refused.value.conflicts


def test_an_override_reason_lets_the_conflict_through_and_is_audited(db, city, team):
    with pytest.raises(ConflictOfInterestError):
        assign(team.team, city.noivu, actor=team.lan, override_reason="  ")
    inspection = assign(
        team.team, city.noivu, actor=team.lan, override_reason="Thành viên không tham gia buổi làm việc"
    )
    assert inspection.conflict_override_reason == "Thành viên không tham gia buổi làm việc"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "inspection.assign"))
    assert event.after["conflict_override"]["reason"] == "Thành viên không tham gia buổi làm việc"


def test_siblings_and_other_branches_are_no_conflict(db, city, team):
    for unit in (city.hadong, city.ward, city.hospital, city.yte):
        assign(team.team, unit, actor=team.lan)


def test_adding_a_member_lists_the_assignments_that_now_conflict(db, make, city, team):
    assign(team.team, city.ward, actor=team.lan)
    assign(team.team, city.badinh, actor=team.lan)
    official = make.user(Role.INSPECTOR, home_unit_id=city.hadong.id)
    _, conflicts = add_member(team.team, actor=team.lan, user=official, role=TeamRole.MEMBER)
    assert [i.unit.code for i in conflicts] == ["p-qt"]
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "team.add_member").order_by(AuditEvent.id.desc())
    )
    assert event.after["new_conflicts"] == [conflicts[0].id]


def test_a_person_may_sit_on_several_teams_but_once_on_each(db, make, city, team):
    other = create_team(team.plan, actor=team.lan, name="Đoàn công vụ", kind=TeamKind.PUBLIC_SERVICE)
    person = team.team.memberships[0].user
    add_member(other, actor=team.lan, user=person, role=TeamRole.HEAD)
    with pytest.raises(Conflict):
        add_member(other, actor=team.lan, user=person, role=TeamRole.MEMBER)
    with pytest.raises(Conflict):  # one head per team
        add_member(
            other,
            actor=team.lan,
            user=make.user(Role.INSPECTOR, home_unit_id=city.badinh.id),
            role=TeamRole.HEAD,
        )
    with pytest.raises(InvalidInput):
        add_member(other, actor=team.lan, user=make.user(Role.UNIT_CONTACT), role=TeamRole.MEMBER)
    with pytest.raises(Conflict):
        create_team(team.plan, actor=team.lan, name="Đoàn công vụ", kind=TeamKind.JOINT)


def test_bulk_assignment_assigns_what_it_can_and_says_why_not_for_the_rest(db, city, team):
    assign(team.team, city.badinh, actor=team.lan)
    result = assign_many(team.team, [city.hadong, city.badinh, city.noivu, city.ward], actor=team.lan)
    assert [i.unit.code for i in result.assigned] == ["q-hadong", "p-qt"]
    assert [u.code for u, _ in result.refused] == ["q-badinh", "so-noivu"]
    assert "Conflict of interest" in result.refused[1][1] or "Xung đột" in result.refused[1][1]
