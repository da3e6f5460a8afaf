"""The real server on a replayed market: the hub shows the file, paper orders fill against it."""

import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from ordergate.adapters.marketdata import sample_file
from ordergate.adapters.marketdata.replay import read_events
from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e
# A wide paper spread puts the random walk's AAPL quotes (about 224 / 236) far outside the sample's range
# (229.87 to 230.22): a quote or fill inside that range can only come from the replayed book.
REPLAY_ENV = {"ORDERGATE_MARKETDATA__REPLAY_FILE": "sample", "ORDERGATE_MARKETDATA__REPLAY_SPEED": "20",
              "ORDERGATE_MARKETDATA__REPLAY_LOOP": "true", "ORDERGATE_PAPER__SPREAD_BPS": "500"}


@pytest.fixture(scope="module")
def replay_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(Path(tmp_path_factory.mktemp("replay")), env_extra=REPLAY_ENV).start()
    yield srv
    srv.stop()


def file_range(symbol: str) -> tuple[Decimal, Decimal]:
    prices = [p for e in read_events(sample_file()) if e.symbol == symbol
              for p in [e.price, *(level[0] for level in e.bids + e.asks)] if p is not None]
    return min(prices), max(prices)


def two_sided_quote(c: httpx.Client, symbol: str, timeout: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    quote: dict[str, Any] = {}
    while time.monotonic() < deadline:
        quote = c.get(f"/api/v1/marketdata/{symbol}/quote").json()
        if quote.get("bid") is not None and quote.get("ask") is not None:
            return quote
        time.sleep(0.05)
    raise AssertionError(f"no two-sided quote for {symbol}: {quote}")


def test_ready_when_replaying_then_lists_the_paper_and_replay_feeds_with_their_symbols(replay_server: Server) -> None:
    body = httpx.get(f"{replay_server.url}/ready").json()
    assert body["status"] == "ready"
    assert body["checks"]["feed:paper"] is True and body["checks"]["feed:replay"] is True
    assert body["feeds"]["replay"] == {"state": "live", "symbols": ["AAPL", "RELIANCE"]}
    paper = body["feeds"]["paper"]
    assert paper["state"] == "live" and "MSFT" in paper["symbols"] and "AAPL" not in paper["symbols"]


def test_quote_when_replaying_then_follows_the_file_inside_its_price_range(replay_server: Server) -> None:
    low, high = file_range("AAPL")
    seen: set[tuple[str, str]] = set()
    with replay_server.client() as c:
        for _ in range(40):
            quote = two_sided_quote(c, "AAPL")
            assert low <= Decimal(quote["bid"]) < Decimal(quote["ask"]) <= high, quote
            seen.add((quote["bid"], quote["ask"]))
            time.sleep(0.05)
    assert len(seen) > 1  # the replay moves the quote


def test_marketable_order_when_replaying_then_fills_inside_the_replayed_book(replay_server: Server) -> None:
    low, high = file_range("AAPL")
    with replay_server.client() as c:
        two_sided_quote(c, "AAPL")
        order = submit(c, qty="25").json()
        done = wait_for_status(c, order["id"], {"filled"})
        fills = c.get(f"/api/v1/orders/{order['id']}/fills").json()
    assert low <= Decimal(done["avg_fill_price"]) <= high
    assert fills and all(low <= Decimal(f["price"]) <= high for f in fills)


def test_symbol_outside_the_file_when_replaying_then_keeps_the_random_walk(replay_server: Server) -> None:
    with replay_server.client() as c:
        quote = two_sided_quote(c, "MSFT")
    spread = Decimal(quote["ask"]) - Decimal(quote["bid"])
    assert spread > Decimal("15")  # the paper maker's 500 bps spread around 420, not a replayed book
