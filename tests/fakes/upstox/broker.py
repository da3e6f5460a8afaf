"""FakeUpstox: everything the fake server holds (the exchange, rate limits, one-time URLs, OAuth codes)."""

import secrets
import threading
from decimal import Decimal

from tests.fakes.upstox.exchange import FakeExchange
from tests.fakes.upstox.ratelimit import RateLimits

CLIENT_ID = "fake-client-id"
CLIENT_SECRET = "fake-client-secret"


class FakeUpstox:
    """The state behind one fake Upstox server; tests drive it directly (``fake.exchange.fill(...)``)."""

    def __init__(self, cash: Decimal = Decimal("10000000"), fill_parts: int = 1,
                 orders_per_second: int | None = None, others_per_second: int | None = None) -> None:
        self.exchange = FakeExchange(cash=cash, fill_parts=fill_parts)
        self.limits = RateLimits(orders_per_second, others_per_second)
        self.feed_tick_seconds = 0.2  # how often the market data feed sends live ticks (0: only on price moves)
        self._one_time: set[str] = set()
        self._auth_codes: dict[str, str] = {}  # code -> redirect_uri
        self._lock = threading.Lock()
        self.market_feed_drops = 0  # bumped by ``drop_market_feeds``: connected feeds close
        # keys a connection may hold per mode (Upstox's documented caps); keys past one get no data
        self.mode_caps = {"ltpc": 5000, "option_greeks": 3000, "full": 2000, "full_d30": 50}
        self.requests: list[tuple[str, str]] = []  # (method, path) of every API request, for tests

    @property
    def faults(self):  # type: ignore[no-untyped-def]
        """Return the fault knobs."""
        return self.exchange.faults

    def drop_market_feeds(self) -> None:
        """Close every market data feed connection (a network drop)."""
        self.market_feed_drops += 1

    def issue_token(self, token: str | None = None) -> str:
        """Issue an access token valid until the next 03:30 IST."""
        return self.exchange.tokens.issue(token)

    def one_time_code(self) -> str:
        """Return a new single-use code for a redirected WebSocket URL."""
        code = secrets.token_hex(8)
        with self._lock:
            self._one_time.add(code)
        return code

    def use_code(self, code: str | None) -> bool:
        """Consume a single-use WebSocket code; False when unknown or already used."""
        with self._lock:
            if code in self._one_time:
                self._one_time.discard(code)
                return True
            return False

    def authorization_code(self, redirect_uri: str) -> str:
        """Return a new OAuth authorization code for a login that went through."""
        code = secrets.token_hex(6)
        with self._lock:
            self._auth_codes[code] = redirect_uri
        return code

    def redeem(self, code: str, redirect_uri: str) -> bool:
        """Consume an authorization code issued for ``redirect_uri``."""
        with self._lock:
            if self._auth_codes.get(code) == redirect_uri:
                del self._auth_codes[code]
                return True
            return False
