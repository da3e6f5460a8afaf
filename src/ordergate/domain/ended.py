"""What the ledger still knows of the orders that ended and left memory (see domain/eviction.py).

An order that ended before the current trading day, and that nothing live needs, leaves the ledger: its
state is in the journal and the projections. The ledger keeps only what answers must not lose, compactly:
how many orders ended in each status (order counts), a 64-bit hash of each one's (account, client order id)
(idempotency) and of each of its fills' (venue, fill id) (a fill is booked once), and the range of their
creation sequence numbers (paging). Whatever needs one of them whole loads it back from an ``EndedSource``.
"""

import base64
import hashlib
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from ordergate.domain.events import Event
from ordergate.domain.ids import OrderId
from ordergate.domain.order import Order


def stable_hash(first: str, second: str) -> int:
    """Return a 64-bit signed hash of two strings, the same in every process (``hash`` is salted per process)."""
    digest = hashlib.blake2b(f"{first}\x00{second}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


class KeySet:
    """A set of 64-bit hashes at 8 bytes each: a sorted array, plus the ones added since it was last sorted."""

    __slots__ = ("_recent", "_sorted")

    def __init__(self, keys: Iterable[int] = ()) -> None:
        self._sorted = array("q", sorted(set(keys)))
        self._recent: set[int] = set()

    def add(self, key: int) -> None:
        """Add one hash (kept apart until ``compact``)."""
        self._recent.add(key)

    def __contains__(self, key: int) -> bool:
        if key in self._recent:
            return True
        keys = self._sorted
        i = bisect_left(keys, key)
        return i < len(keys) and keys[i] == key

    def __len__(self) -> int:
        return len(self._sorted) + len(self._recent)

    def tidy(self) -> None:
        """Compact once the hashes added since the last sort are many (an eighth of the sorted ones, or 4,096
        when there are few): repeated evictions cost a sort each only as often as the set doubles."""
        if len(self._recent) >= max(4096, len(self._sorted) // 8):
            self.compact()

    def compact(self) -> None:
        """Merge the recent hashes into the sorted array."""
        if self._recent:
            self._sorted = array("q", sorted({*self._sorted, *self._recent}))
            self._recent = set()

    def to_text(self) -> str:
        """Return the hashes as one base64 string (little-endian int64s, sorted)."""
        self.compact()
        keys = array("q", self._sorted)
        if keys.itemsize != 8:  # pragma: no cover - every platform ordergate runs on has 8-byte longs
            raise ValueError("array('q') is not 64 bits here")
        return base64.b64encode(keys.tobytes()).decode()

    @classmethod
    def from_text(cls, text: str) -> "KeySet":
        """Return the set a ``to_text`` string holds."""
        found = cls()
        found._sorted.frombytes(base64.b64decode(text))
        return found


class EndedSource(Protocol):
    """Where ended orders are read back from (the journal and the projections)."""

    def events(self, order_id: OrderId, upto_seq: int) -> list[Event]:
        """Return the events up to ``upto_seq`` of the order's family (its parent, itself, its siblings or
        children), in sequence order; empty when the journal has no such order."""

    def order_id_of(self, account: str, client_order_id: str) -> OrderId | None:
        """Return the order an account made with a client order id, if any."""

    def fill_owner(self, venue: str, fill_id: str) -> OrderId | None:
        """Return the order a venue's fill was booked to, if any."""


@dataclass(slots=True)
class EndedState:
    """The compact knowledge of ended orders, as plain values (for snapshots)."""

    counts: dict[str, int]
    clients: str  # KeySet.to_text of hash(account, client order id)
    fills: str  # KeySet.to_text of hash(venue, fill id)
    first_seq: int
    last_seq: int


@dataclass
class Ended:
    """The ledger's compact knowledge of the orders that left memory, and where to read them back from."""

    counts: dict[str, int] = field(default_factory=dict)  # status -> orders (children too)
    clients: KeySet = field(default_factory=KeySet)
    fills: KeySet = field(default_factory=KeySet)
    first_seq: int = 0  # the lowest and highest creation seq of a (parent or plain) order that left
    last_seq: int = 0
    source: EndedSource | None = None
    on_evict: list[Callable[[list[Order]], None]] = field(default_factory=list)  # (orders that left)
    on_load: list[Callable[[list[Order], list[Event]], None]] = field(default_factory=list)  # (orders, events)

    def total(self) -> int:
        """Return how many orders (children too) are out of memory."""
        return sum(self.counts.values())

    def state(self) -> EndedState:
        """Return the compact knowledge as plain values."""
        return EndedState(dict(self.counts), self.clients.to_text(), self.fills.to_text(), self.first_seq,
                          self.last_seq)

    def restore(self, state: EndedState) -> None:
        """Take what a snapshot kept."""
        self.counts = dict(state.counts)
        self.clients = KeySet.from_text(state.clients)
        self.fills = KeySet.from_text(state.fills)
        self.first_seq, self.last_seq = state.first_seq, state.last_seq


class OrderMap(dict[OrderId, Order]):
    """The ledger's orders by id: an id not in memory is read back (``load``) when asked with ``[]``."""

    __slots__ = ("load",)

    def __init__(self) -> None:
        super().__init__()
        self.load: Callable[[OrderId], Order | None] | None = None

    def __missing__(self, order_id: OrderId) -> Order:
        load = self.load
        order = load(order_id) if load is not None else None
        if order is None:
            raise KeyError(order_id)
        return order
