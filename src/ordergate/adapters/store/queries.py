"""SqlReadModel: the API's reads from the projections and the journal, as JSON-ready dicts."""

from collections.abc import Collection
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Row, Select, select

from ordergate.adapters.store import tables as t
from ordergate.adapters.store.codec import payload_fields
from ordergate.adapters.store.cursor import decode_cursor, encode_cursor
from ordergate.domain.errors import ValidationFailed
from ordergate.service.ports import Clock

MAX_LIMIT = 1000
_BPS = Decimal(10_000)
_CENT_BP = Decimal("0.01")


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def check_limit(limit: int) -> int:
    """Return ``limit`` if it is a page size this API allows, else raise naming the field."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed("limit", "range", f"must be an integer from 1 to {MAX_LIMIT}, got {limit!r}")
    return limit


def slippage(side: str, price: Decimal, arrival: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    """Return (slippage per unit, in basis points) against the arrival price; positive = worse for the trader."""
    if arrival is None or arrival <= 0:
        return None, None
    per_unit = (price - arrival) if side == "buy" else (arrival - price)
    return per_unit, (per_unit / arrival * _BPS).quantize(_CENT_BP)


def fill_dict(row: Row[Any]) -> dict[str, Any]:
    """Return the public view of a fill row joined with its order's arrival price."""
    slip, slip_bps = slippage(row.side, row.price, row.arrival_price)
    return {
        "fill_id": row.fill_id, "order_id": row.order_id, "account": row.account, "symbol": row.symbol,
        "side": row.side, "qty": _dec(row.qty), "price": _dec(row.price), "commission": _dec(row.commission),
        "currency": row.currency, "liquidity": row.liquidity, "venue": row.venue, "ts": _ts(row.ts),
        "venue_ts": _ts(row.venue_ts), "arrival_price": _dec(row.arrival_price), "slippage": _dec(slip),
        "slippage_bps": _dec(slip_bps),
    }


def event_dict(row: Row[Any]) -> dict[str, Any]:
    """Return the public view of a journal row: type, time, cause and the event's own fields."""
    return {
        "seq": row.seq, "ts": _ts(row.ts), "type": row.type, "account": row.account, "order_id": row.order_id,
        "caused_by": row.caused_by, "payload": payload_fields(row.payload),
    }


def _fills_query(fills: Any, orders: Any) -> Select[Any]:
    return select(fills, orders.c.arrival_price).join(orders, orders.c.id == fills.c.order_id, isouter=True)


class SqlReadModel:
    """Queries the API serves from the database (never from the engine's memory)."""

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine = engine
        self._clock = clock

    def ping(self) -> bool:
        """Return whether the database answers."""
        try:
            with self.engine.connect() as conn:
                conn.execute(select(1))
        except Exception:
            return False
        return True

    def order_fills(self, order_id: str) -> list[dict[str, Any]]:
        """Return one order's fills, oldest first, with slippage against its arrival price."""
        with self.engine.connect() as conn:
            rows = conn.execute(_fills_query(t.fills, t.orders).where(t.fills.c.order_id == order_id)
                                .order_by(t.fills.c.seq)).all()
            if not rows:  # maybe the order was archived
                rows = conn.execute(
                    _fills_query(t.fills_archive, t.orders_archive)
                    .where(t.fills_archive.c.order_id == order_id).order_by(t.fills_archive.c.seq)
                ).all()
        return [fill_dict(r) for r in rows]

    def list_fills(
        self, account: str | None = None, symbol: str | None = None, limit: int = 100, cursor: str | None = None,
        within: Collection[str] | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Return fills newest first, filtered by account and symbol, and the cursor of the next page.

        ``within`` keeps only the fills of those accounts (a key's scope; None: every account).
        """
        limit = check_limit(limit)
        query = _fills_query(t.fills, t.orders)
        if within is not None:
            query = query.where(t.fills.c.account.in_(sorted(within)))
        if account is not None:
            query = query.where(t.fills.c.account == account)
        if symbol is not None:
            query = query.where(t.fills.c.symbol == symbol)
        if cursor is not None:
            query = query.where(t.fills.c.seq < decode_cursor(cursor))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(t.fills.c.seq.desc()).limit(limit + 1)).all()
        page = rows[:limit]
        return [fill_dict(r) for r in page], encode_cursor(page[-1].seq) if len(rows) > limit else None

    def order_events(self, order_id: str) -> list[dict[str, Any]]:
        """Return one order's journal, in sequence order (from the archive if it was archived)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.events).where(t.events.c.order_id == order_id)
                                .order_by(t.events.c.seq)).all()
            if not rows:
                rows = conn.execute(select(t.events_archive).where(t.events_archive.c.order_id == order_id)
                                    .order_by(t.events_archive.c.seq)).all()
        return [event_dict(r) for r in rows]

    def audit(
        self, account: str | None = None, since: datetime | None = None, limit: int = 100,
        cursor: str | None = None, within: Collection[str] | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Return journal events in sequence order, from ``since`` (UTC if naive), and the next page's cursor.

        ``within`` keeps only the events of those accounts (a key's scope; None: every account and the firm).
        """
        limit = check_limit(limit)
        query = select(t.events)
        if within is not None:
            query = query.where(t.events.c.account.in_(sorted(within)))
        if account is not None:
            query = query.where(t.events.c.account == account)
        if since is not None:
            if not isinstance(since, datetime):
                raise ValidationFailed("since", "datetime", f"must be an ISO 8601 time, got {since!r}")
            query = query.where(t.events.c.ts >= (since if since.tzinfo else since.replace(tzinfo=UTC)))
        if cursor is not None:
            query = query.where(t.events.c.seq > decode_cursor(cursor))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(t.events.c.seq).limit(limit + 1)).all()
        page = rows[:limit]
        return [event_dict(r) for r in page], encode_cursor(page[-1].seq) if len(rows) > limit else None
