"""outbox: sending pauses (an SMTP login refused stops every dispatcher)

Revision ID: 0003_outbox
Revises: 0002_coordinator
Create Date: 2026-11-27 03:00:00

"""

import sqlalchemy as sa
from alembic import op

import inspections.db

revision = "0003_outbox"
down_revision = "0002_coordinator"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sending_pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paused_at", inspections.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("resumed_at", inspections.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resumed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["resumed_by_id"], ["users.id"], name=op.f("fk_sending_pauses_resumed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sending_pauses")),
    )


def downgrade():
    op.drop_table("sending_pauses")
