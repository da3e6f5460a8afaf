"""Rebuild the projections (orders, fills, positions, accounts, balances, risk limits) from the journal.

The journal is the truth: folding it through the domain Ledger gives every projection row as it
must be. ``differences`` compares that with what is stored; ``rebuild`` rewrites the stored rows.
Archived orders (and their fills) stay in the archive tables and are left out of the comparison.
Risk usage and the kill switch's flattens have no stored projection: ``rebuild`` replays them, as the
server does at every start, and reports them.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, select

from ordergate.adapters.store import tables as t
from ordergate.adapters.store.journal import SqlJournal
from ordergate.adapters.store.risk_limit_rows import LimitFold
from ordergate.adapters.store.rows import (
    Row,
    account_row,
    as_dict,
    balance_rows,
    fill_row,
    order_row,
    position_row,
)
from ordergate.adapters.store.usage_summary import UsageSummary, summarize
from ordergate.domain.events import OrderFilled, RiskLimitsChanged
from ordergate.domain.ids import AccountId, Symbol
from ordergate.domain.ledger import Ledger
from ordergate.domain.risk.limits import LimitBook, RiskLimits
from ordergate.domain.risk.usage import RiskUsage
from ordergate.domain.risk.usage_state import TradingDay

IGNORED = frozenset({"updated_seq"})  # where the writer was in the journal, not state
Key = tuple[Any, ...]


@dataclass
class Projection:
    """Every projection row by table, then by primary key."""

    tables: dict[str, dict[Key, dict[str, Any]]] = field(default_factory=dict)

    def add(self, table: Table, rows: Iterable[Row]) -> None:
        """Add rows (in the table's column order) under their primary keys."""
        keys = [c.name for c in table.primary_key.columns]
        target = self.tables.setdefault(table.name, {})
        for row in rows:
            values = as_dict(table.name, row)
            target[tuple(values[k] for k in keys)] = values


# parents first, for the foreign keys
PROJECTED = (t.accounts, t.balances, t.orders, t.positions, t.fills, t.risk_limits, t.risk_limit_changes)


@dataclass(frozen=True)
class RiskSetup:
    """What the server's risk usage starts from besides the journal: the firm's limits and the trading day."""

    defaults: RiskLimits | None = None
    day: TradingDay | None = None


@dataclass
class Folded:
    """The journal's fold: the ledger, the live (unarchived) fills, the limit rows and, if asked, risk usage."""

    ledger: Ledger
    fills: list[OrderFilled]
    limits: LimitFold
    usage: RiskUsage | None


def fold(engine: Engine, risk: RiskSetup | None = None) -> Folded:
    """Replay the whole journal into a fresh Ledger, as the server does at start.

    With ``risk``, RiskUsage listens to the replay as it does in the server, and is returned rebuilt.
    """
    ledger, fills, limits = Ledger(), [], LimitFold()
    usage = None if risk is None else RiskUsage(ledger, LimitBook(risk.defaults), risk.day)
    ledger.subscribe(lambda event, order: fills.append(event), (OrderFilled,))
    ledger.subscribe(limits.apply, (RiskLimitsChanged,))
    ledger.replay(SqlJournal(engine).read_events())
    with engine.connect() as conn:
        archived = {row.seq for row in conn.execute(select(t.fills_archive.c.seq))}
    return Folded(ledger, [e for e in fills if e.seq not in archived], limits, usage)


def expected(engine: Engine, folded: Folded | None = None) -> Projection:
    """Return the projections as the journal (or its ``folded`` replay) says they must be."""
    folded = folded or fold(engine)
    ledger = folded.ledger
    with engine.connect() as conn:
        archived = {row.id for row in conn.execute(select(t.orders_archive.c.id))}
    last = ledger.last_seq
    proj = Projection()
    proj.add(t.accounts, (account_row(a, last) for a in ledger.accounts.values()))
    proj.add(t.balances, (b for a in ledger.accounts.values() for b in balance_rows(a)))
    proj.add(t.orders, (order_row(o, last) for o in ledger.orders.values() if o.id not in archived))
    proj.add(t.positions, (position_row(p) for p in ledger.positions.values()))
    proj.add(t.fills, (fill_row(e) for e in folded.fills))
    proj.add(t.risk_limits, folded.limits.limits_rows())
    proj.add(t.risk_limit_changes, folded.limits.change_rows())
    return proj


def stored(engine: Engine) -> Projection:
    """Return the projections as they are in the database."""
    proj = Projection()
    with engine.connect() as conn:
        for table in PROJECTED:
            proj.add(table, (tuple(r) for r in conn.execute(select(table))))
    return proj


def differences(want: Projection, have: Projection, limit: int = 50) -> list[str]:
    """Return readable differences between two projections (at most ``limit``, then a count)."""
    found: list[str] = []
    for table in PROJECTED:
        w, h = want.tables.get(table.name, {}), have.tables.get(table.name, {})
        for key in sorted(w.keys() | h.keys(), key=str):
            if key not in h:
                found.append(f"{table.name} {_key(key)}: missing (the journal has it)")
            elif key not in w:
                found.append(f"{table.name} {_key(key)}: stored but not in the journal")
            else:
                for column, value in w[key].items():
                    if column not in IGNORED and h[key][column] != value:
                        found.append(f"{table.name} {_key(key)}: {column} is {h[key][column]!r}, "
                                     f"journal says {value!r}")
    if len(found) > limit:
        return [*found[:limit], f"... and {len(found) - limit} more"]
    return found


def _key(key: Key) -> str:
    return "/".join(str(k) for k in key)


@dataclass
class Rebuilt:
    """What a rebuild found: the differences from the stored projections, each account's risk usage and the
    flattens under way or given up on (what a server starting now carries on with)."""

    differences: list[str]
    usage: list[UsageSummary]
    flattening: list[dict[str, Any]] = field(default_factory=list)


def flattens(ledger: Ledger) -> list[dict[str, Any]]:
    """Return each flatten the journal leaves under way (``working``: an order out or a retry due) or given up
    on (``incomplete``), with the position still held and the orders sent."""
    found = []
    book = ledger.flattening
    for (account, symbol), state in sorted(book.working.items()):
        found.append({"account": account, "symbol": symbol, "state": "working", "orders_sent": state.sent,
                      "remaining": _held(ledger, account, symbol)})
    for (account, symbol), event in sorted(book.incomplete.items()):
        found.append({"account": account, "symbol": symbol, "state": "incomplete", "orders_sent": event.attempts,
                      "remaining": _held(ledger, account, symbol)})
    return found


def _held(ledger: Ledger, account: AccountId, symbol: Symbol) -> str:
    position = ledger.positions.get((account, symbol))
    return format(position.qty if position is not None else 0, "f")


def rebuild(engine: Engine, write: bool = True, risk: RiskSetup | None = None) -> Rebuilt:
    """Compare the stored projections with the journal's fold; rewrite them unless ``write`` is False.

    Return the differences found before rewriting, and the risk usage the replay rebuilt (from ``risk``,
    the server's limits and trading day). Stop the server first: its writes would race.
    """
    folded = fold(engine, risk or RiskSetup())
    want = expected(engine, folded)
    found = differences(want, stored(engine))
    if write and found:
        with engine.begin() as conn:
            _rewrite(conn, want)
    assert folded.usage is not None
    return Rebuilt(found, summarize(folded.ledger.accounts, folded.usage), flattens(folded.ledger))


def _rewrite(conn: Connection, want: Projection) -> None:
    for table in reversed(PROJECTED):  # children first, for the foreign keys
        conn.execute(delete(table))
    for table in PROJECTED:
        rows = list(want.tables.get(table.name, {}).values())
        if rows:
            conn.execute(table.insert(), rows)
