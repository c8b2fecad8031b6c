"""Every model, imported once so the metadata (and Alembic) sees the whole schema."""

from inspections.assignments.models import SurpriseDraw
from inspections.audit.models import AuditEvent
from inspections.auth.models import ApiToken, ExternalIdentity, RecoveryCode, Role, User
from inspections.cases.models import Case, CaseAttachment
from inspections.documents.models import Document, DocumentRegister
from inspections.findings.models import ChecklistTemplate, Criterion, Evidence, Finding, VisitChecklist
from inspections.imports.models import ImportJob, ImportRowError
from inspections.inbox.models import DigestSubscription
from inspections.links.models import ActionLink
from inspections.outbox.models import Notification, NotificationPreference, SendingPause
from inspections.plans.models import Plan, PlanTarget, plan_coordinators
from inspections.portal.models import Acknowledgement, UnitUpload
from inspections.remediation.models import CorrectiveAction, ExtensionRequest
from inspections.reminders.models import PlanReminderSettings
from inspections.scheduling.models import (
    CalendarFeed,
    MemberAbsence,
    PlanScheduleSettings,
    ProposalItem,
    ScheduleProposal,
    UnitBlackout,
    VisitChangeRequest,
)
from inspections.system.models import WorkerHeartbeat
from inspections.teams.models import Membership, Team
from inspections.units.models import Unit, UnitContact
from inspections.visits.models import Inspection, Visit
from inspections.webhooks.models import WebhookDelivery, WebhookSubscription
from inspections.workdays.models import CalendarDay

__all__ = [
    "ImportJob",
    "ImportRowError",
    "DigestSubscription",
    "VisitChangeRequest",
    "Acknowledgement",
    "ActionLink",
    "ApiToken",
    "ExternalIdentity",
    "RecoveryCode",
    "WebhookDelivery",
    "WebhookSubscription",
    "ExtensionRequest",
    "UnitUpload",
    "AuditEvent",
    "CalendarFeed",
    "CalendarDay",
    "Case",
    "CaseAttachment",
    "ChecklistTemplate",
    "CorrectiveAction",
    "Document",
    "DocumentRegister",
    "Criterion",
    "Evidence",
    "Finding",
    "Inspection",
    "MemberAbsence",
    "Membership",
    "Notification",
    "NotificationPreference",
    "Plan",
    "PlanReminderSettings",
    "PlanScheduleSettings",
    "PlanTarget",
    "ProposalItem",
    "Role",
    "ScheduleProposal",
    "SendingPause",
    "SurpriseDraw",
    "Team",
    "Unit",
    "UnitBlackout",
    "UnitContact",
    "User",
    "Visit",
    "VisitChecklist",
    "WorkerHeartbeat",
    "plan_coordinators",
]
