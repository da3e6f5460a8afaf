"""The relay's wire: length-prefixed msgpack frames on a socket pair between a front worker and the engine.

A frame is an array whose first item is its kind and whose second is the request's stream id (chosen by
the front worker). Front to engine: OPEN (scope and the first received message), RECV (a message the app
pulled), ACK (a send that the app waits on went out, or failed). Engine to front: PULL (the app called
``receive``), SEND (the app called ``send``; its third item says whether the app waits for an ACK), END
(the app returned; its third item is true when it raised).
"""

import asyncio
import struct
from typing import Any

import msgspec

OPEN, RECV, ACK, PULL, SEND, END = range(6)

# What of a front's ASGI scope the engine's app gets (the rest is the front server's own business).
SCOPE_KEYS = ("type", "asgi", "http_version", "method", "scheme", "path", "raw_path", "query_string", "root_path",
              "headers", "client", "server", "subprotocols", "extensions")

_LENGTH = struct.Struct("!I")
_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder().decode


def frame(*items: Any) -> bytes:
    """Return one frame holding ``items``."""
    payload = _encode(items)
    return _LENGTH.pack(len(payload)) + payload


class FrameReader:
    """Split the bytes read from the socket into decoded frames."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[list[Any]]:
        """Add ``data``; return the frames it completed."""
        buffer = self._buffer
        buffer += data
        frames = []
        start, size = 0, len(buffer)
        while size - start >= 4:
            (length,) = _LENGTH.unpack_from(buffer, start)
            end = start + 4 + length
            if end > size:
                break
            frames.append(_decode(buffer[start + 4:end]))
            start = end
        del buffer[:start]
        return frames


class FrameWriter:
    """Write frames, those of one turn of the event loop together in one write (one system call)."""

    def __init__(self, transport: asyncio.WriteTransport) -> None:
        self._transport = transport
        self._pending: list[bytes] = []
        self._loop = asyncio.get_running_loop()

    def write_frame(self, *items: Any) -> None:
        """Queue one frame of ``items``; it goes out at the end of this turn of the loop."""
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(frame(*items))

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        if not self._transport.is_closing():
            self._transport.write(b"".join(pending))
