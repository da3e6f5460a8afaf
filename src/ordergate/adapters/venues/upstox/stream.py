"""PortfolioStream: Upstox's order updates over the portfolio stream feed, reconnecting with backoff.

The handshake carries the Bearer token and is answered with a 302 to a one-time URL, which the client
follows (each reconnect gets a new one). Messages are JSON text frames. Every (re)connect and every drop is
told to the venue, which reports it to the engine as a cue to reconcile.
"""

import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import structlog
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus, WebSocketException

from ordergate.adapters.venues.upstox.config import UpstoxConfig
from ordergate.adapters.venues.upstox.token import TokenKeeper

log = structlog.get_logger(__name__)
PATH = "/v2/feed/portfolio-stream-feed?update_types=order%2Cgtt_order"


def stream_url(api_url: str) -> str:
    """Return the portfolio stream URL on the API host."""
    return api_url.rstrip("/").replace("https://", "wss://").replace("http://", "ws://") + PATH


class PortfolioStream:
    """Keep one portfolio stream connected while the token is good; hand each order update to ``on_update``."""

    def __init__(
        self, config: UpstoxConfig, token: TokenKeeper, on_update: Callable[[dict[str, Any]], None],
        on_connection: Callable[[bool, str], Awaitable[None]],
    ) -> None:
        self.config = config
        self.token = token
        self.on_update = on_update
        self.on_connection = on_connection
        self.connected = False
        self.connects = 0
        self.token_changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start connecting in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="upstox-portfolio-stream")

    async def stop(self) -> None:
        """Disconnect and stop."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        failures = 0
        while True:
            if self.token.unavailable_reason() is not None:
                self.token_changed.clear()
                await self.token_changed.wait()  # the venue sets it when a new token is taken
                continue
            try:
                await self._session()
                failures = 0
            except asyncio.CancelledError:
                raise
            except InvalidStatus as e:
                if e.response.status_code == 401:
                    self.token.refused()
                log.warning("upstox_stream_refused", status=e.response.status_code)
            except (OSError, WebSocketException, TimeoutError) as e:
                log.warning("upstox_stream_failed", error=type(e).__name__)
            if self.connected:
                self.connected = False
                await self.on_connection(False, "portfolio stream dropped")
            failures += 1
            await asyncio.sleep(self._backoff(failures))

    def _backoff(self, failures: int) -> float:
        ceiling = min(self.config.backoff_max, self.config.backoff_initial * 2 ** min(failures, 16))
        return random.uniform(self.config.backoff_initial, max(self.config.backoff_initial, ceiling))

    async def _session(self) -> None:
        headers = {"Authorization": self.token.header(), "Accept": "*/*"}
        async with connect(stream_url(self.config.api_url), additional_headers=headers,
                           open_timeout=self.config.timeout, ping_interval=20, max_size=2**20) as ws:
            self.connected = True
            self.connects += 1
            await self.on_connection(True, "")
            async for frame in ws:
                try:
                    message = json.loads(frame, parse_float=Decimal)
                except ValueError:
                    log.warning("upstox_stream_unreadable")
                    continue
                if isinstance(message, dict) and message.get("update_type", "order") in ("order", "gtt_order"):
                    self.on_update(message)
