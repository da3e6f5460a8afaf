"""Prometheus gauges of what the router knows of each venue, read at scrape time, labelled by venue."""

from collections.abc import Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ordergate.domain.routing import Health
from ordergate.service.ports import Clock
from ordergate.service.router import Router

STATES = {Health.READY: 0, Health.DEGRADED: 1, Health.DOWN: 2}


class VenueStatsCollector(Collector):
    """Expose each venue's state, ack latency, fill and reject rates, slippage and orders routed today."""

    def __init__(self, router: Router, clock: Clock) -> None:
        self._router = router
        self._clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Yield one gauge family per figure, one sample per venue."""
        now = self._clock.now()
        families = {
            "state": GaugeMetricFamily("ordergate_venue_state", "Venue state: 0 ready, 1 degraded, 2 down",
                                       labels=["venue"]),
            "ack": GaugeMetricFamily("ordergate_venue_ack_latency_ewma_ms", "Ack latency EWMA (ms)",
                                     labels=["venue"]),
            "fill": GaugeMetricFamily("ordergate_venue_fill_rate", "Orders with a fill / orders routed",
                                      labels=["venue"]),
            "reject": GaugeMetricFamily("ordergate_venue_reject_rate", "Venue refusals / orders answered",
                                        labels=["venue"]),
            "slip": GaugeMetricFamily("ordergate_venue_slippage_bps", "Average slippage against arrival (bps)",
                                      labels=["venue"]),
            "today": GaugeMetricFamily("ordergate_venue_orders_today", "Orders routed to the venue today (UTC)",
                                       labels=["venue"]),
        }
        for venue in sorted(self._router.venues):
            figures = self._router.stats.figures(venue)
            families["state"].add_metric([venue], STATES[self._router.health(venue)])
            families["ack"].add_metric([venue], figures.ack_ewma_ms or 0.0)
            families["fill"].add_metric([venue], figures.fill_rate() or 0.0)
            families["reject"].add_metric([venue], figures.reject_rate() or 0.0)
            families["slip"].add_metric([venue], float(figures.slippage_bps()))
            families["today"].add_metric([venue], figures.orders_today if figures.day == now.date() else 0)
        yield from families.values()


def venue_gauges(registry: CollectorRegistry, router: Router, clock: Clock) -> None:
    """Register the venue gauges."""
    registry.register(VenueStatsCollector(router, clock))
