"""orders.parent_id: a child order (one working at a venue for a parent order) names its parent.

Rows written before are orders of their own (no parent): the column is NULL for them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    for table in ('orders', 'orders_archive'):
        op.add_column(table, sa.Column('parent_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Revert this migration."""
    for table in ('orders', 'orders_archive'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('parent_id')
