"""An in-memory Journal for unit tests: keeps committed batches, can fail or hold a commit on demand."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass

from ordergate.domain.events import Event
from ordergate.service.ports import CommitBatch


@dataclass(slots=True)
class PreparedBatch:
    """What ``prepare`` froze: the events and the ids of the projections they changed."""

    events: list[Event]
    order_ids: list[str]
    account_ids: list[str]
    position_keys: list[tuple[str, str]]


class InMemoryJournal:
    """A Journal that keeps events in a list.

    ``fail_with`` makes the next commit raise; ``hold()`` makes commits wait until ``release()``,
    so a test can look at the world while a commit is in flight.
    """

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.batches: list[PreparedBatch] = []
        self.fail_with: Exception | None = None
        self.commit_started = threading.Event()
        self._gate = threading.Event()
        self._gate.set()

    def hold(self) -> None:
        """Make the next commits wait until ``release`` is called."""
        self.commit_started.clear()
        self._gate.clear()

    def release(self) -> None:
        """Let held commits finish."""
        self._gate.set()

    def last_seq(self) -> int:
        """Return the highest committed sequence number."""
        return self.events[-1].seq if self.events else 0

    def prepare(self, batch: CommitBatch) -> PreparedBatch:
        """Freeze the batch: copy the event list and note which projections changed."""
        return PreparedBatch(
            events=list(batch.events), order_ids=[o.id for o in batch.orders],
            account_ids=[a.id for a in batch.accounts],
            position_keys=[(p.account, p.symbol) for p in batch.positions],
        )

    def commit(self, prepared: PreparedBatch) -> None:
        """Append the batch, after waiting for the gate; raise ``fail_with`` once if it is set."""
        self.commit_started.set()
        if not self._gate.wait(timeout=10):
            raise TimeoutError("the test never released the held commit")
        if self.fail_with is not None:
            error, self.fail_with = self.fail_with, None
            raise error
        self.events.extend(prepared.events)
        self.batches.append(prepared)

    def read_events(self, after_seq: int = 0) -> Iterator[Event]:
        """Yield committed events after ``after_seq`` in order."""
        for event in self.events:
            if event.seq > after_seq:
                yield event
