"""The tables: the event journal, its projections (orders, fills, positions, accounts, risk limits), API keys.

The journal (``events``) is the truth; every other trading table is a projection of it that
``ordergate db rebuild`` can recreate. Alembic migrations make these tables; this module is what they
are checked against (no drift).
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ordergate.adapters.store.coltypes import Dec, UtcDateTime
from ordergate.domain.enums import Liquidity, OrderStatus, OrderType, Side, TimeInForce

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

ID = 64  # length of identifiers (accounts, orders, symbols, venues)


def one_of(column: str, values: type) -> CheckConstraint:
    """Return a check that a text column holds one of an enum's wire values."""
    allowed = ", ".join(f"'{v.value}'" for v in values)  # type: ignore[attr-defined]
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_valid")


def positive(column: str, allow_zero: bool = False) -> CheckConstraint:
    """Return a check that a decimal column is positive (or not negative)."""
    op, rule = (">=", "not_negative") if allow_zero else (">", "positive")
    return CheckConstraint(f"CAST({column} AS NUMERIC) {op} 0", name=f"{column}_{rule}")


events = Table(
    "events", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("ts", UtcDateTime, nullable=False),
    Column("account", String(ID), nullable=False),  # no FK: "*" is the firm, not an account
    Column("order_id", String(ID), nullable=True),
    Column("type", String(40), nullable=False),
    Column("caused_by", String(200), nullable=False),
    Column("payload", Text, nullable=False),
    CheckConstraint("seq > 0", name="seq_positive"),
    Index(None, "order_id", "seq"),
    Index(None, "account", "seq"),
    Index(None, "ts"),
)

accounts = Table(
    "accounts", metadata,
    Column("id", String(ID), primary_key=True),
    Column("margin", Boolean, nullable=False),
    Column("updated_seq", BigInteger, nullable=False),
)

balances = Table(
    "balances", metadata,
    Column("account", String(ID), ForeignKey("accounts.id"), nullable=False),
    Column("currency", String(8), nullable=False),
    Column("deposited", Dec, nullable=False),
    Column("cash", Dec, nullable=False),
    Column("reserved", Dec, nullable=False),
    Column("commission", Dec, nullable=False),
    PrimaryKeyConstraint("account", "currency"),
)


def order_columns() -> list[Column]:  # type: ignore[type-arg]
    """Return the columns of an order row (shared by ``orders`` and ``orders_archive``)."""
    return [
        Column("id", String(ID), primary_key=True),
        Column("account", String(ID), nullable=False),
        Column("client_order_id", String(ID), nullable=False),
        Column("symbol", String(ID), nullable=False),
        Column("side", String(8), nullable=False),
        Column("type", String(16), nullable=False),
        Column("qty", Dec, nullable=False),
        Column("limit_price", Dec, nullable=True),
        Column("stop_price", Dec, nullable=True),
        Column("tif", String(8), nullable=False),
        Column("expire_at", UtcDateTime, nullable=True),
        Column("currency", String(8), nullable=False),
        Column("venue", String(ID), nullable=False),
        Column("status", String(20), nullable=False),
        Column("filled_qty", Dec, nullable=False),
        Column("filled_notional", Dec, nullable=False),
        Column("commission", Dec, nullable=False),
        Column("arrival_price", Dec, nullable=True),
        Column("venue_order_id", String(128), nullable=True),
        Column("triggered", Boolean, nullable=False),
        Column("expiring", Boolean, nullable=False),
        Column("reason", Text, nullable=False),
        Column("denials", Text, nullable=False),  # JSON list of {rule, message, limit, actual}
        Column("flags", Text, nullable=False),  # JSON list of strings
        Column("created_at", UtcDateTime, nullable=False),
        Column("updated_at", UtcDateTime, nullable=False),
        Column("accepted_at", UtcDateTime, nullable=True),
        Column("first_fill_at", UtcDateTime, nullable=True),
        Column("done_at", UtcDateTime, nullable=True),
        Column("updated_seq", BigInteger, nullable=False),
        Column("parent_id", String(ID), nullable=True),  # a child order's parent (its fills count for it)
    ]


orders = Table(
    "orders", metadata,
    *order_columns(),
    ForeignKeyConstraint(["account"], ["accounts.id"]),
    UniqueConstraint("account", "client_order_id"),
    one_of("side", Side), one_of("type", OrderType), one_of("tif", TimeInForce), one_of("status", OrderStatus),
    positive("qty"), positive("filled_qty", allow_zero=True),
    CheckConstraint("CAST(filled_qty AS NUMERIC) <= CAST(qty AS NUMERIC)", name="not_overfilled"),
    Index(None, "account", "status"),
    Index(None, "symbol"),
    Index(None, "created_at"),
    Index(None, "parent_id"),  # an order that left memory is read back with its children
)

def fill_columns() -> list[Column]:  # type: ignore[type-arg]
    """Return the columns of a fill row (shared by ``fills`` and ``fills_archive``)."""
    return [
        Column("seq", BigInteger, primary_key=True, autoincrement=False),  # the OrderFilled event's seq
        Column("venue", String(ID), nullable=False),
        Column("fill_id", String(128), nullable=False),
        Column("order_id", String(ID), nullable=False),
        Column("account", String(ID), nullable=False),
        Column("symbol", String(ID), nullable=False),
        Column("side", String(8), nullable=False),
        Column("qty", Dec, nullable=False),
        Column("price", Dec, nullable=False),
        Column("commission", Dec, nullable=False),
        Column("currency", String(8), nullable=False),
        Column("liquidity", String(8), nullable=False),
        Column("ts", UtcDateTime, nullable=False),
        Column("venue_ts", UtcDateTime, nullable=False),
    ]


fills = Table(
    "fills", metadata,
    *fill_columns(),
    ForeignKeyConstraint(["order_id"], ["orders.id"]),
    UniqueConstraint("venue", "fill_id"),
    one_of("side", Side), one_of("liquidity", Liquidity),
    positive("qty"),
    Index(None, "order_id", "seq"),
    Index(None, "account", "seq"),
    Index(None, "symbol", "seq"),
)

positions = Table(
    "positions", metadata,
    Column("account", String(ID), ForeignKey("accounts.id"), nullable=False),
    Column("symbol", String(ID), nullable=False),
    Column("currency", String(8), nullable=False),
    Column("qty", Dec, nullable=False),
    Column("avg_cost", Dec, nullable=False),
    Column("realized_pnl", Dec, nullable=False),
    Column("commission", Dec, nullable=False),
    Column("bought_qty", Dec, nullable=False),
    Column("sold_qty", Dec, nullable=False),
    Column("fill_count", Integer, nullable=False),
    Column("cost_basis", Dec, nullable=False),  # exact signed cost of the open qty; avg_cost is it / qty, rounded
    PrimaryKeyConstraint("account", "symbol"),
    positive("bought_qty", allow_zero=True), positive("sold_qty", allow_zero=True),
)

# Projections of RiskLimitsChanged events (see risk_limit_rows.py), written by the journal writer.
risk_limits = Table(
    "risk_limits", metadata,
    Column("account", String(ID), primary_key=True),  # an account id, or "default" for the firm defaults
    Column("limits", Text, nullable=False),  # JSON object: limit name -> value (null = off)
    Column("updated_by", String(200), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

risk_limit_changes = Table(
    "risk_limit_changes", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),  # the RiskLimitsChanged event's seq
    Column("account", String(ID), nullable=False),
    Column("changed_by", String(200), nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
    Column("old", Text, nullable=False),
    Column("new", Text, nullable=False),
    Index(None, "account", "id"),
)

# An API key: only the hash of its secret. accounts is a JSON list of account ids, or null for every account.
api_keys = Table(
    "api_keys", metadata,
    Column("hash", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("id", String(40), nullable=False, unique=True),
    Column("accounts", Text, nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)

# Archive tables (``ordergate db archive``): closed orders with their events and fills, moved out of the
# hot tables. Same columns, no foreign keys: the archived rows must not hold back the live ones.
events_archive = Table(
    "events_archive", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("ts", UtcDateTime, nullable=False),
    Column("account", String(ID), nullable=False),
    Column("order_id", String(ID), nullable=True),
    Column("type", String(40), nullable=False),
    Column("caused_by", String(200), nullable=False),
    Column("payload", Text, nullable=False),
    Column("archived_at", UtcDateTime, nullable=False),
    Index(None, "order_id", "seq"),
)
orders_archive = Table(
    "orders_archive", metadata, *order_columns(), Column("archived_at", UtcDateTime, nullable=False),
    Index(None, "parent_id"),
    Index(None, "account", "client_order_id"),
)
fills_archive = Table(
    "fills_archive", metadata, *fill_columns(), Column("archived_at", UtcDateTime, nullable=False),
    Index(None, "order_id", "seq"),
    Index(None, "venue", "fill_id"),
)

# Several instances on one PostgreSQL: the one row naming the engine leader and its epoch (fencing: every
# journal commit checks the epoch it was elected with), and each instance's last word (role, how far it
# has applied the journal) for ``GET /api/v1/cluster``.
cluster_leader = Table(
    "cluster_leader", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("epoch", BigInteger, nullable=False),
    Column("instance", String(200), nullable=False),
    Column("address", String(300), nullable=False),
    Column("since", UtcDateTime, nullable=True),
    CheckConstraint("id = 1", name="one_row"),
)
cluster_members = Table(
    "cluster_members", metadata,
    Column("instance", String(200), primary_key=True),
    Column("address", String(300), nullable=False),
    Column("role", String(20), nullable=False),
    Column("epoch", BigInteger, nullable=False),
    Column("applied_seq", BigInteger, nullable=False),
    Column("seen_at", UtcDateTime, nullable=False),
)

# Snapshots of the fold (the ledger and every state part) as of one journal position, written by the server
# in the background and at a clean stop; a start loads the newest valid one and replays the journal after it.
snapshots = Table(
    "snapshots", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seq", BigInteger, nullable=False),  # the last journal event the fold includes
    Column("schema_version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("checksum", String(64), nullable=False),  # sha256 of body, hex
    Column("size", BigInteger, nullable=False),
    Column("body", LargeBinary, nullable=False),
)
