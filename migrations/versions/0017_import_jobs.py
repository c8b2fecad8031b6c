"""import jobs: bulk imports run by a worker, with their progress and their row errors

Revision ID: 0017_import_jobs
Revises: 0016_list_indexes

An import is a job: the stored upload (by SHA-256), its state, its progress (rows
checked, applied), the worker's claim (a token and a heartbeat, so a job whose worker died
is claimed again), and the first few hundred errors of its check, row by row.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from inspections.db import UTCDateTime

revision = "0017_import_jobs"
down_revision = "0016_list_indexes"
branch_labels = None
depends_on = None

KINDS = ("units", "contacts", "people")
STATUSES = (
    "queued", "checking", "invalid", "checked", "confirmed", "applying", "done", "failed", "cancelled",
)  # fmt: skip


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade():
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*KINDS, name="importkind", native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="importstatus", native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("fmt", sa.String(length=10), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("rows_total", sa.Integer(), nullable=True),
        sa.Column("rows_checked", sa.Integer(), nullable=False),
        sa.Column("rows_applied", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("counts", _json(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("heartbeat_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_import_jobs_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
    )
    op.create_index("ix_import_jobs_status_id", "import_jobs", ["status", "id"])
    op.create_index("ix_import_jobs_created_by_id_id", "import_jobs", ["created_by_id", "id"])
    op.create_table(
        "import_row_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("column", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["import_jobs.id"],
            name=op.f("fk_import_row_errors_job_id_import_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_row_errors")),
    )
    op.create_index("ix_import_row_errors_job_id", "import_row_errors", ["job_id"])


def downgrade():
    op.drop_index("ix_import_row_errors_job_id", table_name="import_row_errors")
    op.drop_table("import_row_errors")
    op.drop_index("ix_import_jobs_created_by_id_id", table_name="import_jobs")
    op.drop_index("ix_import_jobs_status_id", table_name="import_jobs")
    op.drop_table("import_jobs")
