"""Loads the demo idempotently: whatever exists (by code, username, title) is left as is."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa

from inspections.assignments.draw import PoolFilters, perform_draw
from inspections.assignments.models import SurpriseDraw
from inspections.assignments.services import assign
from inspections.audit.services import record
from inspections.auth.models import Role, User
from inspections.auth.services import create_user, password_matches, set_password
from inspections.cases.models import Case, CaseSource
from inspections.demo import data
from inspections.extensions import db
from inspections.findings.checklists import load_default_template
from inspections.i18n import today
from inspections.plans.models import Plan, PlanStatus, PlanTarget, TargetKind
from inspections.plans.services import approve_plan, copy_plan
from inspections.teams.models import Membership, Team, TeamKind, TeamRole
from inspections.units.models import DivisionType, Unit, UnitContact, UnitKind
from inspections.units.services import search_key
from inspections.visits.models import Inspection

MAIL_DOMAIN = "hanoi.example"  # RFC 2606: never a real mailbox


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, password

    def count(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1


class _Loader:
    def __init__(self, password: str | None, report: LoadReport) -> None:
        self.password = password
        self.report = report
        self.units: dict[str, Unit] = {u.code: u for u in db.session.scalars(sa.select(Unit))}

    def unit(
        self,
        code: str,
        name: str,
        kind: UnitKind,
        *,
        parent: Unit | None,
        district: Unit | None = None,
        division_type: DivisionType | None = None,
        name_en: str | None = None,
    ) -> Unit:
        if code in self.units:
            return self.units[code]
        unit = Unit(
            code=code,
            name=name,
            name_en=name_en,
            address=data.ADDRESSES.get(code),
            search_name=search_key(name),
            kind=kind,
            division_type=division_type,
            parent=parent,
            district=district,
        )
        unit.contacts.append(UnitContact(name=f"Văn thư {name}", email=f"{code}@{MAIL_DOMAIN}"))
        db.session.add(unit)
        self.units[code] = unit
        self.report.count("units")
        return unit

    def load_units(self) -> None:
        city = self.unit(data.CITY[0], data.CITY[1], UnitKind.CITY, parent=None, name_en=data.CITY[2])
        for code, name, name_en in data.DEPARTMENTS:
            self.unit(code, name, UnitKind.DEPARTMENT, parent=city, name_en=name_en)
        for code, name, kind, division in data.district_units():
            self.unit(code, name, kind, parent=city, division_type=division)
        db.session.flush()
        for code, name, district_code, division in data.COMMUNES:
            district = self.units[district_code]
            self.unit(
                code, name, UnitKind.COMMUNE, parent=district, district=district, division_type=division
            )
        for code, name, district_code in data.HOSPITALS:
            self.unit(
                code,
                name,
                UnitKind.PUBLIC_SERVICE,
                parent=self.units["so-yte"],
                district=self.units[district_code],
            )
        db.session.flush()

    def load_accounts(self) -> dict[str, User]:
        users = {u.username: u for u in db.session.scalars(sa.select(User))}
        for username, full_name, role, unit_code in data.ACCOUNTS:
            user = users.get(username)
            if user is None:
                password = self.password or secrets.token_urlsafe(9)
                user = create_user(
                    username=username,
                    email=f"{username}@{MAIL_DOMAIN}",
                    full_name=full_name,
                    password=password,
                    role=Role(role),
                    home_unit_id=self.units[unit_code].id,
                )
                users[username] = user
                self.report.count("accounts")
                self.report.accounts.append((username, role, password))
            elif self.password:
                if not password_matches(user, self.password):
                    set_password(user, self.password, actor=None)
                self.report.accounts.append((username, role, self.password))
            else:
                self.report.accounts.append((username, role, "(unchanged)"))
        return users

    def load_plan(self, users: dict[str, User]) -> Plan:
        spec = data.PLAN
        plan = db.session.scalar(sa.select(Plan).where(Plan.title == spec["title"]))
        if plan is not None:
            return plan
        plan = Plan(
            year=spec["year"],
            title=spec["title"],
            number=spec["number"],
            issued_on=spec["issued_on"],
            window_start=spec["window_start"],
            window_end=spec["window_end"],
            content_areas=spec["content_areas"],
            status=PlanStatus.APPROVED,
            created_by_id=users["coordinator"].id,
            targets=[PlanTarget(kind=TargetKind(k), count=n) for k, n in spec["targets"].items()],
            coordinators=[users["coordinator"]],
        )
        db.session.add(plan)
        db.session.flush()
        record(
            "plan.create",
            actor=users["coordinator"],
            object_type="plan",
            object_id=plan.id,
            after={"title": plan.title, "targets": spec["targets"], "status": plan.status},
        )
        self.report.count("plans")
        return plan

    def load_next_plan(self, source: Plan, users: dict[str, User]) -> Plan:
        """Next year's plan, copied from the 2019 one and approved, so that the demo has a
        schedule that can still be proposed and approved today (a 2019 visit can no longer
        be announced 5 working days ahead)."""
        year = today().year + 1
        plan = db.session.scalar(sa.select(Plan).where(Plan.copied_from_id == source.id, Plan.year == year))
        if plan is not None:
            return plan
        plan = copy_plan(source, actor=users["coordinator"], year=year)
        approve_plan(plan, actor=users["coordinator"])
        self.report.count("plans")
        return plan

    def load_teams(self, plan: Plan, users: dict[str, User]) -> dict[str, Team]:
        teams = {t.name: t for t in db.session.scalars(sa.select(Team).where(Team.plan_id == plan.id))}
        years = plan.year - data.PLAN["year"]
        for name, kind, number, decided_on, signer, members in data.TEAMS:
            name = name.replace(str(data.PLAN["year"]), str(plan.year))
            if name in teams:
                continue
            team = Team(
                plan=plan,
                name=name,
                kind=TeamKind(kind),
                decision_number=number,
                decision_date=decided_on.replace(year=decided_on.year + years),
                decision_signer=signer,
                memberships=[
                    Membership(
                        user=users[username],
                        role=TeamRole(role),
                        home_unit_id=users[username].home_unit_id,
                    )
                    for username, role in members
                ],
            )
            db.session.add(team)
            db.session.flush()
            record(
                "team.create",
                actor=users["coordinator"],
                object_type="team",
                object_id=team.id,
                after={"name": name, "kind": kind, "members": [u for u, _ in members]},
            )
            teams[name] = team
            self.report.count("teams")
        return teams

    def load_cases(self, plan: Plan, users: dict[str, User]) -> None:
        existing = set(db.session.scalars(sa.select(Case.reference).where(Case.plan_id == plan.id)))
        for reference, source, unit_code, title, summary, received_on in data.CASES:
            if reference in existing:
                continue
            case = Case(
                plan=plan,
                reference=reference,
                source=CaseSource(source),
                unit=self.units[unit_code],
                title=title,
                summary=summary,
                received_on=received_on,
            )
            db.session.add(case)
            db.session.flush()
            record(
                "case.intake",
                actor=users["coordinator"],
                object_type="case",
                object_id=case.id,
                after={"reference": reference, "unit": unit_code, "source": source},
            )
            self.report.count("cases")

    def load_assignments(self, plan: Plan, teams: dict[str, Team], users: dict[str, User]) -> None:
        """The joint team's 15 units and the public-service team's 28 drawn ones, through the
        real services (audited; the draw is seeded and verifiable)."""
        coordinator = users["coordinator"]
        by_kind = {t.kind: t for t in teams.values()}
        joint = by_kind[TeamKind.JOINT]
        taken = set(db.session.scalars(sa.select(Inspection.unit_id).where(Inspection.team_id == joint.id)))
        for code in data.JOINT_TARGETS:
            if self.units[code].id not in taken:
                assign(joint, self.units[code], actor=coordinator)
                self.report.count("assignments")
        surprise = by_kind[TeamKind.PUBLIC_SERVICE]
        if db.session.scalar(sa.select(SurpriseDraw.id).where(SurpriseDraw.team_id == surprise.id)) is None:
            perform_draw(
                surprise,
                actor=coordinator,
                count=data.SURPRISE_DRAW["count"],
                filters=PoolFilters(),
                seed=data.SURPRISE_DRAW["seed"],
            )
            self.report.count("surprise draws")


def load_demo(*, password: str | None) -> LoadReport:
    """Create what is missing of the demo; with a password, (re)set every demo account's."""
    report = LoadReport()
    loader = _Loader(password, report)
    loader.load_units()
    users = loader.load_accounts()
    plan = loader.load_plan(users)
    teams = loader.load_teams(plan, users)
    loader.load_cases(plan, users)
    loader.load_assignments(plan, teams, users)
    next_plan = loader.load_next_plan(plan, users)
    loader.load_assignments(next_plan, loader.load_teams(next_plan, users), users)
    if load_default_template()[1]:
        report.count("checklists")
    db.session.flush()
    return report
