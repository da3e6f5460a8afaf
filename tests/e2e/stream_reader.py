"""A WebSocket client that keeps reading the event stream across instances, resuming with ``since``.

It connects to the first of ``candidates()`` (asked afresh at each connect), reads in a thread of its
own, and when the connection drops (the instance was killed, stepped down or stopped) reconnects to the
next candidate with ``?since=<the last sequence it saw>``. ``check`` says what is wrong with what it read.
"""

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from tests.e2e.server import Server
from tests.e2e.stream_client import Message, open_stream


@dataclass
class StreamFaults:
    """What a reader's stream broke: each should be 0."""

    gaps: int  # sequence numbers skipped
    out_of_order: int
    twice: int  # messages (sequence, type) received more than once
    resyncs: int  # times the server said the events asked for were no longer kept


class StreamReader(threading.Thread):
    """Read the stream in the background, reconnecting with ``since`` to a candidate when it drops."""

    def __init__(self, candidates: Callable[[], list[Server]]) -> None:
        super().__init__(daemon=True)
        self.candidates = candidates
        self.messages: list[Message] = []
        self.connections = 0
        self._done = threading.Event()

    def last_seq(self) -> int | None:
        """Return the newest sequence number read, or None."""
        for message in reversed(self.messages):
            if "seq" in message:
                seq: int = message["seq"]
                return seq
        return None

    def run(self) -> None:
        """Read until ``finish``, reconnecting as needed."""
        while not self._done.is_set():
            servers = self.candidates()
            if not servers:
                time.sleep(0.1)
                continue
            since = self.last_seq()
            try:
                with open_stream(servers[0], f"?since={since}" if since is not None else "") as ws:
                    self.connections += 1
                    self._read(ws)
            except (ConnectionClosed, InvalidHandshake, OSError, TimeoutError):
                time.sleep(0.1)

    def _read(self, ws: object) -> None:
        while not self._done.is_set():
            try:
                self.messages.append(orjson.loads(ws.recv(timeout=0.2)))  # type: ignore[attr-defined]
            except TimeoutError:
                continue

    def finish(self) -> list[Message]:
        """Stop reading; return the event messages read, in arrival order."""
        self._done.set()
        self.join(10)
        return self.events()

    def events(self) -> list[Message]:
        """Return the event messages read so far."""
        return [m for m in self.messages if "seq" in m]

    def check(self) -> StreamFaults:
        """Count what is wrong with the stream read: gaps, disorder, repeats, resyncs."""
        events = self.events()
        seqs = [m["seq"] for m in events]
        keys = [(m["seq"], m["type"]) for m in events]
        gaps = len(set(range(seqs[0], seqs[-1] + 1)) - set(seqs)) if seqs else 0
        return StreamFaults(
            gaps=gaps, out_of_order=sum(1 for a, b in itertools.pairwise(seqs) if b < a),
            twice=len(keys) - len(set(keys)), resyncs=sum(1 for m in self.messages if m.get("type") == "resync"),
        )
