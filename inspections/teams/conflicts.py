"""Conflicts of interest between a team's members and the units it inspects.

A member's home unit conflicts with a target when it is the target, or above or below it
in the hierarchy. Assigning a unit (`assignments`) and seating a member (`teams.services`)
both ask this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from inspections.extensions import db
from inspections.teams.models import Membership, Team
from inspections.units.models import Unit
from inspections.units.services import related_ids
from inspections.visits.models import Inspection


@dataclass(frozen=True)
class ConflictOfInterest:
    membership_id: int
    member: str
    home_unit: str
    unit_id: int


def conflict_zone(team: Team) -> dict[int, list[Membership]]:
    """Every unit that is in conflict with some member, and with whom."""
    zone: dict[int, list[Membership]] = {}
    for membership in team.memberships:
        for unit_id in related_ids(membership.home_unit_id):
            zone.setdefault(unit_id, []).append(membership)
    return zone


def conflicts_for(team: Team, unit: Unit) -> list[ConflictOfInterest]:
    """The members whose home unit conflicts with `unit`."""
    related = related_ids(unit.id)
    return [
        ConflictOfInterest(m.id, m.user.full_name, m.home_unit.name, unit.id)
        for m in team.memberships
        if m.home_unit_id in related
    ]


def conflicts_of_member(membership: Membership) -> list[Inspection]:
    """The team's current assignments that conflict with this member's home unit."""
    zone = related_ids(membership.home_unit_id)
    return list(
        db.session.scalars(
            sa.select(Inspection)
            .where(Inspection.team_id == membership.team_id, Inspection.unit_id.in_(zone))
            .order_by(Inspection.id)
        )
    )
