"""The audit log in words: a sentence for each action code, the object it touched with a
link to its page, and before → after as a list of changed fields with their values as text.

The events keep their codes and JSON (the hash chain covers them); this module only reads
them. Ids of units, users, plans and teams are shown by name, loaded for a whole page at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from inspections.audit.models import AuditEvent
from inspections.auth.models import Role, TokenScope, User
from inspections.cases.models import CaseSource, CaseStatus
from inspections.extensions import db
from inspections.findings.models import FindingResult, Severity, TemplateStatus
from inspections.i18n import show_date, show_datetime
from inspections.labels import LABELS
from inspections.links.models import LinkPurpose
from inspections.outbox.models import NotificationStatus
from inspections.plans.models import Plan, PlanStatus
from inspections.remediation.models import ActionStatus, ExtensionStatus
from inspections.scheduling.models import ProposalStatus
from inspections.teams.models import Team, TeamKind, TeamRole
from inspections.units.models import Language, Unit, UnitKind
from inspections.visits.models import InspectionKind, InspectionStatus, Slot, VisitStatus
from inspections.workdays.models import DayKind

ACTIONS: dict[str, LazyString] = {
    "absence.add": _l("Recorded a team member's absence"),
    "absence.remove": _l("Removed a team member's absence"),
    "action.accept": _l("Accepted the remediation of a corrective action"),
    "action.create": _l("Set a corrective action"),
    "action.due_changed": _l("Changed the due date of a corrective action"),
    "action.extend": _l("Extended the due date of a corrective action"),
    "action.report": _l("Reported on a corrective action"),
    "action.return": _l("Returned a remediation report for more work"),
    "api_token.create": _l("Created an API token"),
    "api_token.revoke": _l("Revoked an API token"),
    "api_token.use": _l("Used an API token"),
    "calendar_day.delete": _l("Removed a day from the working-day calendar"),
    "calendar_day.set": _l("Set a day in the working-day calendar"),
    "calendar_feed.create": _l("Created a calendar feed"),
    "calendar_feed.revoke": _l("Revoked a calendar feed"),
    "case.assign": _l("Assigned a case to a team"),
    "case.attachment": _l("Attached a file to a case"),
    "case.intake": _l("Registered a case"),
    "checklist.create": _l("Created a checklist"),
    "checklist.criterion": _l("Changed a checklist criterion"),
    "checklist.new_version": _l("Made a new version of a checklist"),
    "checklist.publish": _l("Published a checklist"),
    "document.issue": _l("Issued a document"),
    "document.minutes": _l("Drafted the minutes"),
    "draw.commit": _l("Committed a draw of surprise targets"),
    "draw.reveal": _l("Revealed a draw of surprise targets"),
    "evidence.add": _l("Added evidence"),
    "extension.decide": _l("Decided a request for more time"),
    "extension.request": _l("Asked for more time"),
    "finding.create": _l("Recorded a finding"),
    "finding.update": _l("Changed a finding"),
    "inspection.assign": _l("Assigned a unit to a team"),
    "inspection.unassign": _l("Took a unit away from a team"),
    "link.issue": _l("Issued a signed link"),
    "link.refused": _l("Refused a signed link"),
    "link.revoke": _l("Revoked a signed link"),
    "notifications.opt_in": _l("Switched a reminder back on"),
    "notifications.opt_out": _l("Unsubscribed from a reminder"),
    "notifications.resend": _l("Queued a failed email again"),
    "notifications.resume_sending": _l("Resumed sending email"),
    "plan.create": _l("Created a plan"),
    "plan.reminder_settings": _l("Changed a plan's reminder settings"),
    "plan.update": _l("Changed a plan"),
    "schedule.approve": _l("Approved a visit schedule"),
    "schedule.move": _l("Moved a scheduled visit"),
    "schedule.proposed": _l("Proposed a visit schedule"),
    "schedule.refused": _l("Could not propose a visit schedule"),
    "schedule.request": _l("Asked for a visit schedule"),
    "schedule.settings": _l("Changed the scheduling settings"),
    "team.add_member": _l("Added a team member"),
    "team.create": _l("Set up a team"),
    "team.remove_member": _l("Removed a team member"),
    "unit.create": _l("Registered a unit"),
    "unit.update": _l("Changed a unit"),
    "unit_blackout.add": _l("Added a day on which the unit cannot receive a visit"),
    "unit_upload.create": _l("Uploaded a file for a unit"),
    "user.create": _l("Created an account"),
    "user.end_sessions": _l("Ended every session of an account"),
    "user.link_identity": _l("Linked a single sign-on identity to an account"),
    "user.login": _l("Logged in"),
    "user.recovery_code_used": _l("Logged in with a recovery code"),
    "user.recovery_codes": _l("Made new recovery codes"),
    "user.send_password_link": _l("Sent a one-time link to set the password"),
    "user.set_language": _l("Changed the interface language"),
    "user.set_password": _l("Changed a password"),
    "user.set_password_from_link": _l("Set the password from a one-time link"),
    "user.set_role": _l("Changed an account's role or home unit"),
    "user.totp_disable": _l("Turned two-factor login off"),
    "user.totp_enable": _l("Turned two-factor login on"),
    "visit.acknowledge": _l("Acknowledged a visit notice"),
    "visit.cancel": _l("Cancelled a visit"),
    "visit.create": _l("Added a visit"),
    "visit.move": _l("Moved a visit"),
    "visit.move_decided": _l("Decided on a proposed change of a visit"),
    "visit.move_proposed": _l("Proposed a change of a visit"),
    "visit.moved": _l("Moved a visit"),
    "webhook.create": _l("Created a webhook"),
    "webhook.set_active": _l("Switched a webhook on or off"),
    "webhook.test": _l("Sent a test webhook delivery"),
}

OBJECT_TYPES: dict[str, LazyString] = {
    "user": _l("Account"),
    "plan": _l("Plan"),
    "visit": _l("Visit"),
    "inspection": _l("Inspection"),
    "team": _l("Team"),
    "unit": _l("Unit"),
    "case": _l("Case"),
    "finding": _l("Finding"),
    "evidence": _l("Evidence"),
    "document": _l("Document"),
    "corrective_action": _l("Corrective action"),
    "extension_request": _l("Request for more time"),
    "checklist_template": _l("Checklist"),
    "schedule_proposal": _l("Schedule proposal"),
    "schedule_proposal_item": _l("Proposed visit"),
    "visit_change_request": _l("Proposed change of a visit"),
    "member_absence": _l("Absence"),
    "action_link": _l("Signed link"),
    "api_token": _l("API token"),
    "calendar_feed": _l("Calendar feed"),
    "calendar_day": _l("Calendar day"),
    "webhook_subscription": _l("Webhook"),
    "notification": _l("Email"),
    "notification_preference": _l("Email preference"),
    "sending_pause": _l("Pause of sending"),
    "unit_upload": _l("Unit upload"),
}

# The page of each kind of object, where there is one (the endpoint takes the id).
_PAGES = {
    "user": ("accounts.show", "user_id"),
    "plan": ("plans.detail", "plan_id"),
    "team": ("teams.detail", "team_id"),
    "unit": ("units.detail", "unit_id"),
    "case": ("cases.detail", "case_id"),
    "visit": ("findings.visit", "visit_id"),
    "document": ("documents.show", "document_id"),
    "checklist_template": ("findings.checklist_detail", "template_id"),
}

FIELDS: dict[str, LazyString] = {
    "accepted": _l("Accepted"),
    "action_id": _l("Corrective action"),
    "active": _l("Active"),
    "attempts": _l("Attempts"),
    "code": _l("Code"),
    "contact_id": _l("Unit contact"),
    "content_areas": _l("Content areas"),
    "content_type": _l("File type"),
    "count": _l("Number"),
    "criteria": _l("Criteria"),
    "cross_team_gap_days": _l("Days between two teams' visits"),
    "day": _l("Day"),
    "decision_date": _l("Date of the decision"),
    "decision_note": _l("Note on the decision"),
    "decision_number": _l("Number of the decision"),
    "decision_signer": _l("Signed by"),
    "district_id": _l("District"),
    "division_type": _l("Type of division"),
    "draw": _l("Draw"),
    "due_on": _l("Due date"),
    "email": _l("Email"),
    "ends_at": _l("Ends"),
    "events": _l("Events"),
    "expires_at": _l("Expires"),
    "filename": _l("File name"),
    "filters": _l("Filters"),
    "finding_id": _l("Finding"),
    "from": _l("From"),
    "full_name": _l("Full name"),
    "goals": _l("Goals"),
    "granted_on": _l("Granted until"),
    "home_unit": _l("Home unit"),
    "home_unit_id": _l("Home unit"),
    "inspection_id": _l("Inspection"),
    "issued_on": _l("Date of issue"),
    "issuer": _l("Identity provider"),
    "items": _l("Items"),
    "kind": _l("Kind"),
    "language": _l("Language"),
    "last_error": _l("Last error"),
    "link_id": _l("Signed link"),
    "members": _l("Members"),
    "method": _l("Method"),
    "name": _l("Name"),
    "name_en": _l("Name in English"),
    "address": _l("Address"),
    "note": _l("Note"),
    "notice_on": _l("Notice date"),
    "notice_working_days": _l("Working days of notice"),
    "number": _l("Number"),
    "object_id": _l("Object number"),
    "object_type": _l("Kind of object"),
    "old_due_on": _l("Earlier due date"),
    "owner_id": _l("Owner"),
    "parent_id": _l("Parent unit"),
    "path": _l("Address"),
    "plan_id": _l("Plan"),
    "pool": _l("Pool"),
    "purpose": _l("Purpose"),
    "reason": _l("Reason"),
    "reasons": _l("Reasons"),
    "received_on": _l("Received on"),
    "reference": _l("Reference"),
    "requested_on": _l("Requested until"),
    "retired": _l("Retired"),
    "role": _l("Role"),
    "scope": _l("Access"),
    "seed": _l("Seed"),
    "sequence": _l("Number in sequence"),
    "short_notice": _l("Short notice"),
    "size_bytes": _l("Size (bytes)"),
    "slot": _l("Time of day"),
    "source": _l("Source"),
    "starts_at": _l("Starts"),
    "status": _l("Status"),
    "subject": _l("Subject"),
    "taken_at": _l("Taken at"),
    "targets": _l("Targets"),
    "team": _l("Team"),
    "team_id": _l("Team"),
    "title": _l("Title"),
    "unit": _l("Unit"),
    "unit_id": _l("Unit"),
    "units": _l("Units"),
    "url": _l("Address"),
    "user": _l("Account"),
    "user_id": _l("Account"),
    "username": _l("Username"),
    "version": _l("Version"),
    "via": _l("Through"),
    "visit_id": _l("Visit"),
    "visits": _l("Visits"),
    "visits_per_day": _l("Visits per day"),
    "window_end": _l("End of the window"),
    "window_start": _l("Start of the window"),
    "write": _l("Write access"),
    "year": _l("Year"),
}

# Which enum a field's value belongs to: by the object's kind first, then by the field.
_ENUMS_BY_OBJECT: dict[tuple[str, str], type[StrEnum]] = {
    ("plan", "status"): PlanStatus,
    ("visit", "status"): VisitStatus,
    ("inspection", "status"): InspectionStatus,
    ("inspection", "kind"): InspectionKind,
    ("case", "status"): CaseStatus,
    ("case", "source"): CaseSource,
    ("corrective_action", "status"): ActionStatus,
    ("extension_request", "status"): ExtensionStatus,
    ("checklist_template", "status"): TemplateStatus,
    ("schedule_proposal", "status"): ProposalStatus,
    ("notification", "status"): NotificationStatus,
    ("team", "kind"): TeamKind,
    ("unit", "kind"): UnitKind,
    ("calendar_day", "kind"): DayKind,
}
_ENUMS_BY_FIELD: dict[str, type[StrEnum]] = {
    "role": Role,
    "scope": TokenScope,
    "slot": Slot,
    "purpose": LinkPurpose,
    "result": FindingResult,
    "severity": Severity,
    "language": Language,
}
_TEAM_ROLE_FIELDS = {"member_role", "team_role"}
# Ids shown by name: the table each names.
_UNIT_IDS = {"unit_id", "home_unit_id", "parent_id", "district_id"}
_USER_IDS = {"user_id", "owner_id"}
_PLAN_IDS = {"plan_id"}
_TEAM_IDS = {"team_id"}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# A list or a mapping longer than this is cut, with a count of the rest.
_MAX_ITEMS = 12


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None  # None: the field was not there before (a creation)
    after: str | None


@dataclass(frozen=True)
class Described:
    event: AuditEvent
    who: str
    sentence: str
    object_label: str
    object_url: str | None
    changes: list[Change]


@dataclass
class Names:
    """Names for the ids a page of events mentions."""

    units: dict[int, str]
    users: dict[int, str]
    plans: dict[int, str]
    teams: dict[int, str]


def _ids(events: Iterable[AuditEvent], keys: set[str], object_type: str) -> set[int]:
    found: set[int] = set()
    for event in events:
        if event.object_type == object_type and isinstance(event.object_id, int):
            found.add(event.object_id)
        for side in (event.before, event.after):
            for key, value in (side or {}).items():
                if key in keys and isinstance(value, int) and not isinstance(value, bool):
                    found.add(value)
    return found


def load_names(events: list[AuditEvent]) -> Names:
    # One query per kind even when a page names none: the same statements for every page.
    def names(column_id: Any, column_name: Any, ids: set[int]) -> dict[int, str]:
        return dict(db.session.execute(sa.select(column_id, column_name).where(column_id.in_(ids))).all())

    actor_ids = {e.actor_id for e in events if e.actor_id is not None}
    return Names(
        units=names(Unit.id, Unit.name, _ids(events, _UNIT_IDS, "unit")),
        users=names(User.id, User.full_name, _ids(events, _USER_IDS, "user") | actor_ids),
        plans=names(Plan.id, Plan.title, _ids(events, _PLAN_IDS, "plan")),
        teams=names(Team.id, Team.name, _ids(events, _TEAM_IDS, "team")),
    )


def _enum_label(enum: type[StrEnum], value: str) -> str | None:
    text = LABELS.get((enum, value))
    return str(text) if text is not None else None


def field_label(key: str) -> str:
    text = FIELDS.get(key)
    return str(text) if text is not None else key.replace("_", " ").capitalize()


def value_text(key: str, value: Any, *, object_type: str | None, names: Names) -> str:
    """A stored value as a reader would write it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float):
        if isinstance(value, int):
            for keys, table in (
                (_UNIT_IDS, names.units),
                (_USER_IDS, names.users),
                (_PLAN_IDS, names.plans),
                (_TEAM_IDS, names.teams),
            ):
                if key in keys:
                    return table.get(value) or _("no. %(id)s", id=value)
        return str(value)
    if isinstance(value, list):
        shown = [value_text(key, v, object_type=object_type, names=names) for v in value[:_MAX_ITEMS]]
        if len(value) > _MAX_ITEMS:
            shown.append(_("and %(n)d more", n=len(value) - _MAX_ITEMS))
        return ", ".join(shown) if shown else "—"
    if isinstance(value, Mapping):
        items = list(value.items())
        shown = [
            f"{field_label(str(k))}: {value_text(str(k), v, object_type=object_type, names=names)}"
            for k, v in items[:_MAX_ITEMS]
        ]
        if len(items) > _MAX_ITEMS:
            shown.append(_("and %(n)d more", n=len(items) - _MAX_ITEMS))
        return "; ".join(shown) if shown else "—"
    text = str(value)
    enum = _ENUMS_BY_OBJECT.get((object_type or "", key)) or _ENUMS_BY_FIELD.get(key)
    if enum is None and key in _TEAM_ROLE_FIELDS:
        enum = TeamRole
    if enum is not None:
        return _enum_label(enum, text) or text
    if _ISO_DATE.match(text):
        try:
            return show_date(date.fromisoformat(text))
        except ValueError:
            return text
    if _ISO_MOMENT.match(text):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
        return show_datetime(moment) if moment.tzinfo else text
    return text


def changes(event: AuditEvent, names: Names) -> list[Change]:
    """The fields that changed; for a creation (nothing before), every field set."""
    before, after = event.before or {}, event.after or {}
    rows = []
    for key in list(before) + [k for k in after if k not in before]:
        if key in before and key in after and before[key] == after[key]:
            continue
        rows.append(
            Change(
                field=field_label(key),
                before=value_text(key, before[key], object_type=event.object_type, names=names)
                if key in before
                else None,
                after=value_text(key, after[key], object_type=event.object_type, names=names)
                if key in after
                else None,
            )
        )
    return rows


def sentence(event: AuditEvent) -> str:
    if event.action == "user.set_active" and isinstance((event.after or {}).get("active"), bool):
        return _("Reactivated an account") if event.after["active"] else _("Deactivated an account")
    text = ACTIONS.get(event.action)
    if text is not None:
        return str(text)
    return _("Another change (%(code)s)", code=event.action)


def object_label(event: AuditEvent, names: Names) -> str:
    if not event.object_type:
        return "—"
    kind = OBJECT_TYPES.get(event.object_type)
    kind_text = str(kind) if kind is not None else event.object_type.replace("_", " ")
    named = {"unit": names.units, "user": names.users, "plan": names.plans, "team": names.teams}.get(
        event.object_type, {}
    )
    if event.object_id is None:
        return kind_text
    name = named.get(event.object_id)
    return f"{kind_text}: {name}" if name else _("%(kind)s no. %(id)s", kind=kind_text, id=event.object_id)


def object_url(event: AuditEvent) -> str | None:
    page = _PAGES.get(event.object_type or "")
    if page is None or event.object_id is None or page[0] not in current_app.view_functions:
        return None
    return url_for(page[0], **{page[1]: event.object_id})


def describe(events: list[AuditEvent]) -> list[Described]:
    names = load_names(events)
    return [
        Described(
            event=event,
            who=names.users.get(event.actor_id, "") if event.actor_id is not None else "",
            sentence=sentence(event),
            object_label=object_label(event, names),
            object_url=object_url(event),
            changes=changes(event, names),
        )
        for event in events
    ]
