"""Market data on the WebSocket: quotes, trades, book depth and bars per symbol, throttled as asked."""

import time
from decimal import Decimal

import pytest

from tests.e2e.server import Server
from tests.e2e.stream_client import of, open_stream, read_for, read_until, send

pytestmark = pytest.mark.e2e


def test_quotes_when_subscribed_then_live_bid_ask_last_at_the_tick_places(shared_server: Server) -> None:
    with open_stream(shared_server) as ws:
        send(ws, {"op": "subscribe", "channel": "quotes", "symbol": "AAPL"})
        seen = read_until(ws, lambda s: len(of(s, "quote")) >= 3)

    assert of(seen, "subscribed")[0] | {} == {"type": "subscribed", "channel": "quotes", "symbol": "AAPL",
                                              "interval": 0.25}
    quotes = of(seen, "quote")
    assert all(q["symbol"] == "AAPL" and Decimal(q["bid"]) < Decimal(q["ask"]) for q in quotes)
    assert all(len(q["bid"].split(".")[1]) == 2 and len(q["ask"].split(".")[1]) == 2 for q in quotes)
    assert len({(q["bid"], q["ask"], q["last"], q["volume"]) for q in quotes}) == len(quotes)  # only changes


def test_book_when_subscribed_with_depth_and_interval_then_that_many_levels_no_faster_than_asked(
        shared_server: Server) -> None:
    with open_stream(shared_server) as ws:
        send(ws, {"op": "subscribe", "channel": "book", "symbol": "MSFT", "depth": 3, "interval": 1.0})
        started = time.monotonic()
        seen = read_for(ws, 4.0)
        elapsed = time.monotonic() - started

    books = of(seen, "book")
    assert books and all(len(b["bids"]) == 3 and len(b["asks"]) == 3 for b in books)
    assert all(Decimal(b["bids"][0]["price"]) < Decimal(b["asks"][0]["price"]) for b in books)
    assert [Decimal(level["price"]) for level in books[0]["bids"]] == sorted(
        (Decimal(level["price"]) for level in books[0]["bids"]), reverse=True)
    assert len(books) <= elapsed / 1.0 + 1  # the paper book changes 4 times a second; one message a second


def test_trades_and_bars_when_subscribed_then_a_snapshot_then_new_prints(shared_server: Server) -> None:
    with open_stream(shared_server) as ws:
        send(ws, {"op": "subscribe", "channel": "trades", "symbol": "AAPL", "limit": 5})
        send(ws, {"op": "subscribe", "channel": "bars", "symbol": "AAPL", "bar_interval": "1s", "limit": 30})
        seen = read_until(ws, lambda s: len(of(s, "trades")) >= 3 and len(of(s, "bars")) >= 2, timeout=20)

    trades, bars = of(seen, "trades"), of(seen, "bars")
    assert trades[0]["snapshot"] and not any(t["snapshot"] for t in trades[1:])
    assert all(t["items"] for t in trades[1:])
    stamps = [item["ts"] for t in trades[1:] for item in t["items"]]
    assert stamps == sorted(stamps)  # each message brings the new prints, oldest first
    assert bars[0]["snapshot"] and bars[0]["bar_interval"] == "1s"
    bar = bars[-1]["items"][-1]
    assert Decimal(bar["low"]) <= Decimal(bar["close"]) <= Decimal(bar["high"])


def test_unsubscribe_when_acknowledged_then_that_channel_stops(shared_server: Server) -> None:
    with open_stream(shared_server) as ws:
        send(ws, {"op": "subscribe", "channel": "quotes", "symbol": "AAPL", "interval": 0.1})
        read_until(ws, lambda s: bool(of(s, "quote")))
        send(ws, {"op": "unsubscribe", "channel": "quotes", "symbol": "AAPL"})
        read_until(ws, lambda s: bool(of(s, "unsubscribed")))
        after = read_for(ws, 1.5)

    assert of(after, "quote") == []


BAD_COMMANDS = [
    ("not json", "message"),
    ('["a list"]', "message"),
    ('{"op": "explode"}', "op"),
    ('{"op": "subscribe", "channel": "news", "symbol": "AAPL"}', "channel"),
    ('{"op": "subscribe", "channel": "book", "symbol": "NOPE"}', "symbol"),
    ('{"op": "subscribe", "channel": "book", "symbol": "AAPL", "depth": 0}', "depth"),
    ('{"op": "subscribe", "channel": "book", "symbol": "AAPL", "depth": true}', "depth"),
    ('{"op": "subscribe", "channel": "quotes", "symbol": "AAPL", "interval": "fast"}', "interval"),
    ('{"op": "subscribe", "channel": "bars", "symbol": "AAPL", "bar_interval": "2m"}', "bar_interval"),
    ('{"op": "subscribe", "channel": "quotes", "symbol": "' + "A" * 5000 + '"}', "message"),
]


def test_bad_commands_when_sent_then_each_error_names_the_field_and_the_connection_keeps_working(
        shared_server: Server) -> None:
    errors = []
    with open_stream(shared_server) as ws:
        for command, _ in BAD_COMMANDS:
            ws.send(command)
            errors.append(read_until(ws, lambda s: bool(of(s, "error")))[-1])
        send(ws, {"op": "subscribe", "channel": "quotes", "symbol": "AAPL"})
        later = read_until(ws, lambda s: bool(of(s, "quote")))

    assert [e["field"] for e in errors] == [field for _, field in BAD_COMMANDS]
    assert all(e["message"] for e in errors)
    assert of(later, "subscribed")
