"""evidence media: the offline saves the server refused, per member (for the inbox)

Revision ID: 0020_evidence_media
Revises: 0019_accounts

A draft refused by the server stays in the member's browser; this table only says that
it exists and why it was refused. Thumbnails need no column: they are stored under their
photo's hash in instance/thumbs/.
"""

import sqlalchemy as sa
from alembic import op

import inspections.db

revision = "0020_evidence_media"
down_revision = "0019_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refused_saves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("refused_at", inspections.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["criteria.id"],
            name=op.f("fk_refused_saves_criterion_id_criteria"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_refused_saves_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_refused_saves_visit_id_visits"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refused_saves")),
        sa.UniqueConstraint(
            "user_id", "visit_id", "criterion_id", name=op.f("uq_refused_saves_user_id_visit_id_criterion_id")
        ),
    )
    with op.batch_alter_table("refused_saves") as batch_op:
        batch_op.create_index(batch_op.f("ix_refused_saves_visit_id"), ["visit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("refused_saves") as batch_op:
        batch_op.drop_index(batch_op.f("ix_refused_saves_visit_id"))
    op.drop_table("refused_saves")
