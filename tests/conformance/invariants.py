"""The invariants every kit run keeps, whatever the venue did: each check returns readable problems.

They take the engine's Ledger, its journal's events and a ``VenueTruth``, so any venue fake that can say
what it did can be checked the same way.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from ordergate.domain.events import Event, OrderFilled
from ordergate.domain.ids import AccountId, Symbol, VenueId
from ordergate.domain.ledger import Ledger
from tests.conformance.truth import VenueTruth

ZERO = Decimal(0)


def reserved_within_cash(ledger: Ledger, exempt: Iterable[AccountId] = ()) -> list[str]:
    """Check that no cash account holds back more than its cash (margin accounts and ``exempt`` ones aside)."""
    skip = set(exempt)
    return [
        f"account {account.id} {currency}: reserved {bal.reserved} exceeds cash {bal.cash}"
        for account in ledger.accounts.values() if not account.margin and account.id not in skip
        for currency, bal in account.balances.items() if bal.reserved > bal.cash
    ] + [
        f"account {account.id} {currency}: reserved {bal.reserved} is negative"
        for account in ledger.accounts.values() for currency, bal in account.balances.items() if bal.reserved < 0
    ]


def orders_match_venue(ledger: Ledger, truth: VenueTruth, venue: VenueId | None = None,
                       venue_order_ids: bool = True) -> list[str]:
    """Check that every order ends where the venue says: status, filled quantity and venue order id; with
    ``venue``, also that every order the engine routed there (and risk let through) reached it."""
    problems = []
    held = set()
    for want in truth.orders():
        held.add(want.order_id)
        order = ledger.orders.get(want.order_id)
        if order is None:
            problems.append(f"order {want.order_id}: the venue holds it, the engine does not")
            continue
        if order.status is not want.status or order.filled_qty != want.filled_qty:
            problems.append(f"order {want.order_id}: engine {order.status} filled {order.filled_qty}, "
                            f"venue {want.status} filled {want.filled_qty}")
        if venue_order_ids and want.venue_order_id is not None and order.venue_order_id != want.venue_order_id:
            problems.append(f"order {want.order_id}: venue order id {order.venue_order_id}, "
                            f"venue says {want.venue_order_id}")
    if venue is not None:
        problems += [f"order {order.id}: the engine has it {order.status} at {venue}, the venue never got it"
                     for order in ledger.orders.values()
                     if order.venue == venue and not order.denials and order.id not in held]
    return problems


def books_match_fills(ledger: Ledger, events: Iterable[Event], truth: VenueTruth) -> list[str]:
    """Check positions and cash against the fills the journal applied and the fills the venue made."""
    applied = [e for e in events if isinstance(e, OrderFilled)]
    problems = _positions_equal(ledger, _net(((e.account, e.symbol), e.side.sign * e.qty) for e in applied),
                                "the journal's fills")
    problems += _positions_equal(ledger, _net(((x.account, x.symbol), x.side.sign * x.qty)
                                              for x in truth.executions()), "the venue's fills")
    problems += _cash_equal(ledger, _net(((e.account, e.currency), -e.side.sign * e.qty * e.price - e.commission)
                                         for e in applied), "the journal's fills")
    venue_flows = _net(((x.account, ledger.orders[x.order_id].currency), -x.side.sign * x.qty * x.price - x.commission)
                       for x in truth.executions() if x.order_id in ledger.orders)
    problems += _cash_equal(ledger, venue_flows, "the venue's fills")
    for order in ledger.orders.values():
        held = ledger.accounts[order.account].reservations.get(order.id)
        if held is not None and order.status.is_terminal:
            problems.append(f"order {order.id} is {order.status} but still holds {held.amount} {held.currency}")
    return problems


def same_state(live: Ledger, rebuilt: Ledger) -> list[str]:
    """Check that a ledger rebuilt from the journal equals the live one: orders, positions, balances."""
    problems = []
    for order_id in live.orders.keys() | rebuilt.orders.keys():
        a, b = live.orders.get(order_id), rebuilt.orders.get(order_id)
        if a is None or b is None:
            problems.append(f"order {order_id}: {'only rebuilt' if a is None else 'not rebuilt'}")
        elif _order_key(a) != _order_key(b):
            problems.append(f"order {order_id}: live {_order_key(a)}, rebuilt {_order_key(b)}")
    for key in live.positions.keys() | rebuilt.positions.keys():
        pa, pb = live.positions.get(key), rebuilt.positions.get(key)
        ka = None if pa is None else (pa.qty, pa.avg_cost, pa.realized_pnl, pa.commission)
        kb = None if pb is None else (pb.qty, pb.avg_cost, pb.realized_pnl, pb.commission)
        if ka != kb:
            problems.append(f"position {key}: live {ka}, rebuilt {kb}")
    for account_id in live.accounts.keys() | rebuilt.accounts.keys():
        aa, ab = live.accounts.get(account_id), rebuilt.accounts.get(account_id)
        ba = None if aa is None else {c: (b.deposited, b.cash, b.reserved) for c, b in aa.balances.items()}
        bb = None if ab is None else {c: (b.deposited, b.cash, b.reserved) for c, b in ab.balances.items()}
        if ba != bb:
            problems.append(f"account {account_id}: live {ba}, rebuilt {bb}")
    if live.trading_states != rebuilt.trading_states:
        problems.append(f"trading states: live {live.trading_states}, rebuilt {rebuilt.trading_states}")
    return problems


def _order_key(o: object) -> tuple[object, ...]:
    return tuple(getattr(o, name) for name in (
        "status", "qty", "filled_qty", "filled_notional", "commission", "limit_price", "venue_order_id",
        "pending_replace", "reason",
    ))


def _net(items: Iterable[tuple[tuple[AccountId, str], Decimal]]) -> dict[tuple[AccountId, str], Decimal]:
    sums: dict[tuple[AccountId, str], Decimal] = defaultdict(Decimal)
    for key, amount in items:
        sums[key] += amount
    return sums


def _positions_equal(ledger: Ledger, want: dict[tuple[AccountId, str], Decimal], source: str) -> list[str]:
    problems = []
    for key in want.keys() | ledger.positions.keys():
        pos = ledger.positions.get((key[0], Symbol(key[1])))
        have = ZERO if pos is None else pos.qty
        if have != want.get(key, ZERO):
            problems.append(f"position {key[0]}/{key[1]}: {have}, but {source} sum to {want.get(key, ZERO)}")
    return problems


def _cash_equal(ledger: Ledger, flows: dict[tuple[AccountId, str], Decimal], source: str) -> list[str]:
    problems = []
    for account in ledger.accounts.values():
        for currency, bal in account.balances.items():
            want = bal.deposited + flows.get((account.id, currency), ZERO)
            if bal.cash != want:
                problems.append(f"cash {account.id}/{currency}: {bal.cash}, but deposits and {source} give {want}")
    return problems
