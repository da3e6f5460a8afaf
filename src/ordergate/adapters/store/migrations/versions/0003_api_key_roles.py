"""API keys get a public id, a scope of accounts, who made them and when they were revoked.

Keys stored before keep their role and cover every account; their id is made from their hash.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ordergate.adapters.store.coltypes import UtcDateTime

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table('api_keys') as batch:
        batch.add_column(sa.Column('id', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('accounts', sa.Text(), nullable=True))
        batch.add_column(sa.Column('created_by', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('revoked_at', UtcDateTime(), nullable=True))
    # a key made before this revision was the generated admin key: it keeps working, found as such
    op.execute("UPDATE api_keys SET id = 'k_' || substr(hash, 1, 12), created_by = 'bootstrap'")
    with op.batch_alter_table('api_keys') as batch:
        batch.alter_column('id', existing_type=sa.String(length=40), nullable=False)
        batch.alter_column('created_by', existing_type=sa.String(length=200), nullable=False)
        batch.create_unique_constraint(batch.f('uq_api_keys_id'), ['id'])


def downgrade() -> None:
    """Revert this migration (revoked keys go: the old schema cannot tell them from live ones)."""
    op.execute("DELETE FROM api_keys WHERE revoked_at IS NOT NULL")
    with op.batch_alter_table('api_keys') as batch:
        batch.drop_constraint(batch.f('uq_api_keys_id'), type_='unique')
        batch.drop_column('revoked_at')
        batch.drop_column('created_by')
        batch.drop_column('accounts')
        batch.drop_column('id')
