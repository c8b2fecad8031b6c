"""reminders: per-plan reminder offsets (defaults when a plan has no row)

Revision ID: 0007_reminder_settings
Revises: 0006_links
"""

import sqlalchemy as sa
from alembic import op

import inspections.db

revision = "0007_reminder_settings"
down_revision = "0006_links"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "plan_reminder_settings",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("team_reminder_first", sa.Integer(), nullable=False),
        sa.Column("team_reminder_second", sa.Integer(), nullable=False),
        sa.Column("unit_reminder", sa.Integer(), nullable=False),
        sa.Column("findings_after", sa.Integer(), nullable=False),
        sa.Column("conclusion_after", sa.Integer(), nullable=False),
        sa.Column("conclusion_to_coordinator_after", sa.Integer(), nullable=False),
        sa.Column("action_due_soon_days", sa.Integer(), nullable=False),
        sa.Column("escalate_after", sa.Integer(), nullable=False),
        sa.Column("digest_weekday", sa.Integer(), nullable=False),
        sa.Column("updated_at", inspections.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "team_reminder_first BETWEEN 0 AND 30", name=op.f("ck_plan_reminder_settings_team_first_range")
        ),
        sa.CheckConstraint(
            "team_reminder_second BETWEEN 0 AND 30", name=op.f("ck_plan_reminder_settings_team_second_range")
        ),
        sa.CheckConstraint(
            "unit_reminder BETWEEN 0 AND 30", name=op.f("ck_plan_reminder_settings_unit_reminder_range")
        ),
        sa.CheckConstraint(
            "findings_after BETWEEN 1 AND 60", name=op.f("ck_plan_reminder_settings_findings_after_range")
        ),
        sa.CheckConstraint(
            "conclusion_after BETWEEN 1 AND 60", name=op.f("ck_plan_reminder_settings_conclusion_after_range")
        ),
        sa.CheckConstraint(
            "conclusion_to_coordinator_after BETWEEN conclusion_after AND 60",
            name=op.f("ck_plan_reminder_settings_conclusion_coordinator_range"),
        ),
        sa.CheckConstraint(
            "action_due_soon_days BETWEEN 1 AND 60",
            name=op.f("ck_plan_reminder_settings_action_due_soon_range"),
        ),
        sa.CheckConstraint(
            "escalate_after BETWEEN 1 AND 60", name=op.f("ck_plan_reminder_settings_escalate_after_range")
        ),
        sa.CheckConstraint(
            "digest_weekday BETWEEN 0 AND 6", name=op.f("ck_plan_reminder_settings_digest_weekday_range")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
            name=op.f("fk_plan_reminder_settings_plan_id_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_plan_reminder_settings")),
    )


def downgrade():
    op.drop_table("plan_reminder_settings")
