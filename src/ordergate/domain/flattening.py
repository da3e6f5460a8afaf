"""What kill-switch flattens are doing, as the fold of their events: rebuilt from the journal at every start.

A symbol being flattened has either a market order working (``order_id``) or a retry due at ``due``;
one given up on is kept with its ``FlattenIncomplete`` until an operator flattens it again.
"""

from dataclasses import dataclass
from datetime import datetime

from ordergate.domain.events import (
    Event,
    FlattenCompleted,
    FlattenIncomplete,
    FlattenOrderSent,
    FlattenRetryScheduled,
)
from ordergate.domain.ids import AccountId, OrderId, Symbol

Key = tuple[AccountId, Symbol]


@dataclass(slots=True)
class Flattening:
    """One symbol being flattened: the order working now (None: waiting until ``due``), the counts, who asked."""

    order_id: OrderId | None
    requested_by: str
    sent: int = 1
    empty: int = 0
    due: datetime | None = None


class FlattenBook:
    """The flattens under way and those given up on, per (account, symbol)."""

    def __init__(self) -> None:
        self.working: dict[Key, Flattening] = {}
        self.incomplete: dict[Key, FlattenIncomplete] = {}

    def apply(self, event: Event) -> None:
        """Fold one flatten event."""
        if isinstance(event, FlattenOrderSent):
            key = (event.account, event.symbol)
            self.incomplete.pop(key, None)
            self.working[key] = Flattening(event.order_id, event.caused_by, event.attempt, event.empty)
        elif isinstance(event, FlattenRetryScheduled):
            state = self.working[(event.account, event.symbol)]
            state.order_id, state.due, state.empty = None, event.due, event.empty
        elif isinstance(event, FlattenCompleted):
            self.working.pop((event.account, event.symbol), None)
        elif isinstance(event, FlattenIncomplete):
            key = (event.account, event.symbol)
            self.working.pop(key, None)
            self.incomplete[key] = event
