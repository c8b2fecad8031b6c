"""users.session_version: sessions that end on the server

Revision ID: 0009_session_version
Revises: 0008_unit_search

Each session carries the user's session version from its login; logout, a password
change and deactivation raise it, so every session of that user (and any copy of its
cookie) stops working at once.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_session_version"
down_revision = "0008_unit_search"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
