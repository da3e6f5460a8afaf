"""positions.cost_basis: the exact signed cost of a position's open quantity (avg_cost is derived from it).

Rows written before have only their average cost: they get qty x avg_cost, the best the row itself knows.
``ordergate db rebuild`` recomputes them from the journal exactly (``db check`` lists the rows it would change).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from ordergate.adapters.store.coltypes import Dec

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.add_column('positions', sa.Column('cost_basis', Dec(), nullable=True))
    positions = sa.table('positions', sa.column('account', sa.String()), sa.column('symbol', sa.String()),
                         sa.column('qty', Dec()), sa.column('avg_cost', Dec()), sa.column('cost_basis', Dec()))
    conn = op.get_bind()
    rows = conn.execute(sa.select(positions.c.account, positions.c.symbol, positions.c.qty,
                                  positions.c.avg_cost)).all()
    for account, symbol, qty, avg_cost in rows:
        basis: Decimal = qty * avg_cost
        conn.execute(positions.update().where(positions.c.account == account, positions.c.symbol == symbol)
                     .values(cost_basis=basis))
    with op.batch_alter_table('positions') as batch:
        batch.alter_column('cost_basis', existing_type=Dec(), nullable=False)


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table('positions') as batch:
        batch.drop_column('cost_basis')
