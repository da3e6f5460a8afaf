"""The WebSocket stream: committed order events (resumable by sequence number) and market data on request.

Alone, an instance delivers the events it commits to its clients and keeps the latest for those that
resume. With Redis, every instance's clients get their messages from the shared Redis stream instead
(see stream_relay.py), and a client resumes from there on any instance.
"""

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import orjson
from fastapi import WebSocket

from ordergate.domain.events import Event
from ordergate.entrypoints.api.serialize import _default
from ordergate.entrypoints.market_stream import CommandError, MarketStream
from ordergate.entrypoints.order_stream import RESUME_WINDOW, OrderMessages
from ordergate.entrypoints.stream_limits import POLICY_VIOLATION, MessageLimit
from ordergate.service.marketdata import MarketDataHub
from ordergate.service.views import Views

if TYPE_CHECKING:  # Redis is imported only by a hub that shares the stream through it
    from ordergate.adapters.shared.link import RedisLink
    from ordergate.entrypoints.stream_relay import StreamRelay

QUEUE_LIMIT = 10_000
MAX_COMMAND = 4096  # bytes: a subscribe command is well under 200


class _Client:
    def __init__(self, accounts: frozenset[str] | None) -> None:
        self.accounts = accounts  # those the client's key may see (and it asked for); None: every account
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(QUEUE_LIMIT)
        self.dropped = False
        self.market: MarketStream | None = None
        self.held: list[tuple[int, bytes]] | None = None  # live messages kept back while its history is sent
        self.close_reason = "too slow: reconnect with since=<last seq>"  # when dropped


class StreamHub:
    """An EventSink that turns committed events into messages for each connected WebSocket client.

    ``redis``: share the stream with the other instances (nothing is delivered but what Redis holds).
    """

    def __init__(self, views: Views, marketdata: MarketDataHub, known: Callable[[str], bool],
                 redis: "RedisLink | None" = None) -> None:
        self._orders = OrderMessages(views)
        self._relay: StreamRelay | None = None
        if redis is not None:
            from ordergate.adapters.shared import event_stream
            from ordergate.entrypoints import stream_relay

            self._relay = stream_relay.StreamRelay(event_stream.RedisEventStream(redis), self._deliver, self._lost)
        self._marketdata = marketdata
        self._known = known
        self._clients: set[_Client] = set()
        self._keep_until = 0.0  # monotonic time until which messages are kept with no client connected
        marketdata.subscribe(self._market_changed)

    @property
    def client_count(self) -> int:
        """Return how many clients are connected."""
        return len(self._clients)

    @property
    def last_seq(self) -> int:
        """Return the sequence number of the newest event delivered to clients."""
        return self._relay.seen_seq if self._relay is not None else self._orders.last_seq

    async def start(self) -> None:
        """Start sharing through Redis (nothing to start alone)."""
        if self._relay is not None:
            await self._relay.start()

    async def stop(self) -> None:
        """Stop sharing through Redis, and close every client's stream, telling it to reconnect."""
        if self._relay is not None:
            await self._relay.stop()
        for client in list(self._clients):
            client.close_reason = "this stream stopped: reconnect with since=<last seq>"
            self._offer(client, orjson.dumps({"type": "reconnect", "last_seq": self.last_seq,
                                              "reason": client.close_reason}))
            client.dropped = True
            self._clients.discard(client)

    def publish(self, events: Iterable[Event]) -> None:
        """Queue a message per event for every client that wants it; drop clients that fall behind.

        Messages are built (and kept for resuming) while a client is connected and for RESUME_WINDOW
        seconds after the last one left: a server that nobody watches spends nothing on them. With Redis,
        the messages of every event Redis does not hold yet go there (and come back to the clients).
        """
        if self._relay is not None:
            self._share(events, self._relay.offer)
            return
        if not self._clients and time.monotonic() > self._keep_until:
            for event in events:
                self._orders.skip(event)
            return
        for event in events:
            for account, data in self._orders.messages(event):
                for client in list(self._clients):
                    if client.accounts is None or account in client.accounts:
                        self._offer(client, data)

    def follow(self, events: Iterable[Event]) -> None:
        """Take events this instance read from the journal (a standby): alone, as ``publish``; with Redis,
        they are published only if the instance that committed them did not (see stream_relay.py)."""
        if self._relay is None:
            self.publish(events)
        else:
            self._share(events, self._relay.follow)

    def _share(self, events: Iterable[Event], offer: Callable[[int, list[tuple[str, bytes]]], None]) -> None:
        relay = self._relay
        assert relay is not None
        for event in events:
            if event.seq <= relay.seen_seq:  # Redis has it already (another instance published it)
                self._orders.skip(event)
            else:
                offer(event.seq, self._orders.render(event))

    def _deliver(self, seq: int, account: str, data: bytes) -> None:
        """Give one message read back from Redis to every client that wants it."""
        for client in list(self._clients):
            if client.accounts is None or account in client.accounts:
                if client.held is not None:
                    client.held.append((seq, data))
                else:
                    self._offer(client, data)

    def _lost(self, after: int, found: int) -> None:
        """Tell every client that the events between ``after`` and ``found`` never reached the shared stream."""
        for client in list(self._clients):
            self._offer(client, orjson.dumps({
                "type": "resync", "since": after, "kept_after": found - 1, "last_seq": found,
                "reason": f"the events after {after} and before {found} were not shared: reload the state",
            }))

    def _market_changed(self, symbol: str) -> None:
        for client in self._clients:
            if client.market is not None:
                client.market.changed(symbol)

    def _offer(self, client: _Client, data: bytes) -> bool:
        try:
            client.queue.put_nowait(data)
        except asyncio.QueueFull:
            client.dropped = True
            self._clients.discard(client)
            return False
        return True

    async def _join(self, client: _Client, since: int | None) -> None:
        """Send the missed messages after ``since`` (from Redis when shared), then the live stream, gap-free."""
        if since is None or self._relay is None:
            self._join_now(client, since)
            return
        client.held = []  # what arrives while the history is read waits behind it
        self._clients.add(client)
        try:
            missed = await self._relay.history(since, client.accounts, QUEUE_LIMIT - 1)
        except BaseException:
            self._clients.discard(client)
            raise
        sent_up_to = since
        if missed is None:
            self._offer(client, orjson.dumps(self._resync(since)))
        else:
            for seq, data in missed:
                client.queue.put_nowait(data)
                sent_up_to = seq
        self._offer(client, orjson.dumps({"type": "hello", "last_seq": max(sent_up_to, self.last_seq),
                                          "resumed_from": since}))
        held, client.held = client.held, None
        for seq, data in held:
            if seq > sent_up_to:
                self._offer(client, data)

    def _resync(self, since: int) -> dict[str, Any]:
        floor = None if self._relay is not None else self._orders.floor
        return {"type": "resync", "since": since, "kept_after": floor, "last_seq": self.last_seq,
                "reason": "the events after your sequence number are no longer kept: reload the state"}

    def _join_now(self, client: _Client, since: int | None) -> None:
        """Queue the missed messages after ``since`` and register the client, with no await in between."""
        if since is not None:
            missed = self._orders.since(since, client.accounts)
            if missed is None or len(missed) >= QUEUE_LIMIT:
                self._offer(client, orjson.dumps(self._resync(since)))
            else:
                for data in missed:
                    client.queue.put_nowait(data)
        self._offer(client, orjson.dumps({"type": "hello", "last_seq": self.last_seq, "resumed_from": since}))
        self._clients.add(client)

    async def serve(self, websocket: WebSocket, accounts: frozenset[str] | None, since: int | None = None,
                    limit: MessageLimit | None = None) -> None:
        """Send this client its messages (of these accounts; None: all) and answer its commands until it leaves.

        ``limit``: the key's message rate; a message past it is answered with an error, and a client that
        floods past it is closed (1008).
        """
        client = _Client(accounts)
        client.market = MarketStream(self._marketdata, self._known, lambda m: self._send(client, m))
        await self._join(client, since)
        tasks = [asyncio.create_task(self._send_loop(websocket, client)), asyncio.create_task(client.market.run())]
        closing: str | None = None
        try:
            while not tasks[0].done():
                message = await websocket.receive()
                if message.get("type") == "websocket.disconnect":
                    return
                refusal = await limit.refusal() if limit is not None else None
                if refusal is None:
                    self._command(client, message.get("text"), message.get("bytes"))
                elif limit is not None and limit.flooding:
                    closing = limit.close_reason()
                    return
                else:
                    self._send(client, refusal)
        finally:
            self._clients.discard(client)
            self._keep_until = time.monotonic() + RESUME_WINDOW
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if closing is not None:  # after the sender stopped: one writer on the socket at a time
                with contextlib.suppress(Exception):
                    await websocket.close(POLICY_VIOLATION, closing)

    def _send(self, client: _Client, message: dict[str, Any]) -> bool:
        if client.dropped:
            return False
        return self._offer(client, orjson.dumps(message, default=_default))

    def _command(self, client: _Client, text: str | None, raw: bytes | None) -> None:
        """Answer one client command; a bad one gets an error naming the field, and changes nothing."""
        assert client.market is not None
        body = text.encode() if text is not None else raw or b""
        try:
            if len(body) > MAX_COMMAND:
                raise CommandError("message", f"a command is at most {MAX_COMMAND} bytes")
            try:
                command = orjson.loads(body)
            except orjson.JSONDecodeError as e:
                raise CommandError("message", "a command is a JSON object, e.g. "
                                   '{"op": "subscribe", "channel": "quotes", "symbol": "AAPL"}') from e
            if not isinstance(command, dict):
                raise CommandError("message", "a command is a JSON object")
            if command.get("op") == "ping":
                answer: dict[str, Any] = {"type": "pong", "last_seq": self.last_seq}
            elif command.get("op") in ("subscribe", "unsubscribe"):
                answer = client.market.handle(command)
            else:
                raise CommandError("op", "op must be subscribe, unsubscribe or ping")
        except CommandError as e:
            answer = {"type": "error", "field": e.field, "message": str(e)}
        self._send(client, answer)

    async def _send_loop(self, websocket: WebSocket, client: _Client) -> None:
        while True:
            await websocket.send_text((await client.queue.get()).decode())
            if client.dropped and client.queue.empty():
                await websocket.close(code=1013, reason=client.close_reason)
                return
