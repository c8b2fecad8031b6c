"""documents: the minutes' record of the visit, and the digital signature of the kept PDF

Revision ID: 0011_minutes_and_signatures
Revises: 0010_acknowledgement_unique

The minutes (biên bản kiểm tra) state where the visit took place, when it opened and
closed, and who represented the inspected unit; an issued document's PDF is signed
(PAdES) and the row keeps when and with which certificate.
"""

import sqlalchemy as sa
from alembic import op

from inspections.db import UTCDateTime

revision = "0011_minutes_and_signatures"
down_revision = "0010_acknowledgement_unique"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("venue", sa.String(255), nullable=True))
        batch.add_column(sa.Column("opened_at", sa.Time(), nullable=True))
        batch.add_column(sa.Column("closed_at", sa.Time(), nullable=True))
        batch.add_column(sa.Column("unit_representative", sa.String(160), nullable=True))
        batch.add_column(sa.Column("unit_representative_title", sa.String(160), nullable=True))
        batch.add_column(sa.Column("unit_participants", sa.Text(), nullable=True))
        batch.add_column(sa.Column("signed_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("signature_subject", sa.String(255), nullable=True))
        batch.create_check_constraint(
            "minutes_close_after_open", "opened_at IS NULL OR closed_at IS NULL OR closed_at > opened_at"
        )


def downgrade():
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint("ck_documents_minutes_close_after_open", type_="check")
        for column in (
            "signature_subject",
            "signed_at",
            "unit_participants",
            "unit_representative_title",
            "unit_representative",
            "closed_at",
            "opened_at",
            "venue",
        ):
            batch.drop_column(column)
