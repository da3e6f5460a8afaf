"""Snapshots of the fold to bytes and back: JSON (msgspec), Decimals as exact strings, as the journal's payloads.

``take`` copies the ledger's state and every state part's between two messages (on the engine's thread:
nothing changes meanwhile); ``encode`` turns that copy into bytes anywhere else (a worker thread: the copy
shares nothing mutable with the live state), in chunks so that the event loop gets the GIL between them.
``decode`` refuses a body that is not this schema, or whose parts are not the ones this wiring keeps,
before anything is restored.
"""

import gc
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from ordergate.domain.ledger import Ledger
from ordergate.domain.ledger_state import LedgerState, OrderValues, ledger_state

SCHEMA_VERSION = 2  # 2: only the orders in memory, their creation seqs, what is known of the others
CHUNK = 20_000  # orders per encode call: each call holds the GIL

_encoder = msgspec.json.Encoder(decimal_format="string")


class SnapshotRefused(ValueError):
    """A snapshot that cannot be restored here (its schema, its parts or its content)."""


@dataclass(slots=True)
class FoldCopy:
    """The fold as of ``seq``: the ledger's state and each state part's, sharing nothing with the live state.

    A decoded copy keeps its orders encoded in ``chunks``, decoded a chunk at a time by ``orders_of``: the
    whole list decoded at once would hold every order twice at the peak of a start.
    """

    seq: int
    ledger: LedgerState
    parts: dict[str, Any]
    chunks: list[msgspec.Raw] = field(default_factory=list)


class _Head(msgspec.Struct):
    schema: int
    seq: int
    parts: dict[str, msgspec.Raw]
    ledger: msgspec.Raw
    orders: list[msgspec.Raw] = msgspec.field(default_factory=list)


_chunk_decoder = msgspec.json.Decoder(list[OrderValues])


def orders_of(copy: FoldCopy) -> Iterator[OrderValues]:
    """Yield a copy's orders, decoding its chunks one at a time; raise SnapshotRefused if one does not decode."""
    yield from copy.ledger.orders
    for chunk in copy.chunks:
        try:
            decoded = _chunk_decoder.decode(chunk)
        except msgspec.MsgspecError as e:
            raise SnapshotRefused(f"orders: do not decode as this schema: {e}") from e
        yield from decoded


def take(ledger: Ledger) -> FoldCopy:
    """Copy the fold now (call between messages: the copy is consistent only if nothing is applied meanwhile)."""
    # The copy makes a tuple per order and no cycles: with the collector on, the allocations would start
    # collections of the older generations over and over, each scanning every copy made so far.
    collecting = gc.isenabled()
    gc.disable()
    try:
        parts = {name: part.snapshot_state() for name, part in sorted(ledger.state_parts.items())}
        return FoldCopy(ledger.last_seq, ledger_state(ledger), parts)
    finally:
        if collecting:
            gc.enable()


def encode(copy: FoldCopy) -> bytes:
    """Return the snapshot body of a fold copy."""
    state = copy.ledger
    ledger = b"".join([
        b'{"last_seq":', _encoder.encode(state.last_seq),
        b',"orders":[]',
        b',"accounts":', _encoder.encode(state.accounts),
        b',"positions":', _encoder.encode(state.positions),
        b',"trading_states":', _encoder.encode(state.trading_states),
        b',"fill_owners":', _chunked(state.fill_owners),
        b',"flattening":', _encoder.encode(state.flattening),
        b',"flattens_incomplete":', _encoder.encode(state.flattens_incomplete),
        b',"order_seqs":', _encoder.encode(state.order_seqs),
        b',"ended":', _encoder.encode(state.ended), b"}",
    ])
    parts = b",".join(_encoder.encode(name) + b":" + _encoder.encode(value) for name, value in copy.parts.items())
    orders = b",".join(_encoder.encode(state.orders[i:i + CHUNK]) for i in range(0, len(state.orders), CHUNK))
    return b"".join([b'{"schema":', _encoder.encode(SCHEMA_VERSION), b',"seq":', _encoder.encode(copy.seq),
                     b',"parts":{', parts, b'},"ledger":', ledger, b',"orders":[', orders, b"]}"])


def _chunked(items: list[Any]) -> bytes:
    pieces = [_encoder.encode(items[i:i + CHUNK])[1:-1] for i in range(0, len(items), CHUNK)]
    return b"[" + b",".join(pieces) + b"]"


def schema_of(body: bytes) -> tuple[int, int]:
    """Return the schema version and the sequence number a body says it has (without decoding the rest)."""
    try:
        head = msgspec.json.decode(body, type=_Head)
    except msgspec.MsgspecError as e:
        raise SnapshotRefused(f"body: does not decode: {e}") from e
    return head.schema, head.seq


def decode(body: bytes, kept: Mapping[str, Any]) -> FoldCopy:
    """Decode a body for a ledger that keeps the state parts ``kept`` (name -> part with its STATE_TYPE)."""
    try:
        head = msgspec.json.decode(body, type=_Head)
    except msgspec.MsgspecError as e:
        raise SnapshotRefused(f"body: does not decode: {e}") from e
    if head.schema != SCHEMA_VERSION:
        raise SnapshotRefused(f"schema: version {head.schema}, this version of ordergate reads {SCHEMA_VERSION}")
    _same_parts(head.parts, kept)
    try:
        ledger = msgspec.json.decode(head.ledger, type=LedgerState)
        parts = {name: msgspec.json.decode(head.parts[name], type=part.STATE_TYPE) for name, part in kept.items()}
    except msgspec.MsgspecError as e:
        raise SnapshotRefused(f"body: does not decode as this schema: {e}") from e
    if ledger.last_seq != head.seq:
        raise SnapshotRefused(f"seq: the body says {head.seq}, its ledger {ledger.last_seq}")
    return FoldCopy(head.seq, ledger, parts, head.orders)


def _same_parts(found: Iterable[str], kept: Iterable[str]) -> None:
    missing, extra = sorted(set(kept) - set(found)), sorted(set(found) - set(kept))
    if missing or extra:
        raise SnapshotRefused(f"parts: missing {missing or 'none'}, unknown {extra or 'none'}")
