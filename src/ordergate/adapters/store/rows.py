"""Domain objects to projection rows, taken at once since the objects keep changing.

Rows are tuples in the tables' column order, with values already in the form the driver takes
(``Conv``): the journal writes them with the DB-API's executemany, skipping SQLAlchemy's per-value
processing, which costs more than the database itself at group-commit rates.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson

from ordergate.adapters.store import tables as t
from ordergate.domain.account import Account
from ordergate.domain.events import OrderFilled
from ordergate.domain.order import Order
from ordergate.domain.position import Position

Row = tuple[Any, ...]


def _same(value: Any) -> Any:
    return value


def _sqlite_dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


_TS_TEXT: dict[datetime, str] = {}
_TS_TEXT_MAX = 8192


def _sqlite_ts(value: datetime | None) -> str | None:
    # The text form SQLAlchemy's SQLite DateTime reads back: UTC, no offset, microseconds. Formatting
    # costs more than a dict lookup, and a batch repeats its times (an event's ts is its order's updated_at).
    if value is None:
        return None
    text = _TS_TEXT.get(value)
    if text is not None:
        return text
    if len(_TS_TEXT) >= _TS_TEXT_MAX:
        _TS_TEXT.clear()
    text = _TS_TEXT[value] = _format_ts(value)
    return text


def _format_ts(value: datetime) -> str:
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: timestamps must carry a time zone")
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]  # drop the "+00:00"


@dataclass(frozen=True, slots=True)
class Conv:
    """How decimals and timestamps go to one database's driver.

    ``num`` converts a decimal that is never None (a builtin where it can be: a call of a Python
    function costs more than the conversion, and a batch makes about ten per order).
    """

    dec: Callable[[Decimal | None], Any]
    ts: Callable[[datetime | None], Any]
    num: Callable[[Decimal], Any]


PYTHON = Conv(_same, _same, _same)  # plain Python values, for comparisons
POSTGRES = Conv(_same, _same, _same)  # psycopg takes Decimal and aware datetimes as they are
SQLITE = Conv(_sqlite_dec, _sqlite_ts, str)


def conv_for(dialect_name: str) -> Conv:
    """Return the value conversions for a dialect."""
    return SQLITE if dialect_name == "sqlite" else POSTGRES


def _json_denials(o: Order) -> str:
    return orjson.dumps([
        {"rule": d.rule, "message": d.message, "limit": d.limit, "actual": d.actual} for d in o.denials
    ]).decode()


def order_update_row(o: Order, seq: int, c: Conv = PYTHON) -> Row:
    """Return the columns of an order's ``orders`` row that can change (``ORDER_CHANGING``), then its id.

    What an UPDATE of an order written before needs: the fixed columns are neither converted nor sent.
    Enum members give ``_value_`` (the plain attribute behind ``.value``, which is a slower descriptor).
    """
    d, n, ts = c.dec, c.num, c.ts
    # Times that are often unset are tested here rather than in a call of ``ts``.
    expire_at, accepted_at, first_fill_at, done_at = o.expire_at, o.accepted_at, o.first_fill_at, o.done_at
    return (
        n(o.qty), d(o.limit_price), d(o.stop_price), o.tif._value_, None if expire_at is None else ts(expire_at),
        o.venue, o.status._value_, n(o.filled_qty), n(o.filled_notional), n(o.commission), d(o.arrival_price),
        o.venue_order_id, o.triggered, o.expiring, o.reason, _json_denials(o) if o.denials else "[]",
        orjson.dumps(o.flags).decode() if o.flags else "[]", ts(o.updated_at),
        None if accepted_at is None else ts(accepted_at), None if first_fill_at is None else ts(first_fill_at),
        None if done_at is None else ts(done_at), seq, o.parent_id, o.id,
    )


def order_row(o: Order, seq: int, c: Conv = PYTHON) -> Row:
    """Return the ``orders`` row of an order as of journal position ``seq``."""
    u = order_update_row(o, seq, c)
    return (
        o.id, o.account, o.client_order_id, o.symbol, o.side._value_, o.type._value_, *u[:5], o.currency,
        *u[5:17], c.ts(o.created_at), *u[17:-1],
    )


def position_row(p: Position, c: Conv = PYTHON) -> Row:
    """Return the ``positions`` row of a position."""
    n = c.num
    return (
        p.account, p.symbol, p.currency, n(p.qty), n(p.avg_cost), n(p.realized_pnl), n(p.commission),
        n(p.bought_qty), n(p.sold_qty), p.fill_count, n(p.cost_basis),
    )


def account_row(a: Account, seq: int) -> Row:
    """Return the ``accounts`` row of an account."""
    return (a.id, a.margin, seq)


def balance_rows(a: Account, c: Conv = PYTHON) -> list[Row]:
    """Return the ``balances`` rows of an account, one per currency."""
    d = c.dec
    return [(a.id, cur, d(b.deposited), d(b.cash), d(b.reserved), d(b.commission)) for cur, b in a.balances.items()]


def fill_row(e: OrderFilled, c: Conv = PYTHON) -> Row:
    """Return the ``fills`` row an OrderFilled event records."""
    n, ts = c.num, c.ts
    return (
        e.seq, e.venue, e.fill_id, e.order_id, e.account, e.symbol, e.side._value_, n(e.qty), n(e.price),
        n(e.commission), e.currency, e.liquidity._value_, ts(e.ts), ts(e.venue_ts),
    )


# Columns an order never changes: updates leave them (and the indexes on them) alone.
ORDER_FIXED = frozenset({"id", "account", "client_order_id", "symbol", "side", "type", "currency", "created_at"})
ORDER_CHANGING = [c.name for c in t.orders.columns if c.name not in ORDER_FIXED]

COLUMNS: dict[str, list[str]] = {
    table.name: [col.name for col in table.columns]
    for table in (t.events, t.accounts, t.balances, t.orders, t.positions, t.fills, t.risk_limits,
                  t.risk_limit_changes)
}


def as_dict(table: str, row: Row) -> dict[str, Any]:
    """Return a row as a column name -> value dict."""
    return dict(zip(COLUMNS[table], row, strict=True))
