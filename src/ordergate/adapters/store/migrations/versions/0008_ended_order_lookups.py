"""ended order lookups: orders that left the server's memory are read back by parent, client order id and fill.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_index(op.f('ix_orders_parent_id'), 'orders', ['parent_id'])
    op.create_index(op.f('ix_orders_archive_parent_id'), 'orders_archive', ['parent_id'])
    op.create_index(op.f('ix_orders_archive_account_client_order_id'), 'orders_archive',
                    ['account', 'client_order_id'])
    op.create_index(op.f('ix_fills_archive_venue_fill_id'), 'fills_archive', ['venue', 'fill_id'])


def downgrade() -> None:
    """Revert this migration."""
    op.drop_index(op.f('ix_fills_archive_venue_fill_id'), table_name='fills_archive')
    op.drop_index(op.f('ix_orders_archive_account_client_order_id'), table_name='orders_archive')
    op.drop_index(op.f('ix_orders_archive_parent_id'), table_name='orders_archive')
    op.drop_index(op.f('ix_orders_parent_id'), table_name='orders')
