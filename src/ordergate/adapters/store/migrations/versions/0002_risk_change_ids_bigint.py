"""risk_limit_changes.id holds the RiskLimitsChanged event's journal seq: widen it to 64 bits like seq.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table('risk_limit_changes') as batch:
        batch.alter_column('id', existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False)


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table('risk_limit_changes') as batch:
        batch.alter_column('id', existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False)
