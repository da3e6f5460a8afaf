"""UpstoxHttp: Upstox REST calls with their envelopes, per-class budgets and retries (tenacity).

Order place/modify/cancel go to the order host, everything else to the API host. JSON numbers are read as
Decimal. 429 is always retried (Upstox did nothing); 5xx and timeouts are retried only when the caller
says a repeat is harmless: a place whose answer is lost is looked up by its tag instead (see orders.py).
"""

import json
import time
from decimal import Decimal
from typing import Any

import httpx
import structlog
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from ordergate.adapters.venue_metrics import VenueObserver
from ordergate.adapters.venues.upstox.budget import RequestBudget
from ordergate.adapters.venues.upstox.config import UpstoxConfig
from ordergate.adapters.venues.upstox.token import TokenKeeper

log = structlog.get_logger(__name__)
ORDER_PATHS = ("/order/place", "/order/modify", "/order/cancel")


class UpstoxApiError(Exception):
    """Upstox answered with an error (or no JSON): the HTTP status and the first error's code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message

    @property
    def transient(self) -> bool:
        """Return whether trying again later may succeed (rate limit or server trouble)."""
        return self.status == 429 or self.status >= 500

    @property
    def unauthorized(self) -> bool:
        """Return whether Upstox refused the token."""
        return self.status == 401


class UpstoxLost(Exception):
    """No answer (timeout, dropped connection): the request may or may not have taken effect."""


def _errors(status: int, content: bytes) -> UpstoxApiError:
    try:
        body = json.loads(content)
        first = body["errors"][0]
        code = first.get("error_code") or first.get("errorCode") or ""
        return UpstoxApiError(status, str(code), str(first.get("message") or ""))
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return UpstoxApiError(status, "", f"HTTP {status}")


def _retryable(ambiguous_ok: bool) -> Any:
    def check(exc: BaseException) -> bool:
        if isinstance(exc, UpstoxApiError):
            return exc.status == 429 or (ambiguous_ok and exc.status >= 500)
        return ambiguous_ok and isinstance(exc, UpstoxLost)
    return retry_if_exception(check)


class UpstoxHttp:
    """The REST client of one Upstox account."""

    def __init__(self, config: UpstoxConfig, token: TokenKeeper, client: httpx.AsyncClient | None = None,
                 observer: VenueObserver | None = None) -> None:
        self.config = config
        self.observer = observer
        self.token = token
        self._client = client or httpx.AsyncClient(timeout=config.timeout)
        self.budgets = {"orders": RequestBudget(config.orders_per_second),
                        "others": RequestBudget(config.others_per_second)}
        self.calls = {"orders": 0, "others": 0}  # requests sent, retries included (metrics)
        self.retries = 0

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def call(self, method: str, path: str, *, params: dict[str, str] | None = None,
                   body: dict[str, Any] | None = None, repeat_ok: bool = True) -> Any:
        """Send one request (retrying per the rules above) and return the envelope's ``data``."""
        retrying = AsyncRetrying(
            retry=_retryable(repeat_ok), stop=stop_after_attempt(self.config.max_attempts), reraise=True,
            wait=wait_random_exponential(multiplier=self.config.backoff_initial, max=self.config.backoff_max),
        )
        async for attempt in retrying:
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    self.retries += 1
                    if self.observer is not None:
                        self.observer.retried(_cause(attempt.retry_state.outcome))
                return await self._once(method, path, params, body)
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

    async def _once(self, method: str, path: str, params: dict[str, str] | None, body: dict[str, Any] | None) -> Any:
        kind = "orders" if any(p in path for p in ORDER_PATHS) else "others"
        waited = await self.budgets[kind].take()
        if waited and self.observer is not None:
            self.observer.rate_limited(waited)
        started = time.perf_counter()
        self.calls[kind] += 1
        base = self.config.order_url if kind == "orders" else self.config.api_url
        headers = {"Authorization": self.token.header(), "Accept": "application/json"}
        if path.startswith("/v2"):
            headers["Api-Version"] = "2.0"
        if self.config.algo_name:
            headers["X-Algo-Name"] = self.config.algo_name
        content = json.dumps(body).encode() if body is not None else None
        if content is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = await self._client.request(method, base.rstrip("/") + path, params=params,
                                                  content=content, headers=headers)
        except (httpx.TimeoutException, httpx.TransportError) as e:
            self._observe(path, started, "timeout" if isinstance(e, httpx.TimeoutException) else "transport")
            log.warning("upstox_request_lost", method=method, path=path, error=type(e).__name__)
            raise UpstoxLost(f"{method} {path}: {type(e).__name__}") from None
        self._observe(path, started, "ok" if response.status_code < 400 else str(response.status_code))
        if response.status_code >= 400:
            error = _errors(response.status_code, response.content)
            log.info("upstox_request_refused", method=method, path=path, status=error.status, code=error.code)
            if error.unauthorized and kind == "others":
                self.token.refused()  # a read refused: the token is dead (an order call's 401 may not mean it)
            raise error
        try:
            return json.loads(response.content, parse_float=Decimal)["data"]
        except (ValueError, KeyError, TypeError):
            raise UpstoxApiError(response.status_code, "", "answer without a JSON envelope") from None

    def _observe(self, path: str, started: float, outcome: str) -> None:
        if self.observer is not None:
            self.observer.request_done(path.split("?", 1)[0], time.perf_counter() - started, outcome)


def _cause(outcome: Any) -> str:
    exc = outcome.exception() if outcome is not None else None
    if isinstance(exc, UpstoxApiError):
        return str(exc.status)
    return "timeout" if isinstance(exc, UpstoxLost) else "other"
