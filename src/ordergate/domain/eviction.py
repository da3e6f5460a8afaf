"""Orders leave memory when they ended before the current trading day and nothing live needs them.

``evict`` takes them out of the ledger (keeping the compact knowledge of domain/ended.py); ``load_back``
brings an order's family (a parent and its children) back, folded again from its own journal events up to
the ledger's last applied event: exactly the state it had in memory, whatever happened since it left.
A family leaves together: a parent when it and every child ended, with nothing inferred still to match,
no pending replace, no hold left, and no kill-switch flatten following it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ordergate.domain.account import Account
from ordergate.domain.ended import stable_hash
from ordergate.domain.events import (
    ChildOrderRouted,
    Event,
    OrderDenied,
    OrderFillConfirmed,
    OrderFilled,
    OrderSubmitted,
)
from ordergate.domain.ids import AccountId, OrderId
from ordergate.domain.order import TERMINAL, Order

if TYPE_CHECKING:
    from ordergate.domain.ledger import Ledger

CREATING = (OrderSubmitted, OrderDenied, ChildOrderRouted)


REPLAY_STEP = timedelta(minutes=10)  # how often a replay with a floor looks for orders to take out


@dataclass(frozen=True, slots=True)
class Eviction:
    """When ended orders leave memory: ``day_end(ts)`` is the start of the trading day after ``ts``'s (the
    daily risk counters' day); orders that ended ``keep_days`` days before that leave (1: before today).

    ``floor`` is the cut-off at the server's start (``before(now)``): whatever ended before it leaves once
    the start's replay is done, so the replay takes such orders out as it goes, every ``REPLAY_STEP`` of
    journal time (keeping each at least one step after it ended), instead of holding a long day whole.
    """

    day_end: Callable[[datetime], datetime]
    keep_days: int = 1
    floor: datetime | None = None

    def before(self, ts: datetime) -> datetime:
        """Return the cut-off at ``ts``: orders done before it may leave."""
        return self.day_end(ts) - timedelta(days=self.keep_days)

    def plan(self, ts: datetime, replaying: bool) -> tuple[datetime, datetime]:
        """Return (the cut-off at ``ts``, when to look again): at the next trading day, or sooner in a replay
        that is still before the floor."""
        cutoff, day_end = self.before(ts), self.day_end(ts)
        if not replaying or self.floor is None or self.floor <= cutoff:
            return cutoff, day_end
        return max(cutoff, min(self.floor, ts - REPLAY_STEP)), min(day_end, ts + REPLAY_STEP)


def evict(ledger: "Ledger", before: datetime) -> list[Order]:
    """Take out of memory the families that ended before ``before`` and that nothing live needs; return them."""
    following = {f.order_id for f in ledger.flattening.working.values()}
    kept, kept_seqs, gone = [], [], []
    ended = ledger.ended
    for order, seq in zip(ledger.order_list, ledger.order_seqs, strict=True):
        family = _leaving(ledger, order, before, following)
        if family is None:
            kept.append(order)
            kept_seqs.append(seq)
            continue
        gone += family
        ended.first_seq = min(ended.first_seq, seq) if ended.first_seq else seq
        ended.last_seq = max(ended.last_seq, seq)
        ended.clients.add(stable_hash(order.account, order.client_order_id))
        del ledger.by_client_id[(order.account, order.client_order_id)]
    if not gone:
        return gone
    ledger.order_list, ledger.order_seqs = kept, kept_seqs
    _forget(ledger, gone)
    for listener in ended.on_evict:
        listener(gone)
    return gone


def _leaving(ledger: "Ledger", order: Order, before: datetime, following: set[OrderId | None]) -> list[Order] | None:
    """Return the order's family if it may leave memory, else None."""
    if not _ended(ledger, order, before) or order.id in following:
        return None
    family = [order]
    for child_id in order.children:
        child = dict.get(ledger.orders, child_id)
        if child is None or not _ended(ledger, child, before):
            return None
        family.append(child)
    return family


def _ended(ledger: "Ledger", order: Order, before: datetime) -> bool:
    done = order.done_at or order.updated_at
    return (order.status in TERMINAL and done < before and not order.inferred_qty and order.pending_replace is None
            and order.id not in ledger.accounts[order.account].reservations)


def _forget(ledger: "Ledger", gone: list[Order]) -> None:
    ended, orders, owners, fills = ledger.ended, ledger.orders, ledger.fill_owners, ledger.ended.fills
    changed = ledger.changes.orders if ledger.replaying else {}  # a replay's changes are dropped at its end
    counts = ended.counts
    for order in gone:
        del orders[order.id]
        changed.pop(order.id, None)
        status = order.status.value
        counts[status] = counts.get(status, 0) + 1
        for fill_id in order.fill_ids:
            if owners.pop((order.venue, fill_id), None) is not None:
                fills.add(stable_hash(order.venue, fill_id))
    ended.clients.tidy()
    fills.tidy()


def load_back(ledger: "Ledger", order_id: OrderId) -> Order | None:
    """Bring an order that left memory back into the ledger, with its family; None if there is no such order."""
    found = read_back(ledger, order_id)
    if found is None:
        return None
    folded, events = found
    ended = ledger.ended
    for order, seq in folded:
        ledger.restore_order(order, seq)
        ledger.changes.orders.pop(order.id, None)  # unchanged: its row stays as it is
        status = order.status.value
        left = ended.counts.get(status, 0) - 1
        if left > 0:
            ended.counts[status] = left
        else:
            ended.counts.pop(status, None)
    for e in events:
        if type(e) is OrderFilled or type(e) is OrderFillConfirmed:
            ledger.fill_owners[(e.venue, e.fill_id)] = e.order_id
    for listener in ended.on_load:
        listener([order for order, _ in folded], events)
    return dict.get(ledger.orders, order_id)


def read_back(ledger: "Ledger", order_id: OrderId) -> tuple[list[tuple[Order, int]], list[Event]] | None:
    """Fold an order's family from its journal events, apart from the ledger: (orders with their creation seq,
    parents and children in the order they were made; the events). None when no order left memory by that id."""
    source = ledger.ended.source
    if source is None or not ledger.ended.counts:
        return None
    events = source.events(order_id, ledger.last_seq)
    folded = fold_family(type(ledger)(), events)
    if not any(order.id == order_id for order, _ in folded):
        return None
    return folded, events


def fold_family(scratch: "Ledger", events: Iterable[Event]) -> list[tuple[Order, int]]:
    """Apply one family's events to a fresh ledger (accounts made as needed); return its orders and their
    creation seqs, in the order they were made."""
    scratch.accounts = _Accounts()
    made: list[tuple[Order, int]] = []
    for e in events:
        scratch.apply(e)
        if isinstance(e, CREATING):
            made.append((dict.__getitem__(scratch.orders, e.order_id), e.seq))
    return made


class _Accounts(dict[AccountId, Account]):
    """Accounts made on first use: a family's fold moves cash nobody reads."""

    def __missing__(self, account: AccountId) -> Account:
        made = self[account] = Account(id=account, margin=False)
        return made
