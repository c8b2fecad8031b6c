"""unit search: the trigram index without a pending list (search stays fast at 100,000)

Revision ID: 0008_unit_search
Revises: 0007_reminder_settings

With `fastupdate` (the default) new rows wait in the GIN index's pending list, which
every search reads in full until a vacuum merges it: after an import of thousands of
units each name or code search read them all (a code search took 2.2 ms at 100,000
units instead of 0.5). Units are written seldom and searched often, so rows go straight
into the index.
"""

from alembic import op

revision = "0008_unit_search"
down_revision = "0007_reminder_settings"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_units_search_trgm SET (fastupdate = off)")
        # Setting it keeps new rows out of the list; the rows already waiting go in now.
        op.execute("SELECT gin_clean_pending_list('ix_units_search_trgm'::regclass)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_units_search_trgm RESET (fastupdate)")
