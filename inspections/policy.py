"""Who may see or do what: the one place for authorisation.

Views ask these functions before loading or changing anything; lists are built from the
`visible_*` queries so that a list can never show what a detail page would refuse.

Surprise secrecy, decided per visit: a surprise visit (its date, its findings and actions)
is known only to admins, the plan's coordinators and the members of its team until that
visit starts (`visit_visible`); nothing about its actions reaches the unit before the
conclusion is issued (`conclusion_issued`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import sqlalchemy as sa

from inspections.auth.models import Role, User
from inspections.cases.models import Case
from inspections.db import utcnow
from inspections.documents.models import Document, DocumentKind, DocumentStatus
from inspections.extensions import db
from inspections.findings.models import Finding
from inspections.imports.models import ImportJob
from inspections.plans.models import Plan, PlanStatus, plan_coordinators
from inspections.remediation.models import CorrectiveAction, ExtensionRequest
from inspections.teams.models import Membership, Team, TeamRole
from inspections.units.models import Unit
from inspections.visits.models import CONFIRMED, Inspection, InspectionKind, Visit, VisitStatus

STAFF_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.OBSERVER})


class Viewer(Protocol):
    """A logged-in `User` or Flask-Login's anonymous user."""

    is_authenticated: bool


def _user(viewer: Viewer) -> User | None:
    return viewer if isinstance(viewer, User) and viewer.is_authenticated else None


def has_role(viewer: Viewer, *roles: Role) -> bool:
    user = _user(viewer)
    return user is not None and user.role in roles


def _member_team_ids(user: User) -> sa.Select[tuple[int]]:
    return sa.select(Membership.team_id).where(Membership.user_id == user.id)


# --- plans -------------------------------------------------------------------------------


def can_view_plans(viewer: Viewer) -> bool:
    return has_role(viewer, *STAFF_ROLES, Role.INSPECTOR)


def visible_plans(viewer: Viewer) -> sa.Select[tuple[Plan]]:
    """Staff see every plan; inspectors the plans they hold a team seat in."""
    query = sa.select(Plan)
    user = _user(viewer)
    if user is None or not can_view_plans(user):
        return query.where(sa.false())
    if user.role in STAFF_ROLES:
        return query
    return query.where(Plan.id.in_(sa.select(Team.plan_id).where(Team.id.in_(_member_team_ids(user)))))


def can_view_plan(viewer: Viewer, plan: Plan) -> bool:
    user = _user(viewer)
    if user is None or not can_view_plans(user):
        return False
    if user.role in STAFF_ROLES:
        return True

    return db.session.scalar(
        sa.select(sa.exists().where(Team.plan_id == plan.id, Team.id.in_(_member_team_ids(user))))
    )


def can_manage_plans(viewer: Viewer) -> bool:
    return has_role(viewer, Role.ADMIN, Role.COORDINATOR)


# --- inspections, visits and surprise secrecy ----------------------------------------------


def _coordinated_plan_ids(user: User) -> sa.Select[tuple[int]]:
    return sa.select(plan_coordinators.c.plan_id).where(plan_coordinators.c.user_id == user.id)


def _insider(user: User) -> sa.ColumnElement[bool]:
    """The inspection (joined as `Inspection`) is the user's team's or under a plan the
    user coordinates: its surprise visits are known to them from the start."""
    return sa.or_(
        Inspection.team_id.in_(_member_team_ids(user)),
        Inspection.plan_id.in_(_coordinated_plan_ids(user)),
    )


def _visit_started(now: datetime) -> sa.ColumnElement[bool]:
    """This visit (`Visit`) is confirmed and its start has passed."""
    return sa.and_(Visit.starts_at <= now, Visit.status.in_(CONFIRMED))


def _started_visit(now: datetime) -> sa.ColumnElement[bool]:
    """A visit of the inspection (`Inspection`) has started: the unit knows of it now."""
    return sa.exists().where(Visit.inspection_id == Inspection.id, _visit_started(now))


def visible_inspections(viewer: Viewer, *, now: datetime | None = None) -> sa.Select[tuple[Inspection]]:
    """Inspections the viewer may know of.

    Surprise inspections are hidden from everyone but admins, the plan's coordinators and
    the team until a visit has started; unit contacts see only their own unit's. Which of
    its visits may be seen is decided per visit (`visit_visible`).
    """
    now = now or utcnow()
    query = sa.select(Inspection)
    user = _user(viewer)
    if user is None:
        return query.where(sa.false())
    if user.role == Role.ADMIN:
        return query
    announced = Inspection.kind == InspectionKind.JOINT
    surprise_ok = sa.or_(announced, _started_visit(now))
    if user.role == Role.UNIT_CONTACT:
        return query.where(Inspection.unit_id == user.home_unit_id, surprise_ok)
    if user.role in (Role.COORDINATOR, Role.OBSERVER):
        return query.where(sa.or_(surprise_ok, _insider(user)))
    return query.where(Inspection.team_id.in_(_member_team_ids(user)))


def visit_visible(viewer: Viewer, *, now: datetime | None = None) -> sa.ColumnElement[bool]:
    """SQL condition on `Visit`: the viewer may know of this visit.

    Decided per visit: outside the team, the plan's coordinators and admins, a surprise
    visit is visible only once it has started, so a follow-up visit stays secret until its
    own start even when the first one is long past. A unit contact sees only the own unit's
    confirmed visits. Every list, page, calendar and feed of visits is built on this.
    """
    now = now or utcnow()
    user = _user(viewer)
    if user is None:
        return sa.false()
    if user.role == Role.ADMIN:
        return sa.true()
    announced = Inspection.kind == InspectionKind.JOINT
    if user.role == Role.UNIT_CONTACT:
        allowed = sa.and_(
            Inspection.unit_id == user.home_unit_id,
            Visit.status.in_(CONFIRMED),
            sa.or_(announced, _visit_started(now)),
        )
    elif user.role in (Role.COORDINATOR, Role.OBSERVER):
        allowed = sa.or_(_insider(user), announced, _visit_started(now))
    else:
        # A member knows every visit of the own teams: a short list of inspections, which
        # the planner reads first (an EXISTS per visit would walk every visit of the nation).
        own = sa.select(Inspection.id).where(Inspection.team_id.in_(_member_team_ids(user)))
        return Visit.inspection_id.in_(own.correlate(None))
    # Inspection is the subquery's own; Visit is the enclosing query's row.
    return sa.exists().where(Inspection.id == Visit.inspection_id, allowed).correlate_except(Inspection)


def visible_visits(viewer: Viewer, *, now: datetime | None = None) -> sa.Select[tuple[Visit]]:
    """The visits the viewer may know of (see `visit_visible`)."""
    return sa.select(Visit).where(visit_visible(viewer, now=now))


# --- administration ----------------------------------------------------------------------


def can_list_visits(viewer: Viewer) -> bool:
    """The visits list is for staff and teams; a unit contact has the unit dashboard."""
    return has_role(viewer, *STAFF_ROLES, Role.INSPECTOR)


def can_use_inbox(viewer: Viewer) -> bool:
    """What waits on a person: requests to decide, reports to verify, findings and
    conclusions due, notices not acknowledged (a unit contact has the unit dashboard)."""
    return has_role(viewer, Role.ADMIN, Role.COORDINATOR, Role.INSPECTOR)


def can_view_findings_reports(viewer: Viewer) -> bool:
    """What inspections found, counted: staff who follow the plans (figures, and each
    unit's rate against its previous inspection; no finding's text, no named person)."""
    return has_role(viewer, *STAFF_ROLES)


def can_view_audit(viewer: Viewer) -> bool:
    return has_role(viewer, Role.ADMIN)


def can_view_system_status(viewer: Viewer) -> bool:
    return has_role(viewer, Role.ADMIN)


def can_manage_users(viewer: Viewer) -> bool:
    """Admins only, coordinators not even for unit contacts: a role and a home unit decide
    what an account sees (a unit contact's unit scopes its pages and mail), and a password
    link hands the account over; whoever may do that could grant themselves any view."""
    return has_role(viewer, Role.ADMIN)


# --- coordinator workflow: plans, units, teams, assignment, draw -------------------------


def can_manage_plan(viewer: Viewer, plan: Plan) -> bool:
    """Admins and the plan's own coordinators change a plan, its teams and its targets."""
    user = _user(viewer)
    if user is None or user.role not in (Role.ADMIN, Role.COORDINATOR):
        return False
    return user.role == Role.ADMIN or user in plan.coordinators


def can_view_units(viewer: Viewer) -> bool:
    """The registry lists every unit; unit contacts and inspectors have no use for it."""
    return has_role(viewer, *STAFF_ROLES)


def can_manage_units(viewer: Viewer) -> bool:
    return has_role(viewer, Role.ADMIN, Role.COORDINATOR)


def can_import(viewer: Viewer, kind: str) -> bool:
    """Units and their contacts: whoever manages the registry. People: whoever manages
    users (an import makes accounts and mails their password links: `can_manage_users`)."""
    if kind == "people":
        return can_manage_users(viewer)
    return kind in ("units", "contacts") and can_manage_units(viewer)


def can_view_import(viewer: Viewer, job: ImportJob) -> bool:
    """An import job (its file's rows and errors): the one who uploaded it, and admins,
    while they may still import that kind."""
    user = _user(viewer)
    if user is None or not can_import(user, job.kind.value):
        return False
    return user.role == Role.ADMIN or job.created_by_id == user.id


def can_view_team(viewer: Viewer, team: Team) -> bool:
    return can_view_plan(viewer, team.plan)


def can_manage_team(viewer: Viewer, team: Team) -> bool:
    return can_manage_plan(viewer, team.plan)


def visible_units(viewer: Viewer) -> sa.Select[tuple[Unit]]:
    """The units a list or a picker may offer (`can_view_units`, as a query)."""
    query = sa.select(Unit)
    return query if can_view_units(viewer) else query.where(sa.false())


def assignable_teams(viewer: Viewer) -> sa.Select[tuple[Team]]:
    """Teams the viewer may assign units to (`can_manage_team`) whose plan is not closed:
    an admin's, every open plan's; a coordinator's, those of the plans they coordinate."""
    user = _user(viewer)
    query = sa.select(Team).join(Plan, Plan.id == Team.plan_id).where(Plan.status != PlanStatus.CLOSED)
    if user is None or user.role not in (Role.ADMIN, Role.COORDINATOR):
        return query.where(sa.false())
    if user.role == Role.ADMIN:
        return query
    return query.where(Team.plan_id.in_(_coordinated_plan_ids(user)))


def team_candidates(viewer: Viewer, team: Team) -> sa.Select[tuple[User]]:
    """People the viewer may put on `team`: active staff, never a unit contact
    (`teams.services.add_member` refuses them), and nobody unless the viewer runs the team."""
    query = sa.select(User).where(User.active.is_(True), User.role != Role.UNIT_CONTACT)
    return query if can_manage_team(viewer, team) else query.where(sa.false())


# --- field work: visits, findings, documents, corrective actions, cases -------------------

LEADING_ROLES = frozenset({TeamRole.HEAD, TeamRole.DEPUTY})


def _team_role(user: User, team: Team) -> TeamRole | None:
    return next((m.role for m in team.memberships if m.user_id == user.id), None)


def is_team_member(viewer: Viewer, team: Team | None) -> bool:
    user = _user(viewer)
    return user is not None and team is not None and _team_role(user, team) is not None


def is_team_leader(viewer: Viewer, team: Team | None) -> bool:
    """The head or deputy head: they write the conclusion and verify remediation."""
    user = _user(viewer)
    return user is not None and team is not None and _team_role(user, team) in LEADING_ROLES


def can_view_field(viewer: Viewer, inspection: Inspection) -> bool:
    """The visit page of an inspection the viewer may know of (checked by the caller's
    `visible_inspections` query): its team, and staff who follow the plan."""
    user = _user(viewer)
    if user is None or user.role == Role.UNIT_CONTACT:
        return False
    return user.role in STAFF_ROLES or is_team_member(user, inspection.team)


def can_record_findings(viewer: Viewer, team: Team | None) -> bool:
    return is_team_member(viewer, team)


def can_see_named_individuals(viewer: Viewer, team: Team | None, plan: Plan) -> bool:
    """People named in a finding: the team, the plan's coordinators and admins only."""
    user = _user(viewer)
    if user is None:
        return False
    return user.role == Role.ADMIN or user in plan.coordinators or is_team_member(user, team)


def can_create_visit(viewer: Viewer, inspection: Inspection) -> bool:
    user = _user(viewer)
    if user is None:
        return False
    return is_team_leader(user, inspection.team) or can_manage_plan(user, inspection.plan)


def visit_creatable(viewer: Viewer) -> sa.ColumnElement[bool]:
    """SQL condition on `Inspection`: `can_create_visit`, for the list that offers it."""
    user = _user(viewer)
    if user is None:
        return sa.false()
    if user.role == Role.ADMIN:
        return sa.true()
    leading = sa.select(Membership.team_id).where(
        Membership.user_id == user.id, Membership.role.in_(LEADING_ROLES)
    )
    allowed = [Inspection.team_id.in_(leading)]
    if user.role == Role.COORDINATOR:
        allowed.append(Inspection.plan_id.in_(_coordinated_plan_ids(user)))
    return sa.or_(*allowed)


def can_manage_checklists(viewer: Viewer) -> bool:
    return has_role(viewer, Role.ADMIN)


def can_view_checklists(viewer: Viewer) -> bool:
    return has_role(viewer, *STAFF_ROLES, Role.INSPECTOR)


def visible_cases(viewer: Viewer) -> sa.Select[tuple[Case]]:
    """Staff see every case; inspectors the cases assigned to their teams."""
    query = sa.select(Case)
    user = _user(viewer)
    if user is None or user.role == Role.UNIT_CONTACT:
        return query.where(sa.false())
    if user.role in STAFF_ROLES:
        return query
    return query.where(Case.team_id.in_(_member_team_ids(user)))


def can_view_cases(viewer: Viewer) -> bool:
    return has_role(viewer, *STAFF_ROLES, Role.INSPECTOR)


def can_manage_cases(viewer: Viewer, plan: Plan | None = None) -> bool:
    """Intake and assignment: admins and coordinators (of the plan, when one is given)."""
    user = _user(viewer)
    if user is None or user.role not in (Role.ADMIN, Role.COORDINATOR):
        return False
    return plan is None or can_manage_plan(user, plan)


def conclusion_issued() -> sa.ColumnElement[bool]:
    """The conclusion over the finding (joined as `Finding`) has been issued: only then does
    anything about its corrective actions reach the unit (pages, links, reminders)."""
    return sa.exists().where(
        Document.kind == DocumentKind.CONCLUSION,
        Document.status == DocumentStatus.ISSUED,
        sa.or_(Document.visit_id == Finding.visit_id, Document.case_id == Finding.case_id),
    )


def visible_actions(viewer: Viewer, *, now: datetime | None = None) -> sa.Select[tuple[CorrectiveAction]]:
    """Actions under a visit the viewer may know of (`visit_visible`: an action of a
    surprise visit not yet started is as secret as the visit) or a case they may see.

    Staff see every such action; inspectors their teams'; a unit contact the own unit's,
    once the conclusion that set them has been issued."""

    query = sa.select(CorrectiveAction).join(Finding, CorrectiveAction.finding_id == Finding.id)
    user = _user(viewer)
    if user is None:
        return query.where(sa.false())
    if user.role == Role.INSPECTOR:
        # Every visit of the own teams is known to their members: start from those (a few
        # hundred findings), not from every finding of the nation.
        team_visits = (
            sa.select(Visit.id)
            .join(Inspection, Inspection.id == Visit.inspection_id)
            .where(Inspection.team_id.in_(_member_team_ids(user)))
        )
        team_cases = sa.select(Case.id).where(Case.team_id.in_(_member_team_ids(user)))
        # A union, not an OR of two IN lists: the planner can then read each by its index.
        team_findings = sa.union_all(
            sa.select(Finding.id).where(Finding.visit_id.in_(team_visits)),
            sa.select(Finding.id).where(Finding.case_id.in_(team_cases)),
        )
        return query.where(CorrectiveAction.finding_id.in_(team_findings))
    # Asked of each action's own visit (an index lookup), so that a list walks the actions
    # in its order and stops at its page, instead of first collecting every visible visit.
    on_visit = sa.exists().where(Visit.id == Finding.visit_id, visit_visible(user, now=now))
    if user.role == Role.UNIT_CONTACT:
        # A case has its own rule for the unit: its issued conclusion.
        return query.where(
            CorrectiveAction.unit_id == user.home_unit_id,
            sa.or_(on_visit, Finding.case_id.is_not(None)),
            conclusion_issued(),
        )
    if user.role in STAFF_ROLES:
        on_case = Finding.case_id.in_(visible_cases(user).with_only_columns(Case.id))
        return query.where(sa.or_(on_visit, on_case))
    return query.where(sa.false())


def _finding_under(
    inspection_column: sa.ColumnElement[int], case_column: sa.ColumnElement[int], ids: sa.Select[tuple[int]]
) -> sa.ColumnElement[bool]:
    """The finding (joined as `Finding`) was made, on a visit or for a case, under one of
    `ids`: the teams (`team_id` columns) or plans (`plan_id` columns) given."""

    via_visit = (
        sa.select(inspection_column)
        .join(Visit, Visit.inspection_id == Inspection.id)
        .where(Visit.id == Finding.visit_id)
        .scalar_subquery()
    )
    via_case = sa.select(case_column).where(Case.id == Finding.case_id).scalar_subquery()
    return sa.or_(via_visit.in_(ids), via_case.in_(ids))


def _set_by_one_of(team_ids: sa.Select[tuple[int]]) -> sa.ColumnElement[bool]:
    """The action's finding was recorded by one of these teams."""
    return _finding_under(Inspection.team_id, Case.team_id, team_ids)


def verifiable_action_ids(viewer: Viewer) -> sa.Select[tuple[int]]:
    """Actions whose report the viewer may accept or return: the head or deputy of the team
    that set them (the same rule as `is_team_leader`, as a query for lists)."""

    user = _user(viewer)
    query = sa.select(CorrectiveAction.id).join(Finding, CorrectiveAction.finding_id == Finding.id)
    if user is None:
        return query.where(sa.false())
    leading = sa.select(Membership.team_id).where(
        Membership.user_id == user.id, Membership.role.in_(LEADING_ROLES)
    )
    return query.where(_set_by_one_of(leading))


def can_report_action(viewer: Viewer, action: CorrectiveAction) -> bool:
    user = _user(viewer)
    return user is not None and user.role == Role.UNIT_CONTACT and user.home_unit_id == action.unit_id


# --- notifications: the outbox --------------------------------------------------------------


def can_manage_outbox(viewer: Viewer) -> bool:
    return has_role(viewer, Role.ADMIN)


# --- reminder settings: per-plan offsets of the time-based rules -------------------------


def can_manage_reminder_settings(viewer: Viewer, plan: Plan) -> bool:
    """The plan's coordinators and admins; the offsets say when surprise teams are reminded."""
    return can_manage_plan(viewer, plan)


# --- scheduling: proposals, calendars, feeds ------------------------------------------------


def can_schedule(viewer: Viewer, plan: Plan) -> bool:
    """Asking for, reviewing and approving a schedule: admins and the plan's coordinators.

    The proposal shows surprise dates, so it is kept to those who may know them.
    """
    return can_manage_plan(viewer, plan)


def can_change_visit(viewer: Viewer, visit: Visit) -> bool:
    """Moving or cancelling an approved visit, deciding a proposed move: the plan's
    coordinators and admins (who know its date, surprise or not)."""
    return can_schedule(viewer, visit.inspection.plan)


def visits_changeable(viewer: Viewer) -> sa.ColumnElement[bool]:
    """SQL condition on `Inspection`: `can_change_visit`, for the inbox of proposed moves."""
    user = _user(viewer)
    if user is None or user.role not in (Role.ADMIN, Role.COORDINATOR):
        return sa.false()
    return sa.true() if user.role == Role.ADMIN else Inspection.plan_id.in_(_coordinated_plan_ids(user))


def can_propose_visit_change(viewer: Viewer, visit: Visit) -> bool:
    """The team's head (or deputy) may propose a move; the coordinator decides."""
    return is_team_leader(viewer, visit.inspection.team)


def can_manage_absences(viewer: Viewer, plan: Plan) -> bool:
    """Recording the plan's members' days away and re-proposing the visits they hit."""
    return can_schedule(viewer, plan)


def told_cancelled_visits(viewer: Viewer) -> sa.ColumnElement[bool]:
    """SQL condition on `Visit`: a visit called off after the viewer could know of it, kept
    in the viewer's feed as a cancelled event. A unit contact: an announced visit of the
    own unit cancelled once approved (`cancelled_at`), never a surprise one."""
    user = _user(viewer)
    if user is None:
        return sa.false()
    if user.role != Role.UNIT_CONTACT:
        return sa.and_(Visit.status == VisitStatus.CANCELLED, visit_visible(viewer))
    own = sa.select(Inspection.id).where(
        Inspection.unit_id == user.home_unit_id, Inspection.kind == InspectionKind.JOINT
    )
    return sa.and_(
        Visit.status == VisitStatus.CANCELLED,
        Visit.cancelled_at.is_not(None),
        Visit.inspection_id.in_(own),
    )


def can_manage_work_calendar(viewer: Viewer) -> bool:
    return has_role(viewer, Role.ADMIN)


def calendar_visits(viewer: Viewer, *, now: datetime | None = None) -> sa.Select[tuple[Visit]]:
    """Visits for a personal calendar or feed: the live visits the viewer may know of.

    A unit contact's calendar holds only confirmed announced visits of their own unit: a
    surprise visit never appears there, not even once it has started.
    """

    user = _user(viewer)
    query = visible_visits(viewer, now=now).where(Visit.status != VisitStatus.CANCELLED)
    if user is not None and user.role == Role.UNIT_CONTACT:
        query = query.where(
            Visit.inspection_id.in_(sa.select(Inspection.id).where(Inspection.kind == InspectionKind.JOINT))
        )
    return query


# --- links: signed links for unit contacts, the unit dashboard, extension decisions --------


def can_use_unit_dashboard(viewer: Viewer) -> bool:
    return has_role(viewer, Role.UNIT_CONTACT)


def can_manage_links(viewer: Viewer) -> bool:
    """Listing and revoking a unit's links: admins."""
    return has_role(viewer, Role.ADMIN)


def can_decide_extensions(viewer: Viewer) -> bool:
    """The page of requests for more time; each request is further scoped to the plans the
    coordinator runs (`visible_extension_requests`)."""
    return has_role(viewer, Role.ADMIN, Role.COORDINATOR)


def visible_extension_requests(viewer: Viewer) -> sa.Select[tuple[ExtensionRequest]]:
    """Requests on actions the viewer may decide: admins, and the coordinators of the plan
    under which the action was set."""
    query = sa.select(ExtensionRequest)
    user = _user(viewer)
    if user is not None and user.role == Role.ADMIN:
        return query
    if user is None or user.role != Role.COORDINATOR:
        return query.where(sa.false())
    mine = sa.select(plan_coordinators.c.plan_id).where(plan_coordinators.c.user_id == user.id)
    action_ids = (
        sa.select(CorrectiveAction.id)
        .join(Finding, Finding.id == CorrectiveAction.finding_id)
        .where(_finding_under(Inspection.plan_id, Case.plan_id, mine))
    )
    return query.where(ExtensionRequest.action_id.in_(action_ids))


# --- open interfaces: the JSON API, its tokens, webhooks -----------------------------------


def visible_teams(viewer: Viewer) -> sa.Select[tuple[Team]]:
    """Teams of the plans the viewer may see (`can_view_team`, as a query for lists)."""
    return sa.select(Team).where(Team.plan_id.in_(visible_plans(viewer).with_only_columns(Plan.id)))


def visible_findings(viewer: Viewer, *, now: datetime | None = None) -> sa.Select[tuple[Finding]]:
    """Findings on the visits and cases whose pages the viewer may open: staff and teams
    (`visible_visits` and `can_view_field`, `visible_cases`); a unit contact learns of
    findings only through an issued conclusion (a document), never one by one."""
    query = sa.select(Finding)
    user = _user(viewer)
    if user is None or user.role == Role.UNIT_CONTACT:
        return query.where(sa.false())
    visit_ids = visible_visits(user, now=now).with_only_columns(Visit.id).correlate(None)
    case_ids = visible_cases(user).with_only_columns(Case.id).correlate(None)
    return query.where(sa.or_(Finding.visit_id.in_(visit_ids), Finding.case_id.in_(case_ids)))


def visible_documents(viewer: Viewer, *, now: datetime | None = None) -> sa.Select[tuple[Document]]:
    """Documents the viewer may open: through the visit or case for staff and teams; a unit
    contact only the own unit's issued conclusions (on a visit the contact may know of)."""
    query = sa.select(Document)
    user = _user(viewer)
    if user is None:
        return query.where(sa.false())
    visit_ids = visible_visits(user, now=now).with_only_columns(Visit.id).correlate(None)
    if user.role == Role.UNIT_CONTACT:
        own_visits = (
            sa.select(Visit.id)
            .join(Inspection, Inspection.id == Visit.inspection_id)
            .where(Inspection.unit_id == user.home_unit_id)
        )
        own_cases = sa.select(Case.id).where(Case.unit_id == user.home_unit_id)
        return query.where(
            Document.kind == DocumentKind.CONCLUSION,
            Document.status == DocumentStatus.ISSUED,
            sa.or_(
                sa.and_(Document.visit_id.in_(own_visits), Document.visit_id.in_(visit_ids)),
                Document.case_id.in_(own_cases),
            ),
        )
    case_ids = visible_cases(user).with_only_columns(Case.id).correlate(None)
    return query.where(sa.or_(Document.visit_id.in_(visit_ids), Document.case_id.in_(case_ids)))


def can_use_api_tokens(viewer: Viewer) -> bool:
    """Every active account may make tokens: each token sees exactly what its user sees."""
    user = _user(viewer)
    return user is not None and user.active


def can_manage_webhooks(viewer: Viewer) -> bool:
    """Webhook subscriptions, their delivery log and test events: admins."""
    return has_role(viewer, Role.ADMIN)


def can_know_visit(viewer: Viewer, visit_id: int, *, now: datetime | None = None) -> bool:
    """`visit_visible` for one visit: may a webhook about it reach this viewer (now)?"""
    return bool(
        db.session.scalar(
            sa.select(sa.exists().where(Visit.id == visit_id, visit_visible(viewer, now=now)))
        )
    )


def can_know_document(viewer: Viewer, document_id: int, *, now: datetime | None = None) -> bool:
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists(visible_documents(viewer, now=now).where(Document.id == document_id).subquery())
            )
        )
    )


def can_know_action(viewer: Viewer, action_id: int, *, now: datetime | None = None) -> bool:
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists(
                    visible_actions(viewer, now=now).where(CorrectiveAction.id == action_id).subquery()
                )
            )
        )
    )
