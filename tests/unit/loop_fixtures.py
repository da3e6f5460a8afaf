"""A running EngineLoop over the in-memory journal and the scripted venue, for async unit tests."""

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ordergate.domain.events import Event
from ordergate.domain.ids import VenueId
from ordergate.service.engine_loop import EngineLoop
from tests.fakes.clock import FakeClock
from tests.fakes.journal import InMemoryJournal
from tests.fakes.venue import ScriptedVenue
from tests.unit.builders import make_engine


@dataclass
class ListSink:
    """An EventSink that keeps what it is given."""

    published: list[Event] = field(default_factory=list)

    def publish(self, events: Iterable[Event]) -> None:
        """Keep the events."""
        self.published.extend(events)


@dataclass
class Rig:
    """The loop and the fakes around it."""

    loop: EngineLoop
    journal: InMemoryJournal
    venue: ScriptedVenue
    sink: ListSink
    clock: FakeClock


async def start_rig(clock: FakeClock, max_batch: int = 1024) -> Rig:
    """Start a loop whose account is opened before the test begins (that event is already committed)."""
    journal, venue, sink = InMemoryJournal(), ScriptedVenue(clock), ListSink()
    engine = make_engine(clock)
    loop = EngineLoop(engine, journal, {VenueId("paper"): venue}, sink, max_batch=max_batch)
    await venue.start(loop.report)
    await loop.start()
    return Rig(loop, journal, venue, sink, clock)


async def settle(loop: EngineLoop) -> None:
    """Wait until every queued message is handled and committed."""
    def idle() -> bool:  # nothing queued, nothing waiting to commit, no commit in flight in its thread
        return loop.queue_depth() == 0 and not loop._pending and not loop._committing

    for _ in range(5000):
        if idle():
            await asyncio.sleep(0)
            if idle():
                return
        await asyncio.sleep(0.001)
    raise AssertionError("the engine loop did not settle")


async def eventually(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``predicate`` while the loop runs; return whether it came true before the timeout."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.002)
    return predicate()
