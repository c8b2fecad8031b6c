"""notice_acknowledgements: one per visit

Revision ID: 0010_acknowledgement_unique
Revises: 0009_session_version

Acknowledging a notice again stored a row each time. The first acknowledgement of each
visit is kept (it is the one the pages show), the later copies are removed, and a unique
constraint on visit_id holds the rule; its index replaces the plain one.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_acknowledgement_unique"
down_revision = "0009_session_version"
branch_labels = None
depends_on = None


def upgrade():
    acks = sa.table("notice_acknowledgements", sa.column("id", sa.Integer), sa.column("visit_id", sa.Integer))
    first = sa.select(sa.func.min(acks.c.id)).group_by(acks.c.visit_id)
    op.execute(acks.delete().where(acks.c.id.not_in(first)))
    with op.batch_alter_table("notice_acknowledgements") as batch:
        batch.drop_index("ix_notice_acknowledgements_visit_id")
        batch.create_unique_constraint("uq_notice_acknowledgements_visit_id", ["visit_id"])


def downgrade():
    with op.batch_alter_table("notice_acknowledgements") as batch:
        batch.drop_constraint("uq_notice_acknowledgements_visit_id", type_="unique")
        batch.create_index("ix_notice_acknowledgements_visit_id", ["visit_id"], unique=False)
