"""reviews: stored panel figures, the panel's discussion, revised scores, the lead reviewer, the meta-review, bids,
review quality

- review_figures: each project version's aggregate in a round (n, mean, median, SD, range, failed gates,
  disagreement), written when a review is submitted, reopened or revised; the round page reads one row per project;
- reviews.total: a review's weighted total, stored when submitted or revised (the calibration reads it);
- review_revisions: a review as it stood before its expert revised it during the discussion;
- review_discussion: the discussion of a project among its reviewers and the administrators;
- review_leads, review_lead_responses: the lead reviewer (主审) with the meta-review, and the others' answers;
- review_bids: experts' bids (想评/可以/不能) on a round's projects before assignment;
- review_quality: the administrators' rating of a submitted review's quality.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('review_discussion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_review_discussion_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_review_discussion_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['review_rounds.id'], name=op.f('fk_review_discussion_round_id_review_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_discussion'))
    )
    op.create_index(op.f('ix_review_discussion_created_at'), 'review_discussion', ['created_at'], unique=False)
    op.create_index(op.f('ix_review_discussion_project_id'), 'review_discussion', ['project_id'], unique=False)
    op.create_index(op.f('ix_review_discussion_round_id'), 'review_discussion', ['round_id'], unique=False)
    op.create_table('review_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('mean', sa.Float(), nullable=True),
    sa.Column('median', sa.Float(), nullable=True),
    sa.Column('sd', sa.Float(), nullable=True),
    sa.Column('low', sa.Float(), nullable=True),
    sa.Column('high', sa.Float(), nullable=True),
    sa.Column('gates_failed', sa.JSON(), nullable=False),
    sa.Column('disagreement', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_review_figures_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['review_rounds.id'], name=op.f('fk_review_figures_round_id_review_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['project_versions.id'], name=op.f('fk_review_figures_version_id_project_versions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_figures')),
    sa.UniqueConstraint('round_id', 'project_id', 'version_id', name=op.f('uq_review_figures_round_id'))
    )
    op.create_index(op.f('ix_review_figures_project_id'), 'review_figures', ['project_id'], unique=False)
    op.create_index(op.f('ix_review_figures_round_id'), 'review_figures', ['round_id'], unique=False)
    op.create_table('review_leads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('designated_by_id', sa.Integer(), nullable=True),
    sa.Column('designated_at', sa.DateTime(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('summary_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['designated_by_id'], ['users.id'], name=op.f('fk_review_leads_designated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['expert_id'], ['users.id'], name=op.f('fk_review_leads_expert_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_review_leads_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['review_rounds.id'], name=op.f('fk_review_leads_round_id_review_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_leads')),
    sa.UniqueConstraint('round_id', 'project_id', name=op.f('uq_review_leads_round_id'))
    )
    op.create_index(op.f('ix_review_leads_expert_id'), 'review_leads', ['expert_id'], unique=False)
    op.create_index(op.f('ix_review_leads_project_id'), 'review_leads', ['project_id'], unique=False)
    op.create_index(op.f('ix_review_leads_round_id'), 'review_leads', ['round_id'], unique=False)
    op.create_table('review_lead_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('agrees', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('summary_at', sa.DateTime(), nullable=True),
    sa.Column('responded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['expert_id'], ['users.id'], name=op.f('fk_review_lead_responses_expert_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lead_id'], ['review_leads.id'], name=op.f('fk_review_lead_responses_lead_id_review_leads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_lead_responses')),
    sa.UniqueConstraint('lead_id', 'expert_id', name=op.f('uq_review_lead_responses_lead_id'))
    )
    op.create_index(op.f('ix_review_lead_responses_lead_id'), 'review_lead_responses', ['lead_id'], unique=False)
    op.create_table('review_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('gates', sa.JSON(), nullable=False),
    sa.Column('overall', sa.Integer(), nullable=True),
    sa.Column('confidence', sa.Integer(), nullable=True),
    sa.Column('total', sa.Float(), nullable=True),
    sa.Column('comment_panel', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('revised_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_revisions_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_revisions'))
    )
    op.create_index(op.f('ix_review_revisions_review_id'), 'review_revisions', ['review_id'], unique=False)

    op.create_table('review_bids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('bid', sa.String(length=10), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['expert_id'], ['users.id'], name=op.f('fk_review_bids_expert_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_review_bids_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['review_rounds.id'], name=op.f('fk_review_bids_round_id_review_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_bids')),
    sa.UniqueConstraint('round_id', 'project_id', 'expert_id', name=op.f('uq_review_bids_round_id'))
    )
    op.create_index(op.f('ix_review_bids_expert_id'), 'review_bids', ['expert_id'], unique=False)
    op.create_index(op.f('ix_review_bids_project_id'), 'review_bids', ['project_id'], unique=False)
    op.create_index(op.f('ix_review_bids_round_id'), 'review_bids', ['round_id'], unique=False)
    op.create_table('review_quality',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('rated_by_id', sa.Integer(), nullable=True),
    sa.Column('rated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['rated_by_id'], ['users.id'], name=op.f('fk_review_quality_rated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_quality_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_quality')),
    sa.UniqueConstraint('review_id', name=op.f('uq_review_quality_review_id'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('total', sa.Float(), nullable=True))


def downgrade():
    op.drop_table('review_quality')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_column('total')
    op.drop_index(op.f('ix_review_bids_round_id'), table_name='review_bids')
    op.drop_index(op.f('ix_review_bids_project_id'), table_name='review_bids')
    op.drop_index(op.f('ix_review_bids_expert_id'), table_name='review_bids')
    op.drop_table('review_bids')
    op.drop_index(op.f('ix_review_revisions_review_id'), table_name='review_revisions')
    op.drop_table('review_revisions')
    op.drop_index(op.f('ix_review_lead_responses_lead_id'), table_name='review_lead_responses')
    op.drop_table('review_lead_responses')
    op.drop_index(op.f('ix_review_leads_round_id'), table_name='review_leads')
    op.drop_index(op.f('ix_review_leads_project_id'), table_name='review_leads')
    op.drop_index(op.f('ix_review_leads_expert_id'), table_name='review_leads')
    op.drop_table('review_leads')
    op.drop_index(op.f('ix_review_figures_round_id'), table_name='review_figures')
    op.drop_index(op.f('ix_review_figures_project_id'), table_name='review_figures')
    op.drop_table('review_figures')
    op.drop_index(op.f('ix_review_discussion_round_id'), table_name='review_discussion')
    op.drop_index(op.f('ix_review_discussion_project_id'), table_name='review_discussion')
    op.drop_index(op.f('ix_review_discussion_created_at'), table_name='review_discussion')
    op.drop_table('review_discussion')
