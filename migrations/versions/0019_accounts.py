"""accounts: the users admin (inspections/accounts) needs no new table

Revision ID: 0019_accounts
Revises: 0018_visit_changes

The users admin and the one-time password links live on the existing `users` columns (a
link is bound to the password hash and `session_version`, so it needs no row). This
revision keeps the chain linear.
"""

revision = "0019_accounts"
down_revision = "0018_visit_changes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
