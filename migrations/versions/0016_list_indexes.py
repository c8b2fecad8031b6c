"""list indexes: one for every filter and sort of the bounded lists (national scale)

Revision ID: 0016_list_indexes
Revises: 0015_api_tokens_webhooks_2fa

Each list pages by keyset (its sort column, then the id), so each sort has an index that
ends in the id, and each filter an index it can start from. The audit log's action index
uses the pattern operator class on PostgreSQL, so a prefix filter ("case.") is an index
range under any collation.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_list_indexes"
down_revision = "0015_api_tokens_webhooks_2fa"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_corrective_actions_status_due", "corrective_actions", ["status", "due_on", "id"]),
    ("ix_extension_requests_status_id", "extension_requests", ["status", "id"]),
    ("ix_cases_received_on_id", "cases", ["received_on", "id"]),
    ("ix_cases_plan_id_status", "cases", ["plan_id", "status"]),
    ("ix_plans_year_id", "plans", ["year", "id"]),
    ("ix_units_kind_search_name_id", "units", ["kind", "search_name", "id"]),
    ("ix_audit_events_occurred_at", "audit_events", ["occurred_at"]),
    ("ix_inspections_team_id_status", "inspections", ["team_id", "status"]),
    ("ix_visits_starts_at_id", "visits", ["starts_at", "id"]),
    ("ix_visits_inspection_id_starts_at", "visits", ["inspection_id", "starts_at"]),
    ("ix_notifications_status_id", "notifications", ["status", "id"]),
    ("ix_notifications_kind_id", "notifications", ["kind", "id"]),
    ("ix_notifications_object", "notifications", ["object_type", "object_id"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    op.drop_index("ix_audit_events_action", table_name="audit_events")
    op.create_index(
        "ix_audit_events_action", "audit_events", ["action"], postgresql_ops={"action": "varchar_pattern_ops"}
    )


def downgrade():
    op.drop_index("ix_audit_events_action", table_name="audit_events")
    op.create_index("ix_audit_events_action", "audit_events", ["action"])
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
