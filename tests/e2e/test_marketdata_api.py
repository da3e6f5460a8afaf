"""Market data over HTTP and the CLI, fed by the real server's paper market."""

import json
import re
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e


def wait_for_book(c: httpx.Client, symbol: str, timeout: float = 10.0) -> dict[str, Any]:
    """Poll until the paper market has published a two-sided book for the symbol."""
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        body = c.get(f"/api/v1/marketdata/{symbol}/book").json()
        if body.get("bids") and body.get("asks"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"no book for {symbol}: {body}")


def wait_for_trades(c: httpx.Client, symbol: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    """Poll until the feed has delivered ``count`` trades of the symbol (a replay sends them after its books)."""
    deadline = time.monotonic() + timeout
    items: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        items = c.get(f"/api/v1/marketdata/{symbol}/trades").json()["items"]
        if len(items) >= count:
            return items
        time.sleep(0.1)
    raise AssertionError(f"{len(items)} trades of {symbol}, waited for {count}")


def cli(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ordergate.entrypoints.cli", *args], env=server.env(),
                          capture_output=True, text=True, timeout=60)


def test_book_quote_trades_stats_and_bars_follow_the_paper_market(shared_server: Server) -> None:
    with shared_server.client() as c:
        book = wait_for_book(c, "AAPL")
        order = submit(c, qty="10").json()
        wait_for_status(c, order["id"], {"filled"})
        deeper = c.get("/api/v1/marketdata/AAPL/book", params={"depth": 3}).json()
        quote = c.get("/api/v1/marketdata/AAPL/quote").json()
        trades = c.get("/api/v1/marketdata/AAPL/trades", params={"limit": 5}).json()
        stats = c.get("/api/v1/marketdata/AAPL/stats").json()
        bars = c.get("/api/v1/marketdata/AAPL/bars", params={"interval": "1s", "limit": 10}).json()

    assert Decimal(book["best_bid"]) < Decimal(book["best_ask"])
    assert not book["crossed"] and not book["stale"]
    assert len(deeper["bids"]) <= 3 and len(deeper["asks"]) <= 3
    bid_prices = [Decimal(level["price"]) for level in book["bids"]]
    assert bid_prices == sorted(bid_prices, reverse=True)
    assert quote["bid"] is not None and quote["ask"] is not None and quote["stale"] is False
    assert len(trades["items"]) >= 1 and Decimal(trades["items"][0]["size"]) > 0
    assert stats["trade_count"] >= 1 and stats["vwap"] is not None and stats["stale"] is False
    assert sum(b["trades"] for b in bars["items"]) >= 1


PRICE = re.compile(r"^\d+\.\d{2}$")  # AAPL's tick is 0.01: two places, never more on its grid
SIZE = re.compile(r"^\d+$")  # its lot is 1
AVERAGE = re.compile(r"^\d+\.\d{2,8}$")  # exact to 8 places, at least the tick's


def test_book_quote_trades_stats_and_bars_show_numbers_at_the_instruments_precision(shared_server: Server) -> None:
    with shared_server.client() as c:
        wait_for_book(c, "AAPL")
        wait_for_status(c, submit(c, qty="10").json()["id"], {"filled"})
        book = c.get("/api/v1/marketdata/AAPL/book", params={"depth": 20}).json()
        quote = c.get("/api/v1/marketdata/AAPL/quote").json()
        trades = c.get("/api/v1/marketdata/AAPL/trades", params={"limit": 50}).json()["items"]
        stats = c.get("/api/v1/marketdata/AAPL/stats").json()
        bars = c.get("/api/v1/marketdata/AAPL/bars", params={"interval": "1s", "limit": 50}).json()["items"]

    levels = book["bids"] + book["asks"]
    prices = [lv["price"] for lv in levels] + [book["best_bid"], book["best_ask"], book["spread"], quote["bid"],
              quote["ask"], quote["last"]] + [t["price"] for t in trades]
    prices += [stats[k] for k in ("last_price", "open", "high", "low", "spread")]
    prices += [b[k] for b in bars for k in ("open", "high", "low", "close")]
    sizes = [lv["size"] for lv in levels] + [quote["bid_size"], quote["ask_size"], stats["last_size"],
             stats["volume"], stats["volume_24h"]] + [t["size"] for t in trades] + [b["volume"] for b in bars]
    averages = [book["mid"], quote["mid"], stats["mid"], stats["vwap"], stats["rolling_vwap"]]
    money = [stats["notional"], stats["notional_24h"]] + [b["notional"] for b in bars]
    assert [p for p in prices if not PRICE.match(p)] == []
    assert [s for s in sizes if not SIZE.match(s)] == []
    assert [a for a in averages if not AVERAGE.match(a)] == []
    assert [m for m in money if not PRICE.match(m)] == [] and stats["currency"] == "USD"


# Numbers written as a feed may send them: fewer places than the tick, sizes with a fraction of zeros.
UNEVEN_FEED = """ts,symbol,kind,side,price,size,seq
2026-03-02T14:30:00.000Z,AAPL,snapshot,buy,229.9,100.0,1
2026-03-02T14:30:00.000Z,AAPL,snapshot,sell,230.1,200.00,1
2026-03-02T14:30:00.000Z,RELIANCE,snapshot,buy,1299.5,30,1
2026-03-02T14:30:00.000Z,RELIANCE,snapshot,sell,1300,30,1
2026-03-02T14:30:00.100Z,AAPL,trade,buy,230.1,5.0,
"""


def test_feed_with_uneven_decimals_then_answers_pad_to_the_tick_and_lot(tmp_path: Path) -> None:
    feed = tmp_path / "uneven.csv"
    feed.write_text(UNEVEN_FEED)
    srv = Server(tmp_path, env_extra={"ORDERGATE_MARKETDATA__REPLAY_FILE": str(feed)}).start()
    try:
        with srv.client() as c:
            aapl = wait_for_book(c, "AAPL")
            reliance = wait_for_book(c, "RELIANCE")
            [trade] = wait_for_trades(c, "AAPL", 1)  # 100 ms after the books in the feed
            quote = c.get("/api/v1/marketdata/AAPL/quote").json()
            stats = c.get("/api/v1/marketdata/AAPL/stats").json()
            [bar] = c.get("/api/v1/marketdata/AAPL/bars", params={"interval": "1m"}).json()["items"]
    finally:
        srv.stop()

    assert aapl["bids"] == [{"price": "229.90", "size": "100"}] and aapl["asks"] == [{"price": "230.10", "size": "200"}]
    assert (aapl["spread"], aapl["mid"]) == ("0.20", "230.00")
    assert (reliance["bids"][0]["price"], reliance["asks"][0]["price"]) == ("1299.50", "1300.00")
    assert (quote["bid"], quote["bid_size"], quote["ask_size"], quote["last"]) == ("229.90", "100", "200", "230.10")
    assert (trade["price"], trade["size"]) == ("230.10", "5")
    assert (stats["last_price"], stats["volume"], stats["vwap"], stats["notional"]) == ("230.10", "5", "230.10",
                                                                                          "1150.50")
    assert (bar["open"], bar["close"], bar["volume"], bar["notional"]) == ("230.10", "230.10", "5", "1150.50")


def test_unknown_symbol_then_404_naming_it(shared_server: Server) -> None:
    with shared_server.client() as c:
        for path in ("book", "quote", "trades", "stats", "bars"):
            r = c.get(f"/api/v1/marketdata/NOPE/{path}")
            assert r.status_code == 404, path
            assert "NOPE" in r.json()["detail"]


@pytest.mark.parametrize(("path", "params", "field"), [
    ("book", {"depth": "0"}, "depth"), ("book", {"depth": "abc"}, "depth"), ("book", {"depth": "100000"}, "depth"),
    ("bars", {"interval": "2m"}, "interval"), ("bars", {"limit": "-1"}, "limit"), ("trades", {"limit": "0"}, "limit"),
])
def test_bad_query_then_422_naming_the_field(
        shared_server: Server, path: str, params: dict[str, str], field: str) -> None:
    with shared_server.client() as c:
        r = c.get(f"/api/v1/marketdata/AAPL/{path}", params=params)
    assert r.status_code == 422
    assert field in r.json()["detail"][0]["msg"]


def test_without_api_key_then_401(shared_server: Server) -> None:
    assert httpx.get(f"{shared_server.url}/api/v1/marketdata/AAPL/quote").status_code == 401


def test_cli_book_prints_a_ladder_and_quote_prints_json(shared_server: Server) -> None:
    with shared_server.client() as c:
        wait_for_book(c, "RELIANCE")
    ladder = cli(shared_server, "book", "RELIANCE", "--depth", "5")
    as_json = cli(shared_server, "quote", "RELIANCE", "--json")
    missing = cli(shared_server, "quote", "NOPE")

    assert ladder.returncode == 0, ladder.stderr
    assert "RELIANCE book" in ladder.stdout and "bid size" in ladder.stdout
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)["symbol"] == "RELIANCE"
    assert missing.returncode == 1 and "NOPE" in missing.stderr
