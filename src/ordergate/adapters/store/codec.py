"""Events to journal rows and back: JSON payloads (msgspec) with Decimals as exact strings.

The payload is the whole event, so one typed decode rebuilds it with every Decimal, datetime, enum
and Denial as it was. The columns beside it (seq, ts, account, order_id, type, caused_by) are for queries.
"""

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

import msgspec

from ordergate.domain import events as ev

BASE_FIELDS = frozenset({"seq", "ts", "account", "caused_by", "order_id"})

_encoder = msgspec.json.Encoder(decimal_format="string")
_decoders: dict[str, Callable[[bytes | str], Any]] = {}


def event_types() -> dict[str, type[ev.Event]]:
    """Return every concrete event class of the domain by name (new domain events are picked up by themselves).

    Only the class the events module names counts: ``dataclass(slots=True)`` replaces each class by a new
    one, and the class it replaced stays among ``__subclasses__()`` until the garbage collector frees it,
    which may be never once ``gc.freeze`` has run. Decoding into that class would give events that no
    handler knows.
    """
    found: dict[str, type[ev.Event]] = {}
    todo: list[type[ev.Event]] = [ev.Event]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls not in (ev.Event, ev.OrderEvent) and getattr(ev, cls.__name__, None) is cls:
            found[cls.__name__] = cls
    return found


def _decoder(name: str) -> Callable[[bytes | str], Any] | None:
    decode = _decoders.get(name)
    if decode is None:
        cls = event_types().get(name)
        if cls is None:
            return None
        decode = _decoders[name] = msgspec.json.Decoder(cls).decode
    return decode


def _same(value: Any) -> Any:
    return value


class UnknownEventType(ValueError):
    """A journal row names an event type this version of ordergate does not know."""


def event_row(event: ev.Event, ts: Callable[[datetime], Any] = _same) -> tuple[Any, ...]:
    """Return the journal row of an event, in the ``events`` columns' order (``ts`` converts the time)."""
    name = type(event).__name__
    if name not in _decoders and _decoder(name) is None:  # the lookup first: this runs for every event
        raise UnknownEventType(f"type: {name} is not a journal event type")
    return (
        event.seq, ts(event.ts), event.account, getattr(event, "order_id", None), name, event.caused_by,
        _encoder.encode(event).decode(),
    )


def decode_event(type_name: str, payload: str | bytes, seq: int) -> ev.Event:
    """Rebuild an event from its journal row (the row's seq is authoritative)."""
    decode = _decoder(type_name)
    if decode is None:
        raise UnknownEventType(f"type: unknown event type {type_name!r} at seq {seq}")
    try:
        event: ev.Event = decode(payload)
    except msgspec.MsgspecError as e:
        raise ValueError(f"payload: event {type_name} at seq {seq} does not decode: {e}") from e
    event.seq = seq
    return event


def decode_rows(rows: Iterable[tuple[int, str, str | bytes]]) -> Iterator[ev.Event]:
    """Rebuild the events of many journal rows ``(seq, type, payload)``, as ``decode_event`` does for one.

    The loop of a restart: the decoder lookup and the error handling are hoisted out of the per-row work.
    """
    decoders = {name: _decoder(name) for name in event_types()}
    seq, type_name = 0, ""
    try:
        for seq, type_name, payload in rows:
            decode = decoders.get(type_name)
            if decode is None:
                raise UnknownEventType(f"type: unknown event type {type_name!r} at seq {seq}")
            event: ev.Event = decode(payload)
            event.seq = seq
            yield event
    except msgspec.MsgspecError as e:
        raise ValueError(f"payload: event {type_name} at seq {seq} does not decode: {e}") from e


def payload_fields(payload: str | bytes) -> dict[str, Any]:
    """Return the event-specific fields of a payload as JSON-ready values (for the audit API)."""
    data: dict[str, Any] = msgspec.json.decode(payload)
    return {k: v for k, v in data.items() if k not in BASE_FIELDS}
