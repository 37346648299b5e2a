"""catalogue (listing, hospital admission, first purchase and use)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('catalogue_hospital_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('function', sa.Enum('equipment_office', 'device_committee', name='hospital_function', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_catalogue_hospital_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_hospital_members')),
    sa.UniqueConstraint('user_id', name=op.f('uq_catalogue_hospital_members_user_id'))
    )
    op.create_table('catalogue_listings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('incubation_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('registration_no', sa.String(length=80), nullable=False),
    sa.Column('device_class', sa.Enum('II', 'III', name='product_class', native_enum=False, length=20), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=False),
    sa.Column('pathway', sa.Enum('innovation', 'priority', 'regular', name='listing_pathway', native_enum=False, length=20), nullable=False),
    sa.Column('specialty', sa.String(length=100), nullable=False),
    sa.Column('province', sa.String(length=40), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'applied', 'listed', 'returned', 'withdrawn', name='listing_status', native_enum=False, length=20), nullable=False),
    sa.Column('applied_at', sa.DateTime(), nullable=True),
    sa.Column('listed_on', sa.Date(), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('insurance_code', sa.String(length=40), nullable=False),
    sa.Column('insurance_coded_on', sa.Date(), nullable=True),
    sa.Column('price_listed_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_catalogue_listings_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['incubation_id'], ['incubations.id'], name=op.f('fk_catalogue_listings_incubation_id_incubations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_catalogue_listings_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_listings')),
    sa.UniqueConstraint('incubation_id', name=op.f('uq_catalogue_listings_incubation_id')),
    sa.UniqueConstraint('registration_no', name=op.f('uq_catalogue_listings_registration_no'))
    )
    with op.batch_alter_table('catalogue_listings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalogue_listings_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalogue_listings_pathway'), ['pathway'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalogue_listings_province'), ['province'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalogue_listings_status'), ['status'], unique=False)

    op.create_table('catalogue_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('hospital_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('received', 'under_assessment', 'admitted', 'not_admitted', name='assessment_status', native_enum=False, length=20), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('declared_by_id', sa.Integer(), nullable=True),
    sa.Column('first_use_on', sa.Date(), nullable=True),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['declared_by_id'], ['users.id'], name=op.f('fk_catalogue_assessments_declared_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hospital_id'], ['organizations.id'], name=op.f('fk_catalogue_assessments_hospital_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['listing_id'], ['catalogue_listings.id'], name=op.f('fk_catalogue_assessments_listing_id_catalogue_listings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_assessments')),
    sa.UniqueConstraint('listing_id', 'hospital_id', name='listing_hospital')
    )
    with op.batch_alter_table('catalogue_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalogue_assessments_hospital_id'), ['hospital_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalogue_assessments_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalogue_assessments_status'), ['status'], unique=False)

    op.create_table('catalogue_opinions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('vote', sa.Enum('support', 'oppose', 'abstain', name='committee_vote', native_enum=False, length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['catalogue_assessments.id'], name=op.f('fk_catalogue_opinions_assessment_id_catalogue_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['users.id'], name=op.f('fk_catalogue_opinions_member_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_opinions')),
    sa.UniqueConstraint('assessment_id', 'member_id', name='assessment_member')
    )
    with op.batch_alter_table('catalogue_opinions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalogue_opinions_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('catalogue_purchase_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('ordered_on', sa.Date(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['catalogue_assessments.id'], name=op.f('fk_catalogue_purchase_orders_assessment_id_catalogue_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_catalogue_purchase_orders_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_purchase_orders'))
    )
    with op.batch_alter_table('catalogue_purchase_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalogue_purchase_orders_assessment_id'), ['assessment_id'], unique=False)



def downgrade():
    with op.batch_alter_table('catalogue_purchase_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_purchase_orders_assessment_id'))

    op.drop_table('catalogue_purchase_orders')
    with op.batch_alter_table('catalogue_opinions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_opinions_assessment_id'))

    op.drop_table('catalogue_opinions')
    with op.batch_alter_table('catalogue_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_assessments_status'))
        batch_op.drop_index(batch_op.f('ix_catalogue_assessments_listing_id'))
        batch_op.drop_index(batch_op.f('ix_catalogue_assessments_hospital_id'))

    op.drop_table('catalogue_assessments')
    with op.batch_alter_table('catalogue_listings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_listings_status'))
        batch_op.drop_index(batch_op.f('ix_catalogue_listings_province'))
        batch_op.drop_index(batch_op.f('ix_catalogue_listings_pathway'))
        batch_op.drop_index(batch_op.f('ix_catalogue_listings_organization_id'))

    op.drop_table('catalogue_listings')
    op.drop_table('catalogue_hospital_members')
