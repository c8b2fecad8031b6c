"""visit changes: why a visit moved or was called off, proposed moves, the inbox digest

Revision ID: 0018_visit_changes
Revises: 0017_import_jobs

An approved visit may be moved or cancelled with a reason (told to the unit of an announced
visit); `cancelled_at` marks a visit called off after the unit was told of it, so its
calendar feed keeps it as a cancelled event. A team head proposes a move that the plan's
coordinator accepts or refuses. People who opted in get one daily mail of what waits on them.
"""

import sqlalchemy as sa
from alembic import op

from inspections.db import UTCDateTime

revision = "0018_visit_changes"
down_revision = "0017_import_jobs"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("visits") as batch:
        batch.add_column(sa.Column("change_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("cancelled_at", UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "visit_change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "slot",
            sa.Enum(
                "morning", "afternoon", name="slot", native_enum=False, create_constraint=True, length=20
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "refused",
                name="changestatus",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
            name=op.f("fk_visit_change_requests_visit_id_visits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["users.id"], name=op.f("fk_visit_change_requests_proposed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_visit_change_requests_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_change_requests")),
    )
    op.create_index(
        op.f("ix_visit_change_requests_visit_id"), "visit_change_requests", ["visit_id"], unique=False
    )
    op.create_index("ix_visit_change_requests_status_id", "visit_change_requests", ["status", "id"])
    op.create_table(
        "inbox_digest_subscriptions",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_inbox_digest_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_inbox_digest_subscriptions")),
    )


def downgrade():
    op.drop_table("inbox_digest_subscriptions")
    op.drop_index("ix_visit_change_requests_status_id", table_name="visit_change_requests")
    op.drop_index(op.f("ix_visit_change_requests_visit_id"), table_name="visit_change_requests")
    op.drop_table("visit_change_requests")
    with op.batch_alter_table("visits") as batch:
        batch.drop_column("cancelled_at")
        batch.drop_column("change_reason")
