"""matching: one open connection and one active share grant per project and organisation

Partial unique indexes (SQLite and PostgreSQL) so that parallel requests cannot open two connections, nor two
grants, for the same pair. Rows such duplicates left behind are settled first:
- an active grant older than a withdrawal of the same pair is revoked (the clinician meant to withdraw access),
  then of the remaining active grants of a pair only the newest stays; their consents are revoked with them;
- of the open connections of a pair, an accepted one wins over requests and the newest over older ones: the other
  requests are withdrawn, the other accepted connections closed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 12:28:46.082259

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

OPEN = "status IN ('requested', 'accepted')"
ACTIVE = "revoked_at IS NULL"
SAME_GRANT_PAIR = "o.project_id = share_grants.project_id AND o.organization_id = share_grants.organization_id"
SAME_CONNECTION_PAIR = "o.project_id = connections.project_id AND o.organization_id = connections.organization_id"


def _settle_duplicates():
    now = datetime.now(UTC).replace(tzinfo=None)
    execute = op.get_bind().execute
    withdrawn_later = (f"FROM share_grants o WHERE {SAME_GRANT_PAIR} AND o.revoked_at IS NOT NULL "
                       "AND o.revoked_at >= share_grants.granted_at")
    execute(sa.text(f"UPDATE share_grants SET revoked_at = (SELECT MAX(o.revoked_at) {withdrawn_later}) "
                    f"WHERE revoked_at IS NULL AND EXISTS (SELECT 1 {withdrawn_later})"))
    execute(sa.text(f"UPDATE share_grants SET revoked_at = :now WHERE revoked_at IS NULL AND EXISTS "
                    f"(SELECT 1 FROM share_grants o WHERE {SAME_GRANT_PAIR} AND o.revoked_at IS NULL "
                    "AND o.id > share_grants.id)"), {"now": now})
    execute(sa.text("UPDATE consents SET revoked_at = (SELECT MAX(g.revoked_at) FROM share_grants g "
                    "WHERE g.consent_id = consents.id) WHERE revoked_at IS NULL AND id IN "
                    "(SELECT consent_id FROM share_grants WHERE revoked_at IS NOT NULL AND consent_id IS NOT NULL)"))
    execute(sa.text(f"UPDATE connections SET status = 'withdrawn', closed_at = :now WHERE status = 'requested' "
                    f"AND EXISTS (SELECT 1 FROM connections o WHERE {SAME_CONNECTION_PAIR} AND o.id <> connections.id "
                    "AND (o.status = 'accepted' OR (o.status = 'requested' AND o.id > connections.id)))"),
            {"now": now})
    execute(sa.text(f"UPDATE connections SET status = 'closed', closed_at = :now WHERE status = 'accepted' "
                    f"AND EXISTS (SELECT 1 FROM connections o WHERE {SAME_CONNECTION_PAIR} "
                    "AND o.status = 'accepted' AND o.id > connections.id)"), {"now": now})


def upgrade():
    _settle_duplicates()
    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.create_index('uq_connections_open_pair', ['project_id', 'organization_id'], unique=True,
                              sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))

    with op.batch_alter_table('share_grants', schema=None) as batch_op:
        batch_op.create_index('uq_share_grants_active_pair', ['project_id', 'organization_id'], unique=True,
                              sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))


def downgrade():
    with op.batch_alter_table('share_grants', schema=None) as batch_op:
        batch_op.drop_index('uq_share_grants_active_pair')

    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.drop_index('uq_connections_open_pair')
