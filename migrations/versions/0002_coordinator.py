"""coordinator workflow: surprise draws, unit search indexes

Revision ID: 0002_coordinator
Revises: 0001_domain_model
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import inspections.db

revision = "0002_coordinator"
down_revision = "0001_domain_model"
branch_labels = None
depends_on = None


def upgrade():
    json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    op.create_table(
        "surprise_draws",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("seed_sha256", sa.String(length=64), nullable=False),
        sa.Column("seed", sa.String(length=128), nullable=False),
        sa.Column("filters", json, nullable=False),
        sa.Column("pool", json, nullable=False),
        sa.Column("drawn_unit_ids", json, nullable=False),
        sa.Column("commit_event_id", sa.Integer(), nullable=True),
        sa.Column("reveal_event_id", sa.Integer(), nullable=True),
        sa.Column("created_at", inspections.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("count >= 1", name=op.f("ck_surprise_draws_count_positive")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_surprise_draws_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["commit_event_id"],
            ["audit_events.id"],
            name=op.f("fk_surprise_draws_commit_event_id_audit_events"),
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_surprise_draws_plan_id_plans")),
        sa.ForeignKeyConstraint(
            ["reveal_event_id"],
            ["audit_events.id"],
            name=op.f("fk_surprise_draws_reveal_event_id_audit_events"),
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_surprise_draws_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surprise_draws")),
    )
    with op.batch_alter_table("surprise_draws", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surprise_draws_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_surprise_draws_team_id"), ["team_id"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.create_index("ix_units_search_name_id", ["search_name", "id"], unique=False)
        batch_op.create_index(
            "ix_units_search_trgm",
            ["search_name"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"search_name": "gin_trgm_ops"},
        )


def downgrade():
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_index("ix_units_search_trgm")
        batch_op.drop_index("ix_units_search_name_id")
    with op.batch_alter_table("surprise_draws", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surprise_draws_team_id"))
        batch_op.drop_index(batch_op.f("ix_surprise_draws_plan_id"))
    op.drop_table("surprise_draws")
