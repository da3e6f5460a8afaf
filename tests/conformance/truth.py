"""What a venue knows happened, for the invariant checks: the oracle side of the kit.

Any fake venue (the kit's ScriptableVenue, the fake Alpaca and Upstox servers) can serve as the oracle
by implementing ``VenueTruth``: the final state of every order it holds, and every execution it made.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from ordergate.domain.enums import OrderStatus, Side
from ordergate.domain.ids import AccountId, FillId, OrderId, Symbol, VenueOrderId


@dataclass(frozen=True, slots=True)
class OrderTruth:
    """One order as the venue holds it once the run has settled."""

    order_id: OrderId
    account: AccountId
    symbol: Symbol
    side: Side
    status: OrderStatus
    filled_qty: Decimal
    venue_order_id: VenueOrderId | None  # None: the venue never acknowledged it


@dataclass(frozen=True, slots=True)
class Execution:
    """One fill the venue made."""

    order_id: OrderId
    fill_id: FillId
    account: AccountId
    symbol: Symbol
    side: Side
    qty: Decimal
    price: Decimal
    commission: Decimal


class VenueTruth(Protocol):
    """The venue's word on what happened, whatever reached the engine."""

    def orders(self) -> Iterable[OrderTruth]:
        """Return every order the venue received, in its final state."""
        ...

    def executions(self) -> Iterable[Execution]:
        """Return every fill the venue made, once each."""
        ...
