"""Translated names for the values users see (statuses, kinds, roles)."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from inspections.auth.models import Role
from inspections.cases.models import CaseSource, CaseStatus
from inspections.findings.models import FindingResult, Severity, TemplateStatus
from inspections.links.models import LinkPurpose
from inspections.outbox.models import NotificationStatus
from inspections.plans.models import PlanStatus, TargetKind
from inspections.remediation.models import ActionStatus, ExtensionStatus
from inspections.scheduling.models import ProposalStatus
from inspections.teams.models import TeamKind, TeamRole
from inspections.units.models import UnitKind
from inspections.visits.models import InspectionKind, InspectionStatus, Slot, VisitStatus
from inspections.workdays.models import DayKind

# Keyed by (enum class, value): members of different enums can share a value ("joint").
_LABELS = [
    (Role.ADMIN, _l("Administrator")),
    (Role.COORDINATOR, _l("Coordinator")),
    (Role.OBSERVER, _l("Observer")),
    (Role.INSPECTOR, _l("Inspector")),
    (Role.UNIT_CONTACT, _l("Unit contact")),
    (PlanStatus.DRAFT, _l("Draft")),
    (PlanStatus.APPROVED, _l("Approved")),
    (PlanStatus.IN_PROGRESS, _l("In progress")),
    (PlanStatus.CLOSED, _l("Closed")),
    (TargetKind.JOINT, _l("Joint inspections")),
    (TargetKind.SURPRISE, _l("Surprise inspections")),
    (TargetKind.CASE, _l("Cases")),
    (TeamKind.JOINT, _l("Joint (inter-agency) team")),
    (TeamKind.PUBLIC_SERVICE, _l("Public-service team")),
    (TeamRole.HEAD, _l("Head")),
    (TeamRole.DEPUTY, _l("Deputy head")),
    (TeamRole.MEMBER, _l("Member")),
    (TeamRole.SECRETARY, _l("Secretary")),
    (UnitKind.CITY, _l("City")),
    (UnitKind.DEPARTMENT, _l("Department")),
    (UnitKind.DISTRICT, _l("District")),
    (UnitKind.COMMUNE, _l("Commune or ward")),
    (UnitKind.PUBLIC_SERVICE, _l("Public service unit")),
    (InspectionKind.JOINT, _l("Joint")),
    (InspectionKind.SURPRISE, _l("Surprise")),
    (InspectionStatus.ASSIGNED, _l("Assigned")),
    (InspectionStatus.SCHEDULED, _l("Scheduled")),
    (InspectionStatus.VISITED, _l("Visited")),
    (InspectionStatus.CONCLUDED, _l("Concluded")),
    (InspectionStatus.CANCELLED, _l("Cancelled")),
    (VisitStatus.PROPOSED, _l("Proposed")),
    (VisitStatus.APPROVED, _l("Approved")),
    (VisitStatus.IN_PROGRESS, _l("In progress")),
    (VisitStatus.DONE, _l("Done")),
    (VisitStatus.CANCELLED, _l("Cancelled")),
    (Slot.MORNING, _l("Morning")),
    (Slot.AFTERNOON, _l("Afternoon")),
    (CaseSource.COMPLAINT, _l("Complaint")),
    (CaseSource.PRESS, _l("Press report")),
    (CaseSource.HOTLINE, _l("Hotline")),
    (CaseSource.REFERRAL, _l("Referral")),
    (CaseStatus.INTAKE, _l("Intake")),
    (CaseStatus.ASSIGNED, _l("Assigned")),
    (CaseStatus.INVESTIGATING, _l("Under inspection")),
    (CaseStatus.CONCLUDED, _l("Concluded")),
    (CaseStatus.CLOSED, _l("Closed")),
]

# --- scheduling ---
_LABELS += [
    (ProposalStatus.QUEUED, _l("Queued")),
    (ProposalStatus.RUNNING, _l("Running")),
    (ProposalStatus.READY, _l("Ready for review")),
    (ProposalStatus.REFUSED, _l("Refused")),
    (ProposalStatus.FAILED, _l("Failed")),
    (ProposalStatus.APPROVED, _l("Approved")),
    (ProposalStatus.SUPERSEDED, _l("Superseded")),
    (DayKind.DAY_OFF, _l("Extra day off")),
    (DayKind.WORKING_DAY, _l("Swapped working day")),
]


# --- field work ---
_LABELS += [
    (FindingResult.COMPLIANT, _l("Compliant")),
    (FindingResult.NON_COMPLIANT, _l("Non-compliant")),
    (FindingResult.OBSERVATION, _l("Observation")),
    (FindingResult.GOOD_PRACTICE, _l("Good practice")),
    (FindingResult.NOT_APPLICABLE, _l("Not applicable")),
    (Severity.NONE, _l("None")),
    (Severity.LOW, _l("Low")),
    (Severity.MEDIUM, _l("Medium")),
    (Severity.HIGH, _l("High")),
    (TemplateStatus.DRAFT, _l("Draft")),
    (TemplateStatus.PUBLISHED, _l("Published")),
    (TemplateStatus.RETIRED, _l("Retired")),
    (ActionStatus.OPEN, _l("Open")),
    (ActionStatus.REPORTED, _l("Reported")),
    (ActionStatus.ACCEPTED, _l("Accepted")),
    (ActionStatus.RETURNED, _l("Returned")),
]

# --- links and extension requests ---
_LABELS += [
    (ExtensionStatus.PENDING, _l("Waiting for a decision")),
    (ExtensionStatus.GRANTED, _l("Granted")),
    (ExtensionStatus.REFUSED, _l("Refused")),
    (LinkPurpose.ACKNOWLEDGE, _l("Acknowledge a notice")),
    (LinkPurpose.SELF_ASSESSMENT, _l("Self-assessment report")),
    (LinkPurpose.CONCLUSION, _l("Read the conclusion")),
    (LinkPurpose.REMEDIATION, _l("Report on a corrective action")),
]

# --- the outbox ---
_LABELS += [
    (NotificationStatus.PENDING, _l("Waiting to be sent")),
    (NotificationStatus.SENDING, _l("Being sent")),
    (NotificationStatus.SENT, _l("Sent")),
    (NotificationStatus.FAILED, _l("Failed")),
    (NotificationStatus.CANCELLED, _l("Cancelled (no longer relevant)")),
]

LABELS = {(type(member), member.value): text for member, text in _LABELS}


def label(value: StrEnum | None) -> str:
    if value is None:
        return "—"
    return str(LABELS.get((type(value), value.value), value.value))
