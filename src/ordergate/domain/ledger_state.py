"""The ledger's own state as plain values, for snapshots: orders, accounts, positions, trading states, fills.

``ledger_state`` takes a copy that shares nothing mutable with the ledger (orders as tuples of their fields,
in creation order); ``restore_ledger`` rebuilds a fresh ledger from one, with every index the ledger keeps
(by client order id, open orders, open orders by symbol) made again from the orders.
"""

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any

from ordergate.domain.account import Account, Balance, Reservation
from ordergate.domain.ended import EndedState
from ordergate.domain.enums import OrderStatus, OrderType, Side, TimeInForce, TradingState
from ordergate.domain.events import Denial, FlattenIncomplete
from ordergate.domain.flattening import Flattening
from ordergate.domain.ids import AccountId, FillId, OrderId, Symbol, VenueId
from ordergate.domain.ledger import Ledger
from ordergate.domain.order import SMALL_FILL_IDS, Order, ReplaceTerms
from ordergate.domain.position import Position

ZERO = Decimal(0)
ORDER_FIELDS = tuple(f.name for f in fields(Order))
_order_values = attrgetter(*ORDER_FIELDS)

# One order's fields in ``ORDER_FIELDS`` order; collections as lists, the pending replace as a dataclass.
OrderValues = tuple[
    str, str, str, str, Side, OrderType, Decimal, Decimal | None, Decimal | None, TimeInForce, datetime | None,
    str, str, datetime, datetime, OrderStatus, Decimal, Decimal, Decimal, Decimal | None, str | None, bool, bool,
    str, list[Denial], list[str], list[str], ReplaceTerms | None, datetime | None, Decimal, int, int, bool,
    datetime | None, datetime | None, bool, str | None, list[str],
]


@dataclass(slots=True)
class AccountValues:
    """One account, its balances and its reservations."""

    id: str
    margin: bool
    name: str
    venues: list[str]
    closed: bool
    balances: dict[str, Balance]
    reservations: dict[str, Reservation]


@dataclass(slots=True)
class LedgerState:
    """Everything the ledger folds, as plain values."""

    last_seq: int
    orders: list[OrderValues]
    accounts: list[AccountValues]
    positions: list[Position]
    trading_states: dict[str, TradingState]
    fill_owners: list[tuple[str, str, str]]  # venue, fill id, order id
    flattening: list[tuple[str, str, Flattening]]  # account, symbol, the kill-switch flatten under way
    flattens_incomplete: list[tuple[str, str, FlattenIncomplete]]
    order_seqs: list[int]  # the seq of the event that made each order (0 for a child), as ``orders``
    ended: EndedState  # what is known of the orders that left memory


def ledger_state(ledger: Ledger) -> LedgerState:
    """Return a copy of the ledger's state that shares nothing mutable with it (the orders in memory only)."""
    made = {order.id: seq for order, seq in zip(ledger.order_list, ledger.order_seqs, strict=True)}
    return LedgerState(
        last_seq=ledger.last_seq,
        # every order (children too), in the order the ledger made them; tuples of immutable values
        orders=[_order_copy(_order_values(o)) for o in ledger.orders.values()],
        accounts=[_account_copy(a) for a in ledger.accounts.values()],
        positions=[replace(p) for p in ledger.positions.values()],
        trading_states={str(k): v for k, v in ledger.trading_states.items()},
        fill_owners=[(venue, fill, order) for (venue, fill), order in ledger.fill_owners.items()],
        flattening=[(a, s, replace(f)) for (a, s), f in ledger.flattening.working.items()],
        flattens_incomplete=[(a, s, e) for (a, s), e in ledger.flattening.incomplete.items()],
        order_seqs=[made.get(order_id, 0) for order_id in ledger.orders],
        ended=ledger.ended.state(),
    )


def _order_copy(values: Any) -> Any:
    # An order's denials, flags and pending replace terms are replaced, never changed in place, and few fill
    # ids are a tuple: only a set of fill ids (position 26) changes in place, so only it is copied.
    if type(values[26]) is set:
        return (*values[:26], tuple(values[26]), *values[27:])
    return values


def _account_copy(a: Account) -> AccountValues:
    return AccountValues(
        id=a.id, margin=a.margin, name=a.name, venues=list(a.venues), closed=a.closed,
        balances={c: replace(b) for c, b in a.balances.items()},
        reservations={o: replace(r) for o, r in a.reservations.items()},
    )


def restore_ledger(ledger: Ledger, state: LedgerState, orders: Iterable[OrderValues] | None = None) -> None:
    """Fill a fresh ledger (listeners subscribed, nothing applied yet) with a snapshot's state.

    ``orders``: the orders, when they come apart from ``state`` (decoded a part at a time, say).
    """
    if ledger.last_seq or ledger.orders or ledger.accounts:
        raise ValueError("a snapshot is restored into a fresh ledger only")
    restore = ledger.restore_order
    shared: dict[Any, Any] = {}  # one string per account, symbol, currency and venue, as a replay holds them
    for values, seq in zip(state.orders if orders is None else orders, state.order_seqs, strict=True):
        restore(_order(shared, *values), seq)
    for a in state.accounts:
        ledger.accounts[AccountId(a.id)] = Account(
            id=AccountId(a.id), margin=a.margin, name=a.name, venues=tuple(a.venues), closed=a.closed,
            balances=a.balances, reservations={OrderId(k): v for k, v in a.reservations.items()})
    for p in state.positions:
        ledger.positions[(p.account, p.symbol)] = p
    ledger.trading_states.update({AccountId(k): v for k, v in state.trading_states.items()})
    ledger.fill_owners.update({(VenueId(v), FillId(f)): OrderId(o) for v, f, o in state.fill_owners})
    ledger.flattening.working.update({(AccountId(a), Symbol(s)): f for a, s, f in state.flattening})
    ledger.flattening.incomplete.update({(AccountId(a), Symbol(s)): e for a, s, e in state.flattens_incomplete})
    ledger.ended.restore(state.ended)
    ledger.last_seq = state.last_seq
    ledger.take_changes()


def _order(
    shared: dict[Any, Any],
    id: Any, account: Any, client_order_id: Any, symbol: Any, side: Any, type: Any, qty: Any, limit_price: Any,
    stop_price: Any, tif: Any, expire_at: Any, currency: Any, venue: Any, created_at: Any, updated_at: Any,
    status: Any, filled_qty: Any, filled_notional: Any, commission: Any, arrival_price: Any, venue_order_id: Any,
    triggered: Any, expiring: Any, reason: Any, denials: Any, flags: Any, fill_ids: Any, pending_replace: Any,
    accepted_at: Any, inferred_qty: Any, late_fills: Any, resends: Any, escalated: Any, first_fill_at: Any,
    done_at: Any, is_parent: Any, parent_id: Any, children: Any,
) -> Order:
    """Make an order from its values as the ledger would hold it (empty collections shared, few fill ids in a
    tuple, the same string for the same account, symbol, currency or venue, the same time object for the
    same time): positional, because a restart makes hundreds of thousands."""
    updated_at = _same_time(updated_at, created_at)
    return Order(
        id=id, account=shared.setdefault(account, account),
        client_order_id=id if client_order_id == id else client_order_id, symbol=shared.setdefault(symbol, symbol),
        side=side, type=type, qty=qty, limit_price=limit_price, stop_price=stop_price, tif=tif, expire_at=expire_at,
        currency=shared.setdefault(currency, currency), venue=shared.setdefault(venue, venue),
        created_at=created_at, updated_at=updated_at, status=status, filled_qty=_zero(filled_qty),
        filled_notional=_zero(filled_notional), commission=_zero(commission), arrival_price=arrival_price,
        venue_order_id=venue_order_id, triggered=triggered, expiring=expiring, reason=reason,
        denials=denials or (), flags=flags or (),
        fill_ids=(tuple(fill_ids) if len(fill_ids) <= SMALL_FILL_IDS else set(fill_ids)) if fill_ids else (),
        pending_replace=pending_replace, accepted_at=_same_time(accepted_at, created_at),
        inferred_qty=_zero(inferred_qty),
        late_fills=late_fills, resends=resends, escalated=escalated,
        first_fill_at=_same_time(first_fill_at, updated_at), done_at=_same_time(done_at, updated_at),
        is_parent=is_parent, parent_id=parent_id, children=tuple(children) if children else (),
    )


def _same_time(value: datetime | None, other: datetime) -> datetime | None:
    """Return ``other`` when it is the same time at the same offset as ``value`` (one object instead of two)."""
    if value is not None and value == other and value.tzinfo is other.tzinfo:
        return other
    return value


def _zero(value: Decimal) -> Decimal:
    """Return the one shared zero for a plain ``0`` (as an order starts with), else ``value`` itself."""
    return ZERO if value == 0 and str(value) == "0" else value
