"""cluster_leader and cluster_members: the engine leader's epoch (fencing) and each instance's role and lag.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ordergate.adapters.store.coltypes import UtcDateTime

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table('cluster_leader',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('epoch', sa.BigInteger(), nullable=False),
    sa.Column('instance', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('since', UtcDateTime(), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_cluster_leader_one_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cluster_leader'))
    )
    op.create_table('cluster_members',
    sa.Column('instance', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('epoch', sa.BigInteger(), nullable=False),
    sa.Column('applied_seq', sa.BigInteger(), nullable=False),
    sa.Column('seen_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('instance', name=op.f('pk_cluster_members'))
    )
    leader = sa.table('cluster_leader', sa.column('id', sa.Integer()), sa.column('epoch', sa.BigInteger()),
                      sa.column('instance', sa.String()), sa.column('address', sa.String()))
    op.bulk_insert(leader, [{'id': 1, 'epoch': 0, 'instance': '', 'address': ''}])


def downgrade() -> None:
    """Revert this migration."""
    op.drop_table('cluster_members')
    op.drop_table('cluster_leader')
