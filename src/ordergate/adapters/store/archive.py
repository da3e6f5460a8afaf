"""Retention: move closed orders, with their events and fills, to the archive tables.

An order is archived when it is terminal (filled, canceled, rejected, expired) and was done before
the cut-off. Its rows leave ``orders``, ``events`` and ``fills`` for ``orders_archive``,
``events_archive`` and ``fills_archive`` in one transaction. Positions and balances are not touched,
and replay still reads the archived events, so restart and ``db rebuild`` give the same state.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, Select, delete, func, insert, literal, select

from ordergate.adapters.store import tables as t
from ordergate.domain.enums import OrderStatus

TERMINAL = [s.value for s in OrderStatus if s.is_terminal]


@dataclass(frozen=True)
class ArchiveResult:
    """How many rows moved."""

    orders: int
    events: int
    fills: int


def _closed_before(before: datetime) -> Select[tuple[str]]:
    return select(t.orders.c.id).where(t.orders.c.status.in_(TERMINAL), t.orders.c.done_at < before)


def archive(engine: Engine, before: datetime, now: datetime) -> ArchiveResult:
    """Move orders done before ``before`` (and their events and fills) to the archive tables."""
    if before.tzinfo is None:
        raise ValueError("before: needs a time zone")
    ids = _closed_before(before).scalar_subquery()
    stamp = literal(now, t.events_archive.c.archived_at.type)
    with engine.begin() as conn:
        counts = [
            int(conn.execute(select(func.count()).select_from(table).where(column.in_(ids))).scalar_one())
            for table, column in ((t.orders, t.orders.c.id), (t.events, t.events.c.order_id),
                                  (t.fills, t.fills.c.order_id))
        ]
        if counts[0] == 0:
            return ArchiveResult(0, 0, 0)
        for live, store, column in ((t.events, t.events_archive, t.events.c.order_id),
                                    (t.fills, t.fills_archive, t.fills.c.order_id),
                                    (t.orders, t.orders_archive, t.orders.c.id)):
            names = [c.name for c in live.columns]
            conn.execute(insert(store).from_select(
                [*names, "archived_at"], select(*live.columns, stamp).where(column.in_(ids))))
        # Children first (fills point at orders); the order ids are read before their rows go.
        for table, column in ((t.events, t.events.c.order_id), (t.fills, t.fills.c.order_id)):
            conn.execute(delete(table).where(column.in_(ids)))
        conn.execute(delete(t.orders).where(t.orders.c.id.in_(ids)))
    return ArchiveResult(*counts)
