"""matching (a clinician's invitations to companies, messages between the two sides of a connection)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invited', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('answered_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_connections_answered_by_id_users'), 'users', ['answered_by_id'],
                                    ['id'], ondelete='SET NULL')
    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.alter_column('invited', server_default=None)

    op.create_table('connection_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('side', sa.Enum('clinician', 'company', name='connection_side', native_enum=False, length=20),
              nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_connection_messages_author_id_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'],
                            name=op.f('fk_connection_messages_connection_id_connections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_connection_messages'))
    )
    with op.batch_alter_table('connection_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_connection_messages_connection_id'), ['connection_id'], unique=False)


def downgrade():
    with op.batch_alter_table('connection_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_connection_messages_connection_id'))
    op.drop_table('connection_messages')
    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_connections_answered_by_id_users'), type_='foreignkey')
        batch_op.drop_column('answered_by_id')
        batch_op.drop_column('invited')
