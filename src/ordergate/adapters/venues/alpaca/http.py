"""AlpacaHttp: Alpaca's REST over one keep-alive httpx client, with a request budget and retries.

429, 5xx, timeouts and dropped connections are retried with exponential backoff and jitter (tenacity); a 429
waits at least until the ``X-Ratelimit-Reset`` it names. Every other answer is returned to the caller, who
decides what a 4xx means. A request that must not be repeated blindly (creating an order) is sent with
``retry=False``: its caller looks the order up before sending it again.
"""

import asyncio
import random
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import orjson
import structlog
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from ordergate.adapters.venues.alpaca.config import AlpacaConfig

log = structlog.get_logger(__name__)


def backoff(config: AlpacaConfig, attempt: int) -> float:
    """Return the wait before try number ``attempt`` + 1: exponential from ``backoff_initial``, capped at
    ``backoff_max``, with jitter over its upper half (so many clients do not retry in step)."""
    ceiling: float = min(config.backoff_initial * 2.0 ** (attempt - 1), config.backoff_max)
    return ceiling / 2 + random.uniform(0, ceiling / 2)


class AlpacaObserver(Protocol):
    """What the venue tells metrics about its requests and streams."""

    def request_done(self, endpoint: str, seconds: float, outcome: str) -> None:
        """Record one HTTP exchange: ``outcome`` is ok, 4xx, 429, 5xx, timeout or transport."""

    def retried(self, reason: str) -> None:
        """Record one retry and why."""

    def rate_limited(self, seconds: float) -> None:
        """Record a wait imposed by the request budget or Alpaca's rate-limit headers."""

    def reconnected(self, stream: str) -> None:
        """Record a stream (re)connect."""


class NoObserver:
    """Observe nothing."""

    def request_done(self, endpoint: str, seconds: float, outcome: str) -> None:
        """Ignore the exchange."""

    def retried(self, reason: str) -> None:
        """Ignore the retry."""

    def rate_limited(self, seconds: float) -> None:
        """Ignore the wait."""

    def reconnected(self, stream: str) -> None:
        """Ignore the reconnect."""


@dataclass(slots=True)
class AlpacaAnswer:
    """A final HTTP answer: status and decoded JSON body (None when empty or not JSON)."""

    status: int
    body: Any

    @property
    def ok(self) -> bool:
        """Return whether the status is 2xx."""
        return 200 <= self.status < 300

    @property
    def message(self) -> str:
        """Return Alpaca's error message (its body's ``message``), or the status."""
        if isinstance(self.body, dict) and isinstance(self.body.get("message"), str):
            return str(self.body["message"])
        return f"HTTP {self.status}"


class AlpacaUnavailable(Exception):
    """Alpaca did not answer usefully (429, 5xx, timeout, connection lost); ``wait`` is a server-named pause."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.wait = reason, wait


class RequestBudget:
    """At most ``per_minute`` requests in any 60 s, and none before a rate-limit reset Alpaca announced."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._sent: deque[float] = deque()
        self._paused_until = 0.0

    def pause_until(self, monotonic_deadline: float) -> None:
        """Hold every request until ``monotonic_deadline``."""
        self._paused_until = max(self._paused_until, monotonic_deadline)

    async def acquire(self) -> float:
        """Wait for a slot; return the seconds waited."""
        waited = 0.0
        while True:
            now = time.monotonic()
            while self._sent and now - self._sent[0] >= 60:
                self._sent.popleft()
            delay = max(self._paused_until - now, 0.0)
            if not delay and len(self._sent) >= self.per_minute:
                delay = 60 - (now - self._sent[0])
            if delay <= 0:
                self._sent.append(now)
                return waited
            await asyncio.sleep(delay)
            waited += delay


class AlpacaHttp:
    """Send requests to Alpaca's Trading (or Market Data) REST API."""

    def __init__(self, config: AlpacaConfig, base_url: str, observer: AlpacaObserver | None = None) -> None:
        self.config = config
        self.observer: AlpacaObserver = observer or NoObserver()
        self.budget = RequestBudget(config.requests_per_minute)
        self._client = httpx.AsyncClient(
            base_url=base_url, headers=config.headers(), timeout=httpx.Timeout(config.timeout),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10, keepalive_expiry=60),
        )

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def request(
        self, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None, retry: bool = True,
    ) -> AlpacaAnswer:
        """Send one request; retry 429/5xx/timeouts when ``retry``; return the final answer.

        Raises AlpacaUnavailable when Alpaca could not be reached usefully (after the retries, if any).
        """
        if not retry:
            return await self._once(method, path, json, params)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.config.max_attempts), wait=self._wait,
            retry=retry_if_exception_type(AlpacaUnavailable), before_sleep=self._before_sleep, reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._once(method, path, json, params)
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

    def backoff(self, attempt: int) -> float:
        """Return the wait before retry number ``attempt`` (1-based)."""
        return backoff(self.config, attempt)

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        wait = self.backoff(state.attempt_number)
        if isinstance(error, AlpacaUnavailable) and error.wait is not None:
            self.observer.rate_limited(error.wait)
            wait = max(wait, error.wait)
        return wait

    def _before_sleep(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        reason = error.reason if isinstance(error, AlpacaUnavailable) else type(error).__name__
        self.observer.retried(reason)
        log.info("alpaca_retry", reason=reason, attempt=state.attempt_number)

    async def _once(self, method: str, path: str, json: Any, params: dict[str, str] | None) -> AlpacaAnswer:
        waited = await self.budget.acquire()
        if waited:
            self.observer.rate_limited(waited)
        endpoint = _endpoint(path)
        started = time.monotonic()
        try:
            response = await self._client.request(
                method, path, content=None if json is None else orjson.dumps(json), params=params,
                headers={"Content-Type": "application/json"} if json is not None else None,
            )
        except httpx.TimeoutException:
            self.observer.request_done(endpoint, time.monotonic() - started, "timeout")
            raise AlpacaUnavailable("timeout") from None
        except httpx.TransportError as e:
            self.observer.request_done(endpoint, time.monotonic() - started, "transport")
            raise AlpacaUnavailable(f"transport: {type(e).__name__}") from None
        answer = AlpacaAnswer(response.status_code, _body(response))
        self.observer.request_done(endpoint, time.monotonic() - started, _outcome(response.status_code))
        reset = self._note_rate_limit(response)
        if response.status_code == 429:
            raise AlpacaUnavailable("429", wait=reset)
        if response.status_code >= 500:
            raise AlpacaUnavailable(f"{response.status_code}: {answer.message}")
        return answer

    def _note_rate_limit(self, response: httpx.Response) -> float | None:
        """Pause the budget when Alpaca says the window is spent; return the seconds to its reset."""
        try:
            remaining = int(response.headers.get("X-Ratelimit-Remaining", "1"))
            reset_at = float(response.headers["X-Ratelimit-Reset"])
        except (KeyError, ValueError):
            return None
        wait = min(max(reset_at - time.time(), 0.0), 60.0)
        if remaining <= 0 or response.status_code == 429:
            self.budget.pause_until(time.monotonic() + wait)
        return wait


def _body(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None


def _outcome(status: int) -> str:
    if status < 400:
        return "ok"
    if status == 429:
        return "429"
    return "5xx" if status >= 500 else "4xx"


def _endpoint(path: str) -> str:
    """Return a low-cardinality name for a path (ids dropped), for metrics."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 3 and parts[1] in ("orders", "positions"):
        parts[2] = "{id}"
    return "/" + "/".join(parts)
