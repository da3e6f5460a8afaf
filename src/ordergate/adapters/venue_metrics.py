"""Prometheus metrics of a broker venue's connection: request latency, errors by class, retries, rate-limit
waits and stream reconnects, labelled by venue (no ids, no secrets in labels)."""

from prometheus_client import CollectorRegistry, Counter, Histogram


class VenueConnectionMetrics:
    """The metrics of every broker venue, in one registry; ``for_venue`` gives one venue's observer."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.latency = Histogram("ordergate_venue_request_seconds", "Broker REST request latency",
                                 ["venue", "endpoint"], registry=registry,
                                 buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
        self.errors = Counter("ordergate_venue_errors_total", "Broker REST answers that were not 2xx/3xx, by class",
                              ["venue", "error"], registry=registry)
        self.retries = Counter("ordergate_venue_retries_total", "Broker requests retried, by cause",
                               ["venue", "cause"], registry=registry)
        self.rate_waits = Counter("ordergate_venue_rate_limit_wait_seconds_total",
                                  "Seconds spent waiting for the request budget or the broker's rate limit",
                                  ["venue"], registry=registry)
        self.reconnects = Counter("ordergate_venue_stream_connects_total", "Broker stream (re)connections",
                                  ["venue", "stream"], registry=registry)

    def for_venue(self, venue: str) -> "VenueObserver":
        """Return the observer one venue reports to."""
        return VenueObserver(self, venue)


class VenueObserver:
    """One venue's view of the metrics (what its HTTP client and streams call)."""

    def __init__(self, metrics: VenueConnectionMetrics, venue: str) -> None:
        self.metrics, self.venue = metrics, venue

    def request_done(self, endpoint: str, seconds: float, outcome: str) -> None:
        """Record one exchange's latency, and its error class unless it succeeded."""
        self.metrics.latency.labels(self.venue, endpoint).observe(seconds)
        if outcome != "ok":
            self.metrics.errors.labels(self.venue, outcome).inc()

    def retried(self, reason: str) -> None:
        """Record a retry, by cause class (timeout, transport, 429, 5xx)."""
        cause = reason.split(":", 1)[0]
        self.metrics.retries.labels(self.venue, "5xx" if cause.startswith("5") else cause).inc()

    def rate_limited(self, seconds: float) -> None:
        """Record a wait imposed by the budget or the broker."""
        self.metrics.rate_waits.labels(self.venue).inc(seconds)

    def reconnected(self, stream: str) -> None:
        """Record a stream (re)connect."""
        self.metrics.reconnects.labels(self.venue, stream).inc()
