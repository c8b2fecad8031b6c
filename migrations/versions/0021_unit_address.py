"""units.address: where a unit's office is

Revision ID: 0021_unit_address
Revises: 0020_evidence_media

One line of postal address, optional: the team's visit cards show it and the minutes'
default venue names it. Units already registered have none until someone enters it (the
form, or an import with an address column).
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_unit_address"
down_revision = "0020_evidence_media"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("address", sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table("units") as batch:
        batch.drop_column("address")
