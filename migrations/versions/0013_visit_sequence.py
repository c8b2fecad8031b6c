"""visits.sequence and visits.updated_at: calendar events that clients can trust

Revision ID: 0013_visit_sequence
Revises: 0011_minutes_and_signatures

A visit's ICS event carries SEQUENCE (raised only when its time moves) and DTSTAMP /
LAST-MODIFIED (its row's last change), so that a feed fetched twice says the same thing
and a calendar replaces an event only when it really moved. Existing visits start at
sequence 0, last changed when they were created.
"""

import sqlalchemy as sa
from alembic import op

from inspections.db import UTCDateTime

revision = "0013_visit_sequence"
down_revision = "0011_minutes_and_signatures"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("visits") as batch:
        batch.add_column(sa.Column("sequence", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("updated_at", UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE visits SET updated_at = created_at")
    with op.batch_alter_table("visits") as batch:
        batch.alter_column("updated_at", existing_type=UTCDateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table("visits") as batch:
        batch.drop_column("updated_at")
        batch.drop_column("sequence")
