"""SqlEndedOrders: the orders that left the engine's memory, read back from the journal and the projections.

An order is read back by folding its family's own events again (domain/eviction.py): the journal holds
every field exactly, the projections only find which rows to read. Archived orders (``ordergate db
archive``) are found in the archive tables.
"""

from collections.abc import Collection
from typing import Any

from sqlalchemy import Engine, Select, Table, select, union_all

from ordergate.adapters.store import tables as t
from ordergate.adapters.store.codec import decode_rows
from ordergate.domain.events import Event
from ordergate.domain.ids import OrderId

_MADE = ("OrderSubmitted", "OrderDenied")  # the events that make an order a client sent


class SqlEndedOrders:
    """Read back orders, client order ids and fill owners from the database (an ``EndedSource``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def events(self, order_id: OrderId, upto_seq: int) -> list[Event]:
        """Return the events up to ``upto_seq`` of the order's family, in sequence order."""
        with self.engine.connect() as conn:
            parent = None
            for table in (t.orders, t.orders_archive):
                row = conn.execute(select(table.c.parent_id).where(table.c.id == order_id)).first()
                if row is not None:
                    parent = row.parent_id or order_id
                    break
            if parent is None:
                return []
            family = [parent, *(r.id for table in (t.orders, t.orders_archive)
                                for r in conn.execute(select(table.c.id).where(table.c.parent_id == parent)))]
            query = union_all(*(select(e.c.seq, e.c.type, e.c.payload)
                                .where(e.c.order_id.in_(family), e.c.seq <= upto_seq)
                                for e in (t.events, t.events_archive)))
            rows = sorted(conn.execute(query).all(), key=lambda r: r[0])
        return list(decode_rows((r[0], r[1], r[2]) for r in rows))

    def order_id_of(self, account: str, client_order_id: str) -> OrderId | None:
        """Return the order an account made with a client order id (its unique index), if any."""
        with self.engine.connect() as conn:
            for table in (t.orders, t.orders_archive):
                found = conn.execute(select(table.c.id).where(
                    table.c.account == account, table.c.client_order_id == client_order_id)).scalar()
                if found is not None:
                    return OrderId(found)
        return None

    def fill_owner(self, venue: str, fill_id: str) -> OrderId | None:
        """Return the order a venue's fill was booked to, if any."""
        with self.engine.connect() as conn:
            for table in (t.fills, t.fills_archive):
                found = conn.execute(select(table.c.order_id).where(
                    table.c.venue == venue, table.c.fill_id == fill_id)).scalar()
                if found is not None:
                    return OrderId(found)
        return None

    def page(
        self, before_seq: int, limit: int, statuses: Collection[str] | None = None, symbol: str | None = None,
        account: str | None = None, within: Collection[str] | None = None,
    ) -> list[tuple[int, OrderId]]:
        """Return up to ``limit`` (creation seq, id) of the orders clients sent, made before ``before_seq`` and
        matching the filters, newest first (those still in memory too: the caller skips them)."""
        found: list[tuple[int, OrderId]] = []
        with self.engine.connect() as conn:
            for events, orders in ((t.events, t.orders), (t.events_archive, t.orders_archive)):
                query = _page(events, orders, before_seq, statuses, symbol, account, within)
                found += [(r[0], OrderId(r[1])) for r in conn.execute(query.limit(limit))]
        found.sort(reverse=True)
        return found[:limit]


def _page(
    events: Table, orders: Table, before_seq: int, statuses: Collection[str] | None, symbol: str | None,
    account: str | None, within: Collection[str] | None,
) -> Select[Any]:
    query = (select(events.c.seq, orders.c.id).join(orders, orders.c.id == events.c.order_id)
             .where(events.c.type.in_(_MADE), events.c.seq < before_seq))
    if statuses is not None:
        query = query.where(orders.c.status.in_(sorted(statuses)))
    if symbol is not None:
        query = query.where(orders.c.symbol == symbol)
    if account is not None:
        query = query.where(orders.c.account == account)
    if within is not None:
        query = query.where(orders.c.account.in_(sorted(within)))
    return query.order_by(events.c.seq.desc())
