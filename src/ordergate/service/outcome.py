"""What handling one message produced: events to journal, venue requests to send after the commit."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ordergate.domain.events import Event
from ordergate.domain.ids import VenueId
from ordergate.service.ports import VenueOrder


class VenueAction(StrEnum):
    """What to ask a venue."""

    SUBMIT = "submit"
    CANCEL = "cancel"
    REPLACE = "replace"


@dataclass(slots=True)
class VenueRequest:
    """A request to send to a venue once the events that record it are durable."""

    action: VenueAction
    venue: VenueId
    order: VenueOrder
    new: VenueOrder | None = None
    child: bool = False  # a child of a parent order: a venue that cannot take it sends it on elsewhere


@dataclass(slots=True)
class Outcome:
    """The events, venue requests and answer that handling one message produced."""

    events: list[Event] = field(default_factory=list)
    requests: list[VenueRequest] = field(default_factory=list)
    reply: Any = None
