"""What a snapshot of the fold asks of each stateful listener of the ledger: its state as plain values.

A listener that keeps state folded from events (risk usage, venue statistics, idempotency fingerprints, ...)
registers itself with ``Ledger.keep_state``. A snapshot then holds the ledger's own state and every part's
``snapshot_state()``; a start that loads it calls ``restore_state`` on fresh parts before replaying the
journal's tail. ``STATE_TYPE`` is the shape of that state in plain types (str, int, float, bool, Decimal,
datetime, enums, tuples, lists, dicts with str keys, dataclasses of those), so that an encoder can decode
it exactly. The state holds only what the journal decides: nothing a live price or a setting changes.
"""

from typing import Any, Protocol


class StatePart(Protocol):
    """A ledger listener whose folded state a snapshot keeps."""

    @property
    def STATE_TYPE(self) -> Any:
        """Return the type of ``snapshot_state()``'s value, in plain types."""

    def snapshot_state(self) -> Any:
        """Return the folded state as plain values of ``STATE_TYPE`` (a consistent copy: nothing shared)."""

    def restore_state(self, state: Any) -> None:
        """Take the state a snapshot kept (on a fresh part, before the journal's tail is replayed)."""
