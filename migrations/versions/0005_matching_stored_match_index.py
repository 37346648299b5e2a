"""matching: the stored match index and the documents it reads

- match_index: each fitted index (vocabulary, both sides' documents and embeddings, as one archive) with its
  version, fingerprint, time of fitting and counts; every worker loads the newest;
- match_documents: one row per profile field or project section (side, owner, field, text, digest, embedding);
  workers apply the rows changed since the fit, and embeddings are computed only when a text changes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('match_index',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=32), nullable=False),
    sa.Column('fitted_at', sa.DateTime(), nullable=False),
    sa.Column('profiles', sa.Integer(), nullable=False),
    sa.Column('projects', sa.Integer(), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.Column('terms', sa.Integer(), nullable=False),
    sa.Column('fit_ms', sa.Integer(), nullable=False),
    sa.Column('blob', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_index')),
    sa.UniqueConstraint('version', name=op.f('uq_match_index_version'))
    )
    op.create_table('match_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=10), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('embedding', sa.LargeBinary(), nullable=True),
    sa.Column('embedder', sa.String(length=80), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_documents')),
    sa.UniqueConstraint('side', 'owner_id', 'field', name='side_owner_field')
    )
    with op.batch_alter_table('match_documents', schema=None) as batch_op:
        batch_op.create_index('ix_match_documents_updated_at', ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('match_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_match_documents_updated_at')
    op.drop_table('match_documents')
    op.drop_table('match_index')
