"""TradeUpdatesStream: Alpaca's ``trade_updates`` WebSocket, kept open with reconnects and backoff.

Alpaca's flow: send ``authenticate`` with the keys, get ``authorization`` ``authorized``, send ``listen`` for
``trade_updates``, get ``listening``; then every order event arrives, as JSON in binary frames on paper (text
is read too). Each time the stream is up (again), ``on_state(True)`` is called: events sent while it was down
are lost, so the venue tells the engine to reconcile.
"""

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import orjson
import structlog
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from ordergate.adapters.venues.alpaca.config import AlpacaConfig
from ordergate.adapters.venues.alpaca.http import AlpacaObserver, NoObserver, backoff

log = structlog.get_logger(__name__)


class StreamRefused(Exception):
    """Alpaca refused the stream (keys not authorized) or answered out of protocol."""


class TradeUpdatesStream:
    """Keep one ``trade_updates`` connection up; hand each update's ``data`` to ``on_update``."""

    def __init__(
        self, config: AlpacaConfig, on_update: Callable[[dict[str, Any]], None],
        on_state: Callable[[bool, str], None], observer: AlpacaObserver | None = None,
    ) -> None:
        self.config, self.on_update, self.on_state = config, on_update, on_state
        self.observer: AlpacaObserver = observer or NoObserver()
        self.connected = False
        self.connects = 0  # successful (re)connections since start
        self._task: asyncio.Task[None] | None = None
        self._ws: ClientConnection | None = None

    def start(self) -> None:
        """Begin connecting in the background."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="alpaca-trade-updates")

    async def stop(self) -> None:
        """Close the stream and stop reconnecting."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.connected = False

    async def _run(self) -> None:
        failures = 0
        while True:
            reason = "closed"
            try:
                async with connect(self.config.trade_stream_url(), open_timeout=self.config.timeout,
                                   ping_interval=10, ping_timeout=30, max_size=2**23) as ws:
                    self._ws = ws
                    await self._handshake(ws)
                    failures = 0
                    self._up()
                    async for frame in ws:
                        self._dispatch(frame)
            except (OSError, TimeoutError, WebSocketException, StreamRefused) as e:
                reason = f"{type(e).__name__}: {e}" if not isinstance(e, StreamRefused) else str(e)
            finally:
                self._ws = None
            self._down(reason)
            failures += 1
            await asyncio.sleep(backoff(self.config, failures))

    async def _handshake(self, ws: ClientConnection) -> None:
        key_id, secret = self.config.headers().values()
        await ws.send(orjson.dumps({"action": "authenticate", "data": {"key_id": key_id, "secret_key": secret}})
                      .decode())
        reply = await self._next(ws)
        if reply.get("stream") != "authorization" or (reply.get("data") or {}).get("status") != "authorized":
            raise StreamRefused("trade_updates: not authorized")
        await ws.send(orjson.dumps({"action": "listen", "data": {"streams": ["trade_updates"]}}).decode())
        while (await self._next(ws)).get("stream") != "listening":
            pass

    async def _next(self, ws: ClientConnection) -> dict[str, Any]:
        frame = await asyncio.wait_for(ws.recv(), self.config.timeout)
        message = _decode(frame)
        if message is None:
            raise StreamRefused("trade_updates: unreadable frame during handshake")
        return message

    def _dispatch(self, frame: str | bytes) -> None:
        message = _decode(frame)
        if message is None:
            log.warning("alpaca_stream_unreadable_frame", size=len(frame))
            return
        if message.get("stream") == "trade_updates" and isinstance(message.get("data"), dict):
            try:
                self.on_update(message["data"])
            except Exception:  # one bad event must not take the stream down
                log.exception("alpaca_update_failed")

    def _up(self) -> None:
        self.connected = True
        self.connects += 1
        self.observer.reconnected("trade_updates")
        log.info("alpaca_stream_connected", connects=self.connects)
        self.on_state(True, "")

    def _down(self, reason: str) -> None:
        if self.connected:
            self.connected = False
            log.warning("alpaca_stream_lost", reason=reason)
            self.on_state(False, reason)
        else:
            log.info("alpaca_stream_connect_failed", reason=reason)

    async def drop(self) -> None:
        """Close the current connection (it reconnects): for tests and operators."""
        if self._ws is not None:
            await self._ws.close()


def _decode(frame: str | bytes) -> dict[str, Any] | None:
    try:
        message = orjson.loads(frame)
    except orjson.JSONDecodeError:
        return None
    return message if isinstance(message, dict) else None
