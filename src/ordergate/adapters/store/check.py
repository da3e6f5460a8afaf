"""Invariants of the stored data, checked by ``ordergate db check``.

- every position's quantity and commission equal the sum of its fills, and its realized P&L equals its fills'
  cash flow (sell proceeds minus buy costs) plus the cost basis still open;
- every balance's cash equals what was deposited, minus buys, plus sells, minus commissions;
- no order has more filled than its quantity, and every order's filled quantity equals its fills (a parent
  order's: its children's fills);
- no fill is recorded twice;
- the projections (risk_limits and risk_limit_changes too) equal the fold of the journal;
- the newest snapshot, with the journal after it, gives the fold a full replay gives (when ``build`` is given).
Archived orders and fills count: positions and cash include them.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import CompoundSelect, Engine, Row, Table, select, union_all

from ordergate.adapters.store import tables as t
from ordergate.adapters.store.rebuild import differences, expected, stored
from ordergate.adapters.store.snapshot_check import check_snapshot
from ordergate.domain.ledger import Ledger

ZERO = Decimal(0)


@dataclass
class FillSums:
    """What the fills add up to, per position, per balance and per order."""

    qty: dict[tuple[str, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    commission: dict[tuple[str, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    flow: dict[tuple[str, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    cash: dict[tuple[str, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    filled: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))


def _both(live: Table, archived: Table, *names: str) -> CompoundSelect[Any]:
    return union_all(select(*(live.c[n] for n in names)), select(*(archived.c[n] for n in names)))


def check(engine: Engine, build: Callable[[], Ledger] | None = None) -> list[str]:
    """Return every broken invariant, readably (empty when all hold).

    ``build`` makes a fresh ledger wired as the server's (every state part): with it, the newest snapshot is
    verified against a full replay too.
    """
    with engine.connect() as conn:
        fills = conn.execute(_both(t.fills, t.fills_archive, "venue", "fill_id", "order_id", "account", "symbol",
                                   "side", "qty", "price", "commission", "currency")).all()
        positions = conn.execute(select(t.positions)).all()
        balances = conn.execute(select(t.balances)).all()
        orders = conn.execute(_both(t.orders, t.orders_archive, "id", "qty", "filled_qty", "parent_id")).all()
    problems: list[str] = []
    sums = _sum_fills(fills, problems)
    problems += _check_positions(positions, sums)
    problems += _check_balances(balances, sums)
    problems += _check_orders(orders, sums)
    problems += [f"projection differs from the journal: {d}" for d in differences(expected(engine), stored(engine))]
    if build is not None:
        problems += check_snapshot(engine, build)
    return problems


def _sum_fills(fills: Sequence[Row[Any]], problems: list[str]) -> FillSums:
    sums, seen = FillSums(), set()
    for f in fills:
        if (f.venue, f.fill_id) in seen:
            problems.append(f"fill {f.venue}/{f.fill_id} is recorded twice")
        seen.add((f.venue, f.fill_id))
        sign = 1 if f.side == "buy" else -1
        sums.qty[(f.account, f.symbol)] += sign * f.qty
        sums.commission[(f.account, f.symbol)] += f.commission
        sums.flow[(f.account, f.symbol)] -= sign * f.qty * f.price
        sums.cash[(f.account, f.currency)] -= sign * f.qty * f.price + f.commission
        sums.filled[f.order_id] += f.qty
    return sums


def _check_positions(positions: Sequence[Row[Any]], sums: FillSums) -> list[str]:
    problems = []
    for p in positions:
        key, name = (p.account, p.symbol), f"position {p.account}/{p.symbol}"
        if p.qty != sums.qty.get(key, ZERO):
            problems.append(f"{name}: qty {p.qty} but its fills sum to {sums.qty.get(key, ZERO)}")
        if p.commission != sums.commission.get(key, ZERO):
            problems.append(f"{name}: commission {p.commission} but its fills' sum to {sums.commission.get(key, ZERO)}")
        if p.realized_pnl != sums.flow.get(key, ZERO) + p.cost_basis:
            problems.append(f"{name}: realized P&L {p.realized_pnl} but its fills' cash flow plus its open cost basis "
                            f"give {sums.flow.get(key, ZERO) + p.cost_basis}")
    for account, symbol in sums.qty.keys() - {(p.account, p.symbol) for p in positions}:
        problems.append(f"position {account}/{symbol}: missing, though it has fills")
    return problems


def _check_balances(balances: Sequence[Row[Any]], sums: FillSums) -> list[str]:
    problems = []
    for b in balances:
        want = b.deposited + sums.cash.get((b.account, b.currency), ZERO)
        if b.cash != want:
            problems.append(f"balance {b.account}/{b.currency}: cash {b.cash} but deposits and fills give {want}")
    return problems


def _check_orders(orders: Sequence[Row[Any]], sums: FillSums) -> list[str]:
    problems = []
    for o in orders:  # a child's fills are its parent's too
        if o.parent_id is not None:
            sums.filled[o.parent_id] += sums.filled.get(o.id, ZERO)
    for o in orders:
        if o.filled_qty > o.qty:
            problems.append(f"order {o.id}: filled {o.filled_qty} above its qty {o.qty}")
        total = sums.filled.get(o.id, ZERO)
        if o.filled_qty != total:
            problems.append(f"order {o.id}: filled_qty {o.filled_qty} but its fills sum to {total}")
    return problems
