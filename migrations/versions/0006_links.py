"""links: signed action links, notice acknowledgements, unit uploads, extension requests

Revision ID: 0006_links
Revises: 0005_field
Create Date: 2026-11-27 04:00:00

"""
from alembic import op
import sqlalchemy as sa

import inspections.db

# revision identifiers, used by Alembic.
revision = '0006_links'
down_revision = '0005_field'
branch_labels = None
depends_on = None


def _enum(name, values, length=20):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


def upgrade():
    op.create_table('action_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', _enum('linkpurpose', ['acknowledge', 'self_assessment', 'conclusion', 'remediation']), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=True),
    sa.Column('created_at', inspections.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', inspections.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', inspections.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', inspections.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_action_links_expires_after_creation')),
    sa.ForeignKeyConstraint(['contact_id'], ['unit_contacts.id'], name=op.f('fk_action_links_contact_id_unit_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_action_links_notification_id_notifications'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_action_links_revoked_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_action_links_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_links')),
    sa.UniqueConstraint('notification_id', 'purpose', 'object_id', name=op.f('uq_action_links_notification_id_purpose_object_id'))
    )
    with op.batch_alter_table('action_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_links_unit_id'), ['unit_id'], unique=False)

    op.create_table('notice_acknowledgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', inspections.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['unit_contacts.id'], name=op.f('fk_notice_acknowledgements_contact_id_unit_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_notice_acknowledgements_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notice_acknowledgements_user_id_users')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_notice_acknowledgements_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_acknowledgements'))
    )
    with op.batch_alter_table('notice_acknowledgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_acknowledgements_visit_id'), ['visit_id'], unique=False)

    op.create_table('unit_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', _enum('uploadkind', ['self_assessment', 'remediation']), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', inspections.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(visit_id IS NULL) <> (action_id IS NULL)', name=op.f('ck_unit_uploads_on_visit_or_action')),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_unit_uploads_not_empty')),
    sa.ForeignKeyConstraint(['action_id'], ['corrective_actions.id'], name=op.f('fk_unit_uploads_action_id_corrective_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['unit_contacts.id'], name=op.f('fk_unit_uploads_contact_id_unit_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_uploads_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_unit_uploads_user_id_users')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_unit_uploads_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_uploads'))
    )
    with op.batch_alter_table('unit_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_uploads_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_uploads_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_uploads_visit_id'), ['visit_id'], unique=False)

    op.create_table('extension_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('old_due_on', sa.Date(), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', _enum('extensionstatus', ['pending', 'granted', 'refused']), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', inspections.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('granted_on', sa.Date(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', inspections.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status <> 'granted' OR granted_on IS NOT NULL", name=op.f('ck_extension_requests_granted_has_date')),
    sa.CheckConstraint('requested_on > old_due_on', name=op.f('ck_extension_requests_later_than_due')),
    sa.ForeignKeyConstraint(['action_id'], ['corrective_actions.id'], name=op.f('fk_extension_requests_action_id_corrective_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['unit_contacts.id'], name=op.f('fk_extension_requests_contact_id_unit_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_extension_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_extension_requests_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_extension_requests_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extension_requests'))
    )
    with op.batch_alter_table('extension_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extension_requests_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_extension_requests_unit_id'), ['unit_id'], unique=False)


def downgrade():
    op.drop_table('extension_requests')
    op.drop_table('unit_uploads')
    op.drop_table('notice_acknowledgements')
    op.drop_table('action_links')
