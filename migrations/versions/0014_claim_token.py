"""notifications.claim_token: fencing of outbox claims across hosts

Revision ID: 0014_claim_token
Revises: 0013_visit_sequence

Each claim of an outbox row writes a fresh token; the UPDATE that records the outcome
requires it, so a dispatcher that comes back after its lease ran out (a partitioned or
paused worker host) cannot mark a row that another dispatcher has claimed since. Rows
claimed before the upgrade have no token: they are taken over after their lease like any
abandoned claim.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_claim_token"
down_revision = "0013_visit_sequence"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("claim_token")
