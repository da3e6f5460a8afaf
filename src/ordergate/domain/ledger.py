"""The ledger: orders, accounts and positions as the fold of the event journal.

State changes only here, by applying events; replaying the journal into a fresh Ledger rebuilds
everything. The ledger also records which objects changed, so the journal writer can update the
projections of exactly those.
"""

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ordergate.domain.account import Account
from ordergate.domain.ended import Ended, OrderMap, stable_hash
from ordergate.domain.enums import TradingState
from ordergate.domain.errors import InvalidOrderTransition
from ordergate.domain.events import (
    AccountClosed,
    AccountOpened,
    CashAdjusted,
    ChildOrderRouted,
    Event,
    FlattenCompleted,
    FlattenIncomplete,
    FlattenOrderSent,
    FlattenRetryScheduled,
    OrderCancelRejected,
    OrderDenied,
    OrderEvent,
    OrderFillConfirmed,
    OrderFilled,
    OrderPendingReplace,
    OrderReplaced,
    OrderSubmitted,
    RiskLimitsChanged,
    TradingStateChanged,
)
from ordergate.domain.eviction import Eviction, evict, load_back
from ordergate.domain.flattening import FlattenBook
from ordergate.domain.fold_state import StatePart
from ordergate.domain.ids import AccountId, ClientOrderId, FillId, OrderId, Symbol, VenueId
from ordergate.domain.order import TERMINAL, Order, child_from_routed, order_from_denied, order_from_submitted
from ordergate.domain.parent import child_replace_unconfirmed, follow_children
from ordergate.domain.position import Position

FIRM = AccountId("*")

Listener = Callable[[Any, Any], None]  # (event, order): typed per event type by each subscriber
Handler = Callable[["Ledger", Any], Order | None]
_NEVER = datetime.max.replace(tzinfo=UTC)
_EARLIEST = datetime.min.replace(tzinfo=UTC)


@dataclass(slots=True)
class Changes:
    """What changed since the last time the journal writer took the changes."""

    orders: dict[OrderId, Order] = field(default_factory=dict)
    positions: dict[tuple[AccountId, Symbol], Position] = field(default_factory=dict)
    accounts: dict[AccountId, Account] = field(default_factory=dict)


class Ledger:
    """Every order, account and position, kept by applying events in journal order.

    With ``eviction`` set, orders that ended before the trading day leave memory and come back when asked
    for (domain/eviction.py): ``find`` and ``orders[...]`` read them back, ``orders.get`` does not.
    """

    def __init__(self) -> None:
        self.orders = OrderMap()  # one that left memory comes back when asked with []
        self.orders.load = self._load_back
        self.order_list: list[Order] = []  # the orders clients sent (not children) in memory, in creation order
        self.order_seqs: list[int] = []  # and the seq of the event that made each: the paging cursor
        self.ended = Ended()  # what is still known of the orders that left memory (domain/ended.py)
        self.eviction: Eviction | None = None  # None: every order stays in memory
        self.next_roll = _NEVER  # ended orders leave memory when the time (of a replayed event) reaches this
        self.by_client_id: dict[tuple[AccountId, ClientOrderId], OrderId] = {}
        self.open_orders: dict[OrderId, Order] = {}  # the working orders clients sent (parents, not children)
        self.open_children: dict[OrderId, Order] = {}  # the working children of parent orders
        self._open_by_symbol: dict[tuple[AccountId, Symbol], dict[OrderId, Order]] = {}
        self.accounts: dict[AccountId, Account] = {}
        self.positions: dict[tuple[AccountId, Symbol], Position] = {}
        self.trading_states: dict[AccountId, TradingState] = {}
        self.flattening = FlattenBook()  # kill-switch flattens under way or given up on
        # a fill is (venue, venue fill id) everywhere: the same id on a second order is refused, not booked
        self.fill_owners: dict[tuple[VenueId, FillId], OrderId] = {}
        self.last_seq = 0
        self.changes = Changes()
        self.replaying = False  # True while ``replay`` runs: listeners may defer work to ``after_replay``
        self._listeners: list[tuple[Listener, tuple[type[Event], ...] | None]] = []
        self._after_replay: list[Callable[[], None]] = []
        self.state_parts: dict[str, StatePart] = {}  # listeners whose folded state a snapshot keeps
        # event type -> (ledger handler, the listeners that want it): one dict lookup per event
        self._routes: dict[type, tuple[Handler, tuple[Listener, ...]]] = {}

    def subscribe(self, listener: Listener, types: tuple[type[Event], ...] | None = None) -> None:
        """Call ``listener(event, order)`` after each applied event of ``types`` (every event when None)."""
        self._listeners.append((listener, types))
        self._routes.clear()

    def after_replay(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` once ``replay`` has applied every event (to rebuild work deferred during it)."""
        self._after_replay.append(callback)

    def keep_state(self, name: str, part: StatePart) -> None:
        """Register a listener whose folded state snapshots keep under ``name`` (see domain/fold_state.py).

        A second listener under the same name replaces the first (a ledger wired twice keeps the last wiring).
        """
        self.state_parts[name] = part

    def apply(self, event: Event) -> None:
        """Apply one event to the state; raise if it breaks an invariant (nothing is half-applied)."""
        route = self._routes.get(type(event)) or self._route(type(event))
        order = route[0](self, event)
        if event.seq > self.last_seq:
            self.last_seq = event.seq
        for listener in route[1]:
            listener(event, order)

    def replay(self, events: Iterable[Event]) -> int:
        """Apply every event in journal order, then run the after-replay callbacks; return the count.

        Listeners see ``replaying`` set while it runs; the changes it makes are dropped (the projections
        already hold them).
        """
        count = 0
        self.replaying = True
        routes = self._routes
        last: Event | None = None
        if self.eviction is not None and self.next_roll is _NEVER:
            self.next_roll = _EARLIEST  # the first event sets the day
        try:
            for event in events:  # the body of ``apply``, inlined: this loop runs a million times at a restart
                if event.ts >= self.next_roll:
                    self.evict_ended(event.ts)
                last = event
                route = routes.get(type(event)) or self._route(type(event))
                order = route[0](self, event)
                if event.seq > self.last_seq:
                    self.last_seq = event.seq
                for listener in route[1]:
                    listener(event, order)
                count += 1
            if last is not None and self.eviction is not None:
                self.evict_ended(last.ts)
        finally:
            self.replaying = False
        for callback in self._after_replay:
            callback()
        self.take_changes()
        return count

    def _route(self, kind: type) -> tuple[Handler, tuple[Listener, ...]]:
        handler = _HANDLERS.get(kind)
        if handler is None:
            if not issubclass(kind, OrderEvent):
                raise TypeError(f"the ledger has no rule for {kind.__name__}")
            handler = Ledger._apply_order_event
        listeners = tuple(fn for fn, types in self._listeners if types is None or issubclass(kind, types))
        route = self._routes[kind] = (handler, listeners)
        return route

    def evict_ended(self, now: datetime) -> int:
        """Take out of memory the orders that ended before ``now``'s cut-off (``eviction``); return how many.

        Call between messages only, with every event applied so far committed: an order that left is read
        back from the journal.
        """
        if self.eviction is None:
            return 0
        cutoff, self.next_roll = self.eviction.plan(now, self.replaying)
        return len(evict(self, cutoff))

    def find(self, order_id: OrderId) -> Order | None:
        """Return an order, read back into memory if it had left; None if there is no such order."""
        order = self.orders.get(order_id)
        return order if order is not None else self._load_back(order_id)

    def find_client(self, account: AccountId, client_order_id: ClientOrderId) -> Order | None:
        """Return the order an account made with a client order id (read back if it had left), or None."""
        order_id = self.by_client_id.get((account, client_order_id))
        if order_id is not None:
            return self.orders[order_id]
        source = self.ended.source
        if source is None or stable_hash(account, client_order_id) not in self.ended.clients:
            return None
        order_id = source.order_id_of(account, client_order_id)
        return None if order_id is None else self.find(order_id)

    def fill_owner(self, venue: VenueId, fill_id: FillId) -> OrderId | None:
        """Return the order a venue's fill was booked to (in memory or not), or None if it was never booked."""
        owner = self.fill_owners.get((venue, fill_id))
        if owner is not None:
            return owner
        source = self.ended.source
        if source is None or stable_hash(venue, fill_id) not in self.ended.fills:
            return None
        return source.fill_owner(venue, fill_id)

    def _load_back(self, order_id: OrderId) -> Order | None:
        return load_back(self, order_id) if self.ended.counts else None

    def take_changes(self) -> Changes:
        """Return and reset the set of changed objects."""
        changes, self.changes = self.changes, Changes()
        return changes

    def open_orders_of(self, account: AccountId, symbol: Symbol) -> Iterable[Order]:
        """Return an account's open orders in one symbol (without scanning every open order)."""
        return self._open_by_symbol.get((account, symbol), {}).values()

    def at_venues(self) -> Iterator[Order]:
        """Yield the working orders that are at venues: plain orders and children, never parents."""
        for order in self.open_orders.values():
            if not order.is_parent:
                yield order
        yield from self.open_children.values()

    def children_of(self, parent: Order) -> Iterator[Order]:
        """Yield a parent's children, in the order they were made."""
        orders = self.orders
        for child_id in parent.children:
            yield orders[child_id]

    def position(self, account: AccountId, symbol: Symbol) -> Position | None:
        """Return the position, or None if the account never traded the symbol."""
        return self.positions.get((account, symbol))

    def positions_of(self, account: AccountId | None = None) -> Iterator[Position]:
        """Yield positions, of one account or all."""
        for (acct, _), pos in self.positions.items():
            if account is None or acct == account:
                yield pos

    def trading_state(self, account: AccountId) -> TradingState:
        """Return the stricter of the account's and the firm's trading state."""
        firm = self.trading_states.get(FIRM, TradingState.ACTIVE)
        own = self.trading_states.get(account, TradingState.ACTIVE)
        order = (TradingState.ACTIVE, TradingState.REDUCING, TradingState.HALTED)
        return max(firm, own, key=order.index)

    def _apply_account_opened(self, e: AccountOpened) -> None:
        account = Account(id=e.account, margin=e.margin, name=e.name, venues=tuple(e.venues))
        for currency, amount in e.balances.items():
            account.deposit(currency, amount)
        self.accounts[e.account] = account
        self.changes.accounts[e.account] = account

    def _apply_account_closed(self, e: AccountClosed) -> None:
        account = self.accounts[e.account]
        account.closed = True
        self.changes.accounts[e.account] = account

    def _apply_cash_adjusted(self, e: CashAdjusted) -> None:
        account = self.accounts[e.account]
        account.deposit(e.currency, e.amount)
        self.changes.accounts[e.account] = account

    def _apply_trading_state(self, e: TradingStateChanged) -> None:
        self.trading_states[e.account] = e.state

    def _apply_flatten(self, e: Event) -> None:
        self.flattening.apply(e)

    def _apply_nothing(self, e: Event) -> None:
        """Keep events that change no ledger state (risk limit changes) for subscribers only."""

    def _apply_submitted(self, e: OrderSubmitted) -> Order:
        order = order_from_submitted(e)
        self._add_order(order, e.seq)
        self._index_open(order)
        account = self.accounts[e.account]
        account.reserve(order.id, e.currency, e.reserve_qty, e.reserve_price)
        self.changes.accounts[e.account] = account
        return order

    def _index_open(self, order: Order) -> None:
        self.open_orders[order.id] = order
        key = (order.account, order.symbol)
        same = self._open_by_symbol.get(key)
        if same is None:
            same = self._open_by_symbol[key] = {}
        same[order.id] = order

    def restore_order(self, order: Order, seq: int) -> None:
        """Hold an order a snapshot kept (or one read back), made by the event ``seq``, with every index."""
        if order.parent_id is not None:  # a child: known by id only, and working among the open children
            self.orders[order.id] = order
            if order.status not in TERMINAL:
                self.open_children[order.id] = order
            return
        self._add_order(order, seq)
        if order.status not in TERMINAL:
            self._index_open(order)

    def _apply_child_routed(self, e: ChildOrderRouted) -> Order:
        parent = self.orders[e.parent_id]
        if parent.status in TERMINAL:
            raise InvalidOrderTransition(f"order {parent.id}: no child may be routed while it is {parent.status}")
        child = child_from_routed(parent, e)
        self.orders[child.id] = child
        self.open_children[child.id] = child
        parent.children = (*parent.children, child.id)
        self.changes.orders[child.id] = child
        self.changes.orders[parent.id] = parent
        return child

    def _apply_denied(self, e: OrderDenied) -> Order:
        order = order_from_denied(e)
        self._add_order(order, e.seq)
        return order

    def _add_order(self, order: Order, seq: int) -> None:
        self.orders[order.id] = order
        seqs = self.order_seqs
        if not seqs or seqs[-1] <= seq:
            self.order_list.append(order)
            seqs.append(seq)
        else:  # an order read back: in its place by creation
            i = bisect_left(seqs, seq)
            self.order_list.insert(i, order)
            seqs.insert(i, seq)
        self.by_client_id[(order.account, order.client_order_id)] = order.id
        self.changes.orders[order.id] = order

    def _apply_order_event(self, e: Any) -> Order:
        order = self.orders[e.order_id]
        order.apply(e)
        return self._after_order_event(order)

    def _apply_filled(self, e: OrderFilled) -> Order:
        order = self.orders[e.order_id]
        asked = order.pending_replace
        order.apply(e)
        self.fill_owners[(e.venue, e.fill_id)] = order.id
        if order.parent_id is None:
            self._settle_fill(order, e, self.accounts[order.account])
            return self._after_order_event(order)
        parent = self.orders[order.parent_id]
        if asked is not None and order.pending_replace is None:  # filled before its venue took the replace
            child_replace_unconfirmed(parent, order, asked)
        follow_children(parent, self.children_of(parent), e.ts)
        self._settle_fill(parent, e, self.accounts[order.account])  # once; the parent holds the reservation
        return self._after_order_event(order)

    def _apply_fill_confirmed(self, e: OrderFillConfirmed) -> Order:
        order = self.orders[e.order_id]
        order.apply(e)
        self.fill_owners[(e.venue, e.fill_id)] = order.id
        return self._after_order_event(order)

    def _apply_replaced(self, e: OrderReplaced) -> Order:
        order = self.orders[e.order_id]
        order.apply(e)
        if e.reserve_price or e.reserve_qty:
            self.accounts[order.account].reserve(order.id, order.currency, e.reserve_qty, e.reserve_price)
        return self._after_order_event(order)

    def _apply_rehold(self, e: OrderPendingReplace | OrderCancelRejected) -> Order:
        order = self.orders[e.order_id]
        asked = order.pending_replace
        order.apply(e)
        if order.parent_id is not None and asked is not None and order.pending_replace is None:  # refused
            child_replace_unconfirmed(self.orders[order.parent_id], order, asked)
        if e.reserve_qty is not None and e.reserve_price is not None:
            self.accounts[order.account].reserve(order.id, order.currency, e.reserve_qty, e.reserve_price)
        return self._after_order_event(order)

    def _after_order_event(self, order: Order) -> Order:
        account = self.accounts[order.account]
        if order.status in TERMINAL:
            if self.open_orders.pop(order.id, None) is not None:
                self._open_by_symbol[(order.account, order.symbol)].pop(order.id, None)
            elif order.parent_id is not None:
                self.open_children.pop(order.id, None)
            account.release(order.id)
        changes = self.changes
        changes.orders[order.id] = order
        changes.accounts[account.id] = account
        if order.parent_id is not None:
            self._follow(self.orders[order.parent_id], order.updated_at)
        return order

    def _follow(self, parent: Order, ts: datetime) -> None:
        """Derive a parent from its children after one of them changed."""
        follow_children(parent, self.children_of(parent), ts)
        self._after_order_event(parent)

    def _settle_fill(self, order: Order, e: OrderFilled, account: Account) -> None:
        key = (order.account, order.symbol)
        pos = self.positions.get(key)
        if pos is None:
            pos = self.positions[key] = Position(account=order.account, symbol=order.symbol, currency=e.currency)
        pos.apply_fill(e.side, e.qty, e.price, e.commission)
        account.settle_fill(e.side, e.qty, e.price, e.commission, e.currency)
        most = order.qty if order.pending_replace is None else order.fillable_qty
        account.shrink_reservation(order.id, most - order.filled_qty)
        self.changes.positions[key] = pos


_HANDLERS: dict[type[Event], Handler] = {
    AccountOpened: Ledger._apply_account_opened,
    AccountClosed: Ledger._apply_account_closed,
    CashAdjusted: Ledger._apply_cash_adjusted,
    TradingStateChanged: Ledger._apply_trading_state,
    OrderSubmitted: Ledger._apply_submitted,
    ChildOrderRouted: Ledger._apply_child_routed,
    OrderDenied: Ledger._apply_denied,
    OrderFilled: Ledger._apply_filled,
    OrderReplaced: Ledger._apply_replaced,
    OrderFillConfirmed: Ledger._apply_fill_confirmed,
    OrderPendingReplace: Ledger._apply_rehold,
    OrderCancelRejected: Ledger._apply_rehold,
    RiskLimitsChanged: Ledger._apply_nothing,
    FlattenOrderSent: Ledger._apply_flatten,
    FlattenRetryScheduled: Ledger._apply_flatten,
    FlattenCompleted: Ledger._apply_flatten,
    FlattenIncomplete: Ledger._apply_flatten,
}
