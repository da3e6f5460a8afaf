"""SqlJournal: the event journal and its projections, written in one transaction per group commit."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, Executable, Table, func, literal_column, select, union_all

from ordergate.adapters.store import pg_writer
from ordergate.adapters.store import risk_limit_rows as limit_rows
from ordergate.adapters.store import tables as t
from ordergate.adapters.store.codec import decode_event, decode_rows, event_row
from ordergate.adapters.store.leadership import check_epoch
from ordergate.adapters.store.rows import (
    ORDER_CHANGING,
    Row,
    account_row,
    balance_rows,
    conv_for,
    fill_row,
    order_row,
    order_update_row,
    position_row,
)
from ordergate.domain.events import (
    ChildOrderRouted,
    Event,
    OrderDenied,
    OrderFilled,
    OrderSubmitted,
    RiskLimitsChanged,
)
from ordergate.service.ports import CommitBatch

READ_CHUNK = 5000
# The events that create an order row (exact types: these scans run for every event of the hot path).
_CREATES_ORDER = frozenset({OrderSubmitted, OrderDenied, ChildOrderRouted})


@dataclass(slots=True)
class PreparedRows:
    """One batch as driver-ready row tuples, in the tables' column order."""

    events: list[Row] = field(default_factory=list)
    accounts: list[Row] = field(default_factory=list)
    balances: list[Row] = field(default_factory=list)
    orders: list[Row] = field(default_factory=list)  # orders created in this batch
    order_updates: list[Row] = field(default_factory=list)  # older ones: ``order_update_row`` (id last)
    positions: list[Row] = field(default_factory=list)
    fills: list[Row] = field(default_factory=list)
    limits: limit_rows.LimitRows | None = None  # only when the batch changed risk limits (rare)


def order_update_sql(placeholder: str) -> str:
    """Return the UPDATE of an order's changing columns, by id (its parameters: ``order_update_row``)."""
    sets = ", ".join(f'"{n}" = {placeholder}' for n in ORDER_CHANGING)
    return f'UPDATE orders SET {sets} WHERE "id" = {placeholder}'


def insert_sql(table: Table, placeholder: str, upsert: bool = False) -> str:
    """Return plain INSERT (or, with ``upsert``, INSERT ... ON CONFLICT DO UPDATE) SQL for DB-API executemany.

    The syntax is the same on SQLite (3.24+) and PostgreSQL; only the placeholder differs. An upsert
    updates every column but the key and ``fixed``.
    """
    names = [c.name for c in table.columns]
    quoted = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join([placeholder] * len(names))
    sql = f"INSERT INTO {table.name} ({quoted}) VALUES ({marks})"
    if upsert:
        keys = [c.name for c in table.primary_key.columns]
        sets = ", ".join(f'"{n}" = excluded."{n}"' for n in names if n not in keys)
        conflict = ", ".join(f'"{k}"' for k in keys)
        sql += f" ON CONFLICT ({conflict}) DO UPDATE SET {sets}"
    return sql


class SqlJournal:
    """The Journal port on SQLite or PostgreSQL: append events, upsert projections, replay.

    The projections: orders, fills, positions, accounts and balances from every batch; risk_limits and
    risk_limit_changes only from the batches that hold a RiskLimitsChanged event.

    ``epoch``: set when this instance leads a cluster; every commit then checks, in its own transaction,
    that it is still the leader epoch, and raises Fenced (writing nothing) when another leader took over.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.epoch: int | None = None
        self._conv = conv_for(engine.dialect.name)
        self._postgres = engine.dialect.name == "postgresql"
        mark = "%s" if self._postgres else "?"
        # Parents before children, for the foreign keys.
        self._inserts = [
            ("events", insert_sql(t.events, mark)),
            ("accounts", insert_sql(t.accounts, mark, upsert=True)),
            ("balances", insert_sql(t.balances, mark, upsert=True)),
            ("orders", insert_sql(t.orders, mark, upsert=self._postgres)),
            ("positions", insert_sql(t.positions, mark, upsert=True)),
            ("fills", insert_sql(t.fills, mark)),
        ]
        self._update_order = order_update_sql(mark)
        self._upsert_limits = insert_sql(t.risk_limits, mark, upsert=True)
        self._insert_limit_change = insert_sql(t.risk_limit_changes, mark)
        self._pg_events = pg_writer.insert_sql(t.events)
        self._pg_orders = pg_writer.insert_sql(t.orders)
        self._pg_update_orders = pg_writer.update_orders_sql(t.orders)
        self._pg_fills = pg_writer.insert_sql(t.fills)

    def last_seq(self) -> int:
        """Return the highest event sequence number written, archived events included (0 when empty)."""
        with self.engine.connect() as conn:
            live = conn.execute(select(func.max(t.events.c.seq))).scalar()
            archived = conn.execute(select(func.max(t.events_archive.c.seq))).scalar()
        return max(live or 0, archived or 0)

    def prepare(self, batch: CommitBatch) -> PreparedRows:
        """Turn the batch into rows now, on the engine's thread, before the objects change again."""
        c = self._conv
        seq = batch.events[-1].seq if batch.events else 0
        created = {e.order_id for e in batch.events if type(e) in _CREATES_ORDER}  # type: ignore[attr-defined]
        rows = PreparedRows(
            events=[event_row(e, c.ts) for e in batch.events],
            accounts=[account_row(a, seq) for a in batch.accounts],
            balances=[b for a in batch.accounts for b in balance_rows(a, c)],
            positions=[position_row(p, c) for p in batch.positions],
            fills=[fill_row(e, c) for e in batch.events if type(e) is OrderFilled],
        )
        for order in batch.orders:
            if order.id in created:
                rows.orders.append(order_row(order, seq, c))
            else:
                rows.order_updates.append(order_update_row(order, seq, c))
        # ``type(e) is`` rather than isinstance: this scan runs for every event of the hot path
        limit_changes = [e for e in batch.events if type(e) is RiskLimitsChanged]
        if limit_changes:
            rows.limits = limit_rows.prepare(limit_changes, c.ts)
        return rows

    def commit(self, prepared: PreparedRows) -> None:
        """Write the batch in one transaction; durable when this returns."""
        with self.engine.begin() as conn:
            if self.epoch is not None:
                check_epoch(conn, self.epoch)
            if self._postgres:
                self._commit_postgres(conn, prepared)
            else:
                self._commit_sqlite(conn, prepared)
            if prepared.limits is not None:
                self._write_limits(conn, prepared.limits)

    def _commit_sqlite(self, conn: Connection, prepared: PreparedRows) -> None:
        # SQLite's executemany runs in C; an UPDATE of the changing columns beats an upsert.
        for name, sql in self._inserts:
            rows = getattr(prepared, name)
            if rows:
                conn.exec_driver_sql(sql, rows)
            if name == "orders" and prepared.order_updates:
                conn.exec_driver_sql(self._update_order, prepared.order_updates)

    def _write_limits(self, conn: Connection, limits: limit_rows.LimitRows) -> None:
        """Record the limit changes and upsert each changed account's limits row (merged onto the stored one)."""
        stored = limit_rows.stored_limits(conn, limits.accounts())
        conn.exec_driver_sql(self._upsert_limits, limits.limits_rows(stored))
        conn.exec_driver_sql(self._insert_limit_change, limits.changes)

    def _commit_postgres(self, conn: Connection, prepared: PreparedRows) -> None:
        # One pipeline, one statement per table: appends and the order updates as column arrays, the few
        # accounts, balances and positions upserted row by row.
        with pg_writer.pipelined(conn) as writer:
            writer.arrays(self._pg_events, prepared.events)
            writer.each(self._inserts[1][1], prepared.accounts)
            writer.each(self._inserts[2][1], prepared.balances)
            writer.arrays(self._pg_orders, prepared.orders)
            writer.arrays(self._pg_update_orders, prepared.order_updates)
            writer.each(self._inserts[4][1], prepared.positions)
            writer.arrays(self._pg_fills, prepared.fills)

    def read_events(self, after_seq: int = 0) -> Iterator[Event]:
        """Yield every event after ``after_seq`` in sequence order, archived ones included."""
        live = select(t.events.c.seq, t.events.c.type, t.events.c.payload).where(t.events.c.seq > after_seq)
        with self.engine.connect() as conn:
            has_archive = conn.execute(
                select(t.events_archive.c.seq).where(t.events_archive.c.seq > after_seq).limit(1)
            ).first() is not None
            if not has_archive and not self._postgres:
                yield from _read_sqlite(conn, after_seq)
                return
            query: Executable = live.order_by(t.events.c.seq)
            if has_archive:
                archived = select(t.events_archive.c.seq, t.events_archive.c.type, t.events_archive.c.payload)
                query = union_all(live, archived.where(t.events_archive.c.seq > after_seq)).order_by(
                    literal_column("seq"))
            result = conn.execution_options(yield_per=READ_CHUNK).execute(query)
            for seq, type_name, payload in result:
                yield decode_event(type_name, payload, seq)


def _read_sqlite(conn: Connection, after_seq: int) -> Iterator[Event]:
    """Yield the live events straight from the sqlite3 cursor: a restart reads millions of rows, and
    SQLAlchemy's per-row result processing would cost about as much as decoding them."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute("SELECT seq, type, payload FROM events WHERE seq > ? ORDER BY seq", (after_seq,))
        while rows := cursor.fetchmany(READ_CHUNK):
            yield from decode_rows(rows)
    finally:
        cursor.close()
