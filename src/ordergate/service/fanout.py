"""Deliver committed events to several sinks; one failing sink does not stop the others."""

from collections.abc import Iterable, Sequence

import structlog

from ordergate.domain.events import Event
from ordergate.service.ports import EventSink

log = structlog.get_logger(__name__)


class EventFanout:
    """An EventSink that forwards to other sinks."""

    def __init__(self, sinks: Sequence[EventSink] = ()) -> None:
        self.sinks = list(sinks)

    def publish(self, events: Iterable[Event]) -> None:
        """Forward events to every sink."""
        batch = list(events)
        for sink in self.sinks:
            try:
                sink.publish(batch)
            except Exception:
                log.exception("event_sink_failed", sink=type(sink).__name__)
