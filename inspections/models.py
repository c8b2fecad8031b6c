"""Every model, imported once so the metadata (and Alembic) sees the whole schema."""

from inspections.audit.models import AuditEvent
from inspections.auth.models import Role, User
from inspections.cases.models import Case
from inspections.findings.models import ChecklistTemplate, Criterion, Evidence, Finding
from inspections.notifications.models import Notification, NotificationPreference
from inspections.plans.models import Plan, PlanTarget, plan_coordinators
from inspections.remediation.models import CorrectiveAction
from inspections.system.models import WorkerHeartbeat
from inspections.teams.models import Membership, Team
from inspections.units.models import Unit, UnitContact
from inspections.visits.models import CalendarDay, Inspection, Visit

__all__ = [
    "AuditEvent",
    "CalendarDay",
    "Case",
    "ChecklistTemplate",
    "CorrectiveAction",
    "Criterion",
    "Evidence",
    "Finding",
    "Inspection",
    "Membership",
    "Notification",
    "NotificationPreference",
    "Plan",
    "PlanTarget",
    "Role",
    "Team",
    "Unit",
    "UnitContact",
    "User",
    "Visit",
    "WorkerHeartbeat",
    "plan_coordinators",
]
