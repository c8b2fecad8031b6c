"""The outbox kinds: which a recipient may opt out of, and which are mandatory."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SCHEDULE_NOTICE = "schedule_notice"
VISIT_REMINDER = "visit_reminder"
FINDINGS_OVERDUE = "findings_overdue"
CONCLUSION_OVERDUE = "conclusion_overdue"
ACTION_DUE = "action_due"
ACTION_OVERDUE = "action_overdue"
COORDINATOR_DIGEST = "coordinator_digest"
SENDING_PAUSED = "sending_paused"

# Reminders a recipient may switch off. Notices that start a legal step (a schedule
# notice, an overdue corrective action and its escalation) cannot be unsubscribed.
OPTIONAL_KINDS: dict[str, object] = {
    VISIT_REMINDER: _l("Visit reminders"),
    ACTION_DUE: _l("Corrective actions coming due"),
    COORDINATOR_DIGEST: _l("Weekly digest"),
}


def is_optional(kind: str) -> bool:
    return kind in OPTIONAL_KINDS
