"""Request counts for limits, shared by every worker and node (the open data API's rate limit).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_counts',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('slot', sa.Integer(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', 'slot', name=op.f('pk_rate_counts')),
    )


def downgrade():
    op.drop_table('rate_counts')
