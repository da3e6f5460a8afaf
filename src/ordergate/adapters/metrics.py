"""Prometheus metrics fed by committed events."""

from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from ordergate.domain.events import (
    Event,
    OrderDenied,
    OrderEscalated,
    OrderFilled,
    OrderRequestResent,
    OrderSubmitted,
)


class PrometheusMetrics:
    """Count events, orders, fills, denials and slippage; one registry per app (tests make many apps)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events = Counter("ordergate_events_total", "Journal events committed, by type", ["type"],
                              registry=self.registry)
        self.orders = Counter("ordergate_orders_total", "Orders recorded, by outcome", ["outcome"],
                              registry=self.registry)
        self.denials = Counter("ordergate_risk_denials_total", "Risk denials, by rule", ["rule"],
                               registry=self.registry)
        self.fill_qty = Counter("ordergate_filled_qty_total", "Filled quantity, by symbol", ["symbol"],
                                registry=self.registry)
        self.fill_notional = Histogram("ordergate_fill_notional", "Notional per fill",
                                       buckets=(100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000),
                                       registry=self.registry)
        self.flags = Counter("ordergate_order_flags_total", "Flags on accepted orders (e.g. watch list)", ["flag"],
                             registry=self.registry)
        self.flagged_fills = Counter("ordergate_fills_flagged_total", "Fills applied with a flag: late (after the "
                                     "order ended) or inferred (from a venue's cumulative quantity)", ["flag"],
                                     registry=self.registry)
        self.resends = Counter("ordergate_order_resends_total", "Requests sent again to a venue that had not "
                               "acted on them, by request", ["request"], registry=self.registry)
        self.escalations = Counter("ordergate_order_escalations_total", "Orders whose pending request stayed "
                                   "unanswered after every re-send (alerts)", registry=self.registry)
        self.discrepancies = Counter("ordergate_reconciliation_discrepancies_total", "What reconciliation "
                                     "found the venue and ordergate disagree on, by class", ["class"],
                                     registry=self.registry)
        self._by_type: dict[type, Any] = {}
        self._submitted = self.orders.labels("submitted")
        self._denied = self.orders.labels("denied")

    def gauge(self, name: str, doc: str, read: Callable[[], float]) -> None:
        """Expose a value read at scrape time (queue depth, open orders)."""
        Gauge(name, doc, registry=self.registry).set_function(read)

    def publish(self, events: Iterable[Event]) -> None:
        """Count committed events."""
        by_type = self._by_type
        for event in events:
            kind = type(event)
            counter = by_type.get(kind)
            if counter is None:  # labels() validates and locks each call: look each child up once
                counter = by_type[kind] = self.events.labels(kind.__name__)
            counter.inc()
            if isinstance(event, OrderSubmitted):
                self._submitted.inc()
                for flag in event.flags:
                    self.flags.labels(flag).inc()
            elif isinstance(event, OrderDenied):
                self._denied.inc()
                for denial in event.reasons:
                    self.denials.labels(denial.rule).inc()
            elif isinstance(event, OrderFilled):
                self.fill_qty.labels(event.symbol).inc(float(event.qty))
                self.fill_notional.observe(float(event.qty * event.price))
                if event.late:
                    self.flagged_fills.labels("late").inc()
                if event.inferred:
                    self.flagged_fills.labels("inferred").inc()
            elif isinstance(event, OrderRequestResent):
                self.resends.labels(event.request).inc()
            elif isinstance(event, OrderEscalated):
                self.escalations.inc()

    def discrepancy(self, kind: str) -> None:
        """Count one reconciliation discrepancy of a class."""
        self.discrepancies.labels(kind).inc()
