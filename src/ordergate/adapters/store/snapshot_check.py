"""Verify the newest snapshot against a full replay of the journal (``ordergate db check``).

Both folds are built by the same wiring as the server's: one replays the whole journal, the other restores
the snapshot and replays the journal after it. Their ledgers and state parts must be equal, except what
live prices decide rather than the journal: risk usage's marks, and the position value each trading day
opened at (taken at the marks of that moment). Both let the orders that ended before today leave memory
first, as a start does.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from ordergate.adapters.store.journal import SqlJournal
from ordergate.adapters.store.snapshot_codec import FoldCopy, SnapshotRefused, take
from ordergate.adapters.store.snapshot_restore import apply, load
from ordergate.adapters.store.snapshots import SqlSnapshots
from ordergate.domain.ledger import Ledger

MARK, AT_OPEN = 2, 4  # positions in risk usage's symbol and currency-totals tuples


def check_snapshot(engine: Engine, build: Callable[[], Ledger]) -> list[str]:
    """Return how the newest snapshot (and the journal after it) differs from a full replay (empty: none, or
    no snapshot). ``build`` makes a fresh ledger wired with every state part, as the server's."""
    snapshots = SqlSnapshots(engine)
    info = next(snapshots.newest_first(), None)
    if info is None:
        return []
    journal = SqlJournal(engine)
    name = f"snapshot {info.id} (seq {info.seq})"
    restored = build()
    try:
        copy = load(snapshots, info, journal.last_seq(), restored)
        apply(copy, restored)
    except SnapshotRefused as e:
        return [f"{name}: a start would ignore it: {e}"]
    restored.replay(journal.read_events(after_seq=copy.seq))
    full = build()
    full.replay(journal.read_events())
    now = datetime.now(UTC)  # as a start does: what ended before today leaves memory in both
    restored.evict_ended(now)
    full.evict_ended(now)
    return [f"{name} differs from a full replay: {d}" for d in compare(take(full), take(restored))]


def compare(want: FoldCopy, have: FoldCopy) -> list[str]:
    """Return the sections where two fold copies differ."""
    found = []
    for section in ("last_seq", "orders", "accounts", "positions", "trading_states", "fill_owners", "flattening",
                    "flattens_incomplete", "ended"):
        w, h = _plain(section, getattr(want.ledger, section)), _plain(section, getattr(have.ledger, section))
        if w != h:
            found.append(f"ledger {section}{_first(w, h)}")
    for name in sorted(want.parts.keys() | have.parts.keys()):
        w, h = _part(name, want.parts.get(name)), _part(name, have.parts.get(name))
        if w != h:
            found.append(f"state part {name}{_first(w, h)}")
    return found


def _plain(section: str, value: Any) -> Any:
    if section == "orders":  # fill ids as a tuple or a set: compared as sets; one read back comes last
        return sorted(((*o[:26], frozenset(o[26]), *o[27:]) for o in value), key=lambda o: o[0])
    if section == "fill_owners":
        return set(value)
    return value


def _part(name: str, state: Any) -> Any:
    if name != "risk_usage" or state is None:
        return state
    changes, accounts = state
    return changes, [(*a[:5], [t[:AT_OPEN] for t in a[5]], [s[:MARK] for s in a[6]], *a[7:]) for a in accounts]


def _first(want: Any, have: Any) -> str:
    if isinstance(want, list) and isinstance(have, list):
        if len(want) != len(have):
            return f": {len(have)} entries, a full replay has {len(want)}"
        for w, h in zip(want, have, strict=True):
            if w != h:
                return f": {h!r} where a full replay has {w!r}"
    return ""
