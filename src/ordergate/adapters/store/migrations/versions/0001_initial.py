"""Initial schema: the journal, its projections, risk limits, API keys and the archive tables.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ordergate.adapters.store.coltypes import Dec, UtcDateTime

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table('accounts',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('margin', sa.Boolean(), nullable=False),
    sa.Column('updated_seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts'))
    )
    op.create_table('api_keys',
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('hash', name=op.f('pk_api_keys'))
    )
    op.create_table('events',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('ts', UtcDateTime(), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=True),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('caused_by', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.CheckConstraint('seq > 0', name=op.f('ck_events_seq_positive')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_events'))
    )
    op.create_index(op.f('ix_events_account_seq'), 'events', ['account', 'seq'])
    op.create_index(op.f('ix_events_order_id_seq'), 'events', ['order_id', 'seq'])
    op.create_index(op.f('ix_events_ts'), 'events', ['ts'])
    op.create_table('events_archive',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('ts', UtcDateTime(), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=True),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('caused_by', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('archived_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_events_archive'))
    )
    op.create_index(op.f('ix_events_archive_order_id_seq'), 'events_archive', ['order_id', 'seq'])
    op.create_table('fills_archive',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('venue', sa.String(length=64), nullable=False),
    sa.Column('fill_id', sa.String(length=128), nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('symbol', sa.String(length=64), nullable=False),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('qty', Dec(), nullable=False),
    sa.Column('price', Dec(), nullable=False),
    sa.Column('commission', Dec(), nullable=False),
    sa.Column('currency', sa.String(length=8), nullable=False),
    sa.Column('liquidity', sa.String(length=8), nullable=False),
    sa.Column('ts', UtcDateTime(), nullable=False),
    sa.Column('venue_ts', UtcDateTime(), nullable=False),
    sa.Column('archived_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_fills_archive'))
    )
    op.create_index(op.f('ix_fills_archive_order_id_seq'), 'fills_archive', ['order_id', 'seq'])
    op.create_table('orders_archive',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('client_order_id', sa.String(length=64), nullable=False),
    sa.Column('symbol', sa.String(length=64), nullable=False),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('qty', Dec(), nullable=False),
    sa.Column('limit_price', Dec(), nullable=True),
    sa.Column('stop_price', Dec(), nullable=True),
    sa.Column('tif', sa.String(length=8), nullable=False),
    sa.Column('expire_at', UtcDateTime(), nullable=True),
    sa.Column('currency', sa.String(length=8), nullable=False),
    sa.Column('venue', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('filled_qty', Dec(), nullable=False),
    sa.Column('filled_notional', Dec(), nullable=False),
    sa.Column('commission', Dec(), nullable=False),
    sa.Column('arrival_price', Dec(), nullable=True),
    sa.Column('venue_order_id', sa.String(length=128), nullable=True),
    sa.Column('triggered', sa.Boolean(), nullable=False),
    sa.Column('expiring', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('denials', sa.Text(), nullable=False),
    sa.Column('flags', sa.Text(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.Column('accepted_at', UtcDateTime(), nullable=True),
    sa.Column('first_fill_at', UtcDateTime(), nullable=True),
    sa.Column('done_at', UtcDateTime(), nullable=True),
    sa.Column('updated_seq', sa.BigInteger(), nullable=False),
    sa.Column('archived_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_archive'))
    )
    op.create_table('risk_limit_changes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('changed_by', sa.String(length=200), nullable=False),
    sa.Column('changed_at', UtcDateTime(), nullable=False),
    sa.Column('old', sa.Text(), nullable=False),
    sa.Column('new', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_limit_changes'))
    )
    op.create_index(op.f('ix_risk_limit_changes_account_id'), 'risk_limit_changes', ['account', 'id'])
    op.create_table('risk_limits',
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('limits', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('account', name=op.f('pk_risk_limits'))
    )
    op.create_table('balances',
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=8), nullable=False),
    sa.Column('deposited', Dec(), nullable=False),
    sa.Column('cash', Dec(), nullable=False),
    sa.Column('reserved', Dec(), nullable=False),
    sa.Column('commission', Dec(), nullable=False),
    sa.ForeignKeyConstraint(['account'], ['accounts.id'], name=op.f('fk_balances_account_accounts')),
    sa.PrimaryKeyConstraint('account', 'currency', name=op.f('pk_balances'))
    )
    op.create_table('orders',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('client_order_id', sa.String(length=64), nullable=False),
    sa.Column('symbol', sa.String(length=64), nullable=False),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('qty', Dec(), nullable=False),
    sa.Column('limit_price', Dec(), nullable=True),
    sa.Column('stop_price', Dec(), nullable=True),
    sa.Column('tif', sa.String(length=8), nullable=False),
    sa.Column('expire_at', UtcDateTime(), nullable=True),
    sa.Column('currency', sa.String(length=8), nullable=False),
    sa.Column('venue', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('filled_qty', Dec(), nullable=False),
    sa.Column('filled_notional', Dec(), nullable=False),
    sa.Column('commission', Dec(), nullable=False),
    sa.Column('arrival_price', Dec(), nullable=True),
    sa.Column('venue_order_id', sa.String(length=128), nullable=True),
    sa.Column('triggered', sa.Boolean(), nullable=False),
    sa.Column('expiring', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('denials', sa.Text(), nullable=False),
    sa.Column('flags', sa.Text(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.Column('accepted_at', UtcDateTime(), nullable=True),
    sa.Column('first_fill_at', UtcDateTime(), nullable=True),
    sa.Column('done_at', UtcDateTime(), nullable=True),
    sa.Column('updated_seq', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("side IN ('buy', 'sell')", name=op.f('ck_orders_side_valid')),
    sa.CheckConstraint(
        "status IN ('pending_new', 'new', 'partially_filled', 'filled', 'pending_cancel', 'pending_replace', "
        "'canceled', 'rejected', 'expired')", name=op.f('ck_orders_status_valid'),
    ),
    sa.CheckConstraint("tif IN ('day', 'gtc', 'ioc', 'fok', 'gtd')", name=op.f('ck_orders_tif_valid')),
    sa.CheckConstraint("type IN ('market', 'limit', 'stop', 'stop_limit')", name=op.f('ck_orders_type_valid')),
    sa.CheckConstraint('CAST(filled_qty AS NUMERIC) <= CAST(qty AS NUMERIC)', name=op.f('ck_orders_not_overfilled')),
    sa.CheckConstraint('CAST(filled_qty AS NUMERIC) >= 0', name=op.f('ck_orders_filled_qty_not_negative')),
    sa.CheckConstraint('CAST(qty AS NUMERIC) > 0', name=op.f('ck_orders_qty_positive')),
    sa.ForeignKeyConstraint(['account'], ['accounts.id'], name=op.f('fk_orders_account_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('account', 'client_order_id', name=op.f('uq_orders_account_client_order_id'))
    )
    op.create_index(op.f('ix_orders_account_status'), 'orders', ['account', 'status'])
    op.create_index(op.f('ix_orders_created_at'), 'orders', ['created_at'])
    op.create_index(op.f('ix_orders_symbol'), 'orders', ['symbol'])
    op.create_table('positions',
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('symbol', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=8), nullable=False),
    sa.Column('qty', Dec(), nullable=False),
    sa.Column('avg_cost', Dec(), nullable=False),
    sa.Column('realized_pnl', Dec(), nullable=False),
    sa.Column('commission', Dec(), nullable=False),
    sa.Column('bought_qty', Dec(), nullable=False),
    sa.Column('sold_qty', Dec(), nullable=False),
    sa.Column('fill_count', sa.Integer(), nullable=False),
    sa.CheckConstraint('CAST(bought_qty AS NUMERIC) >= 0', name=op.f('ck_positions_bought_qty_not_negative')),
    sa.CheckConstraint('CAST(sold_qty AS NUMERIC) >= 0', name=op.f('ck_positions_sold_qty_not_negative')),
    sa.ForeignKeyConstraint(['account'], ['accounts.id'], name=op.f('fk_positions_account_accounts')),
    sa.PrimaryKeyConstraint('account', 'symbol', name=op.f('pk_positions'))
    )
    op.create_table('fills',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('venue', sa.String(length=64), nullable=False),
    sa.Column('fill_id', sa.String(length=128), nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('symbol', sa.String(length=64), nullable=False),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('qty', Dec(), nullable=False),
    sa.Column('price', Dec(), nullable=False),
    sa.Column('commission', Dec(), nullable=False),
    sa.Column('currency', sa.String(length=8), nullable=False),
    sa.Column('liquidity', sa.String(length=8), nullable=False),
    sa.Column('ts', UtcDateTime(), nullable=False),
    sa.Column('venue_ts', UtcDateTime(), nullable=False),
    sa.CheckConstraint("liquidity IN ('maker', 'taker')", name=op.f('ck_fills_liquidity_valid')),
    sa.CheckConstraint("side IN ('buy', 'sell')", name=op.f('ck_fills_side_valid')),
    sa.CheckConstraint('CAST(qty AS NUMERIC) > 0', name=op.f('ck_fills_qty_positive')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_fills_order_id_orders')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_fills')),
    sa.UniqueConstraint('venue', 'fill_id', name=op.f('uq_fills_venue_fill_id'))
    )
    op.create_index(op.f('ix_fills_account_seq'), 'fills', ['account', 'seq'])
    op.create_index(op.f('ix_fills_order_id_seq'), 'fills', ['order_id', 'seq'])
    op.create_index(op.f('ix_fills_symbol_seq'), 'fills', ['symbol', 'seq'])


def downgrade() -> None:
    """Revert this migration."""
    op.drop_index(op.f('ix_fills_symbol_seq'), table_name='fills')
    op.drop_index(op.f('ix_fills_order_id_seq'), table_name='fills')
    op.drop_index(op.f('ix_fills_account_seq'), table_name='fills')
    op.drop_table('fills')
    op.drop_table('positions')
    op.drop_index(op.f('ix_orders_symbol'), table_name='orders')
    op.drop_index(op.f('ix_orders_created_at'), table_name='orders')
    op.drop_index(op.f('ix_orders_account_status'), table_name='orders')
    op.drop_table('orders')
    op.drop_table('balances')
    op.drop_table('risk_limits')
    op.drop_index(op.f('ix_risk_limit_changes_account_id'), table_name='risk_limit_changes')
    op.drop_table('risk_limit_changes')
    op.drop_table('orders_archive')
    op.drop_index(op.f('ix_fills_archive_order_id_seq'), table_name='fills_archive')
    op.drop_table('fills_archive')
    op.drop_index(op.f('ix_events_archive_order_id_seq'), table_name='events_archive')
    op.drop_table('events_archive')
    op.drop_index(op.f('ix_events_ts'), table_name='events')
    op.drop_index(op.f('ix_events_order_id_seq'), table_name='events')
    op.drop_index(op.f('ix_events_account_seq'), table_name='events')
    op.drop_table('events')
    op.drop_table('api_keys')
    op.drop_table('accounts')
