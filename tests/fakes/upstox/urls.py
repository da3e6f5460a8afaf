"""The one-time WebSocket URLs the fake's streams redirect to (single use, as Upstox's)."""

from tests.fakes.upstox.broker import FakeUpstox

PORTFOLIO_FEED = "/v2/feed/portfolio-stream-feed/order-updates/feed"
MARKET_FEED = "/v3/feed/market-data-feed/feeds"


def one_time_url(fake: FakeUpstox, host: str, path: str) -> str:
    """Return a single-use ws:// URL on this server (requestId and code in the query, as Upstox's)."""
    return f"ws://{host}{path}?requestId={fake.one_time_code()}&code={fake.one_time_code()}"
