"""providers (service providers, service requests, matchmaking days)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 15:00:00.000000

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
