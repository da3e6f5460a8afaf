"""Order flow statistics kept from events: counts by status, fill rate, ack and fill latency."""

from collections import Counter
from typing import Any

from ordergate.domain.events import OrderAccepted, OrderDenied, OrderFilled, OrderSubmitted
from ordergate.domain.ledger import Ledger
from ordergate.domain.order import Order


class OrderStats:
    """Running order statistics, fed by the ledger's events (so a replay restores them)."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self.submitted = 0
        self.denied = 0
        self.fills = 0
        self._acks = 0
        self._ack_seconds = 0.0
        self._first_fills = 0
        self._fill_seconds = 0.0
        ledger.subscribe(self._on_submitted, (OrderSubmitted,))
        ledger.subscribe(self._on_denied, (OrderDenied,))
        ledger.subscribe(self._on_accepted, (OrderAccepted,))
        ledger.subscribe(self._on_filled, (OrderFilled,))
        ledger.keep_state("order_stats", self)

    STATE_TYPE = tuple[int, int, int, int, float, int, float]

    def snapshot_state(self) -> tuple[int, int, int, int, float, int, float]:
        """Return the running counts and sums (for a snapshot of the fold)."""
        return (self.submitted, self.denied, self.fills, self._acks, self._ack_seconds, self._first_fills,
                self._fill_seconds)

    def restore_state(self, state: tuple[int, int, int, int, float, int, float]) -> None:
        """Take the counts and sums a snapshot kept."""
        (self.submitted, self.denied, self.fills, self._acks, self._ack_seconds, self._first_fills,
         self._fill_seconds) = state

    def _on_submitted(self, event: OrderSubmitted, order: Order) -> None:
        self.submitted += 1

    def _on_denied(self, event: OrderDenied, order: Order) -> None:
        self.denied += 1

    def _on_accepted(self, event: OrderAccepted, order: Order) -> None:
        self._acks += 1
        self._ack_seconds += (event.ts - order.created_at).total_seconds()

    def _on_filled(self, event: OrderFilled, order: Order) -> None:
        self.fills += 1
        if order.first_fill_at == event.ts and len(order.fill_ids) == 1 and event.fill_id in order.fill_ids:
            self._first_fills += 1
            self._fill_seconds += (event.ts - order.created_at).total_seconds()

    def summary(self) -> dict[str, Any]:
        """Return the statistics as a JSON-ready dict."""
        ledger = self._ledger
        counts = Counter(order.status.value for order in ledger.orders.values())
        counts.update(ledger.ended.counts)  # the orders that left memory
        return {
            "total_orders": len(ledger.orders) + ledger.ended.total(),
            "by_status": dict(sorted(counts.items())),
            "submitted": self.submitted,
            "denied": self.denied,
            "fills": self.fills,
            "fill_rate": round(self._first_fills / self.submitted, 6) if self.submitted else None,
            "avg_ack_latency_ms": round(1000 * self._ack_seconds / self._acks, 3) if self._acks else None,
            "avg_fill_latency_ms": (
                round(1000 * self._fill_seconds / self._first_fills, 3) if self._first_fills else None
            ),
        }
