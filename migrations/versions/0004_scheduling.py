"""scheduling: proposals, unit blackouts, member absences, plan settings, calendar feeds

Revision ID: 0004_scheduling
Revises: 0003_outbox
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import inspections.db

revision = "0004_scheduling"
down_revision = "0003_outbox"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "schedule_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "ready",
                "refused",
                "failed",
                "approved",
                "superseded",
                name="proposalstatus",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("notice_on", sa.Date(), nullable=False),
        sa.Column(
            "reasons",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", inspections.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", inspections.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_at", inspections.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name=op.f("ck_schedule_proposals_progress_percent")),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_schedule_proposals_plan_id_plans")),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_schedule_proposals_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_schedule_proposals_approved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_proposals")),
    )
    op.create_index(op.f("ix_schedule_proposals_plan_id"), "schedule_proposals", ["plan_id"], unique=False)
    op.create_table(
        "schedule_proposal_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "slot",
            sa.Enum(
                "morning", "afternoon", name="slot", native_enum=False, create_constraint=True, length=20
            ),
            nullable=False,
        ),
        sa.Column("moved_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["schedule_proposals.id"],
            name=op.f("fk_schedule_proposal_items_proposal_id_schedule_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_schedule_proposal_items_inspection_id_inspections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_proposal_items")),
        sa.UniqueConstraint(
            "proposal_id", "inspection_id", name=op.f("uq_schedule_proposal_items_proposal_id_inspection_id")
        ),
    )
    op.create_index(
        op.f("ix_schedule_proposal_items_inspection_id"),
        "schedule_proposal_items",
        ["inspection_id"],
        unique=False,
    )
    op.create_table(
        "unit_blackouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_unit_blackouts_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_blackouts")),
        sa.UniqueConstraint("unit_id", "day", name=op.f("uq_unit_blackouts_unit_id_day")),
    )
    op.create_table(
        "member_absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_member_absences_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_absences")),
        sa.UniqueConstraint("user_id", "day", name=op.f("uq_member_absences_user_id_day")),
    )
    op.create_table(
        "plan_schedule_settings",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("cross_team_gap_days", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "cross_team_gap_days >= 0", name=op.f("ck_plan_schedule_settings_gap_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
            name=op.f("fk_plan_schedule_settings_plan_id_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_plan_schedule_settings")),
    )
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", inspections.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", inspections.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_calendar_feeds_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
    )
    op.create_index(op.f("ix_calendar_feeds_user_id"), "calendar_feeds", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_calendar_feeds_user_id"), table_name="calendar_feeds")
    op.drop_table("calendar_feeds")
    op.drop_table("plan_schedule_settings")
    op.drop_table("member_absences")
    op.drop_table("unit_blackouts")
    op.drop_index(op.f("ix_schedule_proposal_items_inspection_id"), table_name="schedule_proposal_items")
    op.drop_table("schedule_proposal_items")
    op.drop_index(op.f("ix_schedule_proposals_plan_id"), table_name="schedule_proposals")
    op.drop_table("schedule_proposals")
