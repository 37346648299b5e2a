"""providers (service providers, service requests, matchmaking days)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('provider_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.Time(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('tables', sa.Integer(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('slots', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('scheduled_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_provider_events_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_events'))
    )
    op.create_table('provider_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('lab', 'trial_site', 'cro', 'cdmo', name='provider_kind', native_enum=False, length=20), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', name='provider_status', native_enum=False, length=20), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('region', sa.String(length=40), nullable=False),
    sa.Column('device_classes', sa.JSON(), nullable=False),
    sa.Column('categories', sa.Text(), nullable=False),
    sa.Column('standards', sa.Text(), nullable=False),
    sa.Column('turnaround_days', sa.Integer(), nullable=True),
    sa.Column('specialties', sa.Text(), nullable=False),
    sa.Column('ethics_cadence', sa.String(length=120), nullable=False),
    sa.Column('ethics_days', sa.Integer(), nullable=True),
    sa.Column('contract_days', sa.Integer(), nullable=True),
    sa.Column('capabilities', sa.Text(), nullable=False),
    sa.Column('clean_room_class', sa.String(length=40), nullable=False),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_provider_profiles_approved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_provider_profiles_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_provider_profiles_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_profiles')),
    sa.UniqueConstraint('organization_id', name=op.f('uq_provider_profiles_organization_id'))
    )
    with op.batch_alter_table('provider_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_profiles_status'), ['status'], unique=False)

    op.create_table('provider_event_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.Enum('clinician', 'company', 'investor', 'provider', name='event_side', native_enum=False, length=20), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('free_slots', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['provider_events.id'], name=op.f('fk_provider_event_participants_event_id_provider_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_provider_event_participants_project_id_projects'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_provider_event_participants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_event_participants')),
    sa.UniqueConstraint('event_id', 'user_id', name='event_participant')
    )
    with op.batch_alter_table('provider_event_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_event_participants_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_event_participants_user_id'), ['user_id'], unique=False)

    op.create_table('provider_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('table_no', sa.Integer(), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('first_answer', sa.Enum('pending', 'accepted', 'declined', name='meeting_answer', native_enum=False, length=20), nullable=False),
    sa.Column('second_answer', sa.Enum('pending', 'accepted', 'declined', name='meeting_answer', native_enum=False, length=20), nullable=False),
    sa.Column('outcome', sa.Enum('follow_up', 'nda', 'none', name='meeting_outcome', native_enum=False, length=20), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['provider_events.id'], name=op.f('fk_provider_meetings_event_id_provider_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['first_id'], ['provider_event_participants.id'], name=op.f('fk_provider_meetings_first_id_provider_event_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['second_id'], ['provider_event_participants.id'], name=op.f('fk_provider_meetings_second_id_provider_event_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_meetings')),
    sa.UniqueConstraint('event_id', 'slot', 'table_no', name='event_slot_table')
    )
    with op.batch_alter_table('provider_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_meetings_event_id'), ['event_id'], unique=False)

    op.create_table('provider_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('incubation_id', sa.Integer(), nullable=False),
    sa.Column('milestone_key', sa.Enum('product_technical_requirements', 'registration_testing', 'clinical_evaluation', 'registration_submission', 'acceptance', 'technical_review', 'approval', name='milestone_key', native_enum=False, length=40), nullable=False),
    sa.Column('status', sa.Enum('sent', 'accepted', 'declined', 'started', 'delivered', 'withdrawn', name='provider_request_status', native_enum=False, length=20), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('wanted_start', sa.Date(), nullable=True),
    sa.Column('wanted_by', sa.Date(), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('quote', sa.String(length=200), nullable=False),
    sa.Column('agreed_date', sa.Date(), nullable=True),
    sa.Column('turnaround_days', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('ethics_approved_on', sa.Date(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('delivered_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_provider_requests_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['incubation_id'], ['incubations.id'], name=op.f('fk_provider_requests_incubation_id_incubations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['provider_profiles.id'], name=op.f('fk_provider_requests_provider_id_provider_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_provider_requests_sent_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_requests'))
    )
    with op.batch_alter_table('provider_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_requests_incubation_id'), ['incubation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_requests_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_requests_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('provider_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_requests_status'))
        batch_op.drop_index(batch_op.f('ix_provider_requests_provider_id'))
        batch_op.drop_index(batch_op.f('ix_provider_requests_incubation_id'))

    op.drop_table('provider_requests')
    with op.batch_alter_table('provider_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_meetings_event_id'))

    op.drop_table('provider_meetings')
    with op.batch_alter_table('provider_event_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_event_participants_user_id'))
        batch_op.drop_index(batch_op.f('ix_provider_event_participants_event_id'))

    op.drop_table('provider_event_participants')
    with op.batch_alter_table('provider_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_profiles_status'))

    op.drop_table('provider_profiles')
    op.drop_table('provider_events')
