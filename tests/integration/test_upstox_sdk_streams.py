"""Fidelity: the SDK's portfolio streamer and Market Data Feed V3 streamer against the fake Upstox."""

import json
import queue
import types
from collections.abc import Iterator
from typing import Any

import pytest
import upstox_client
import websocket
from upstox_client.feeder import market_data_feeder_v3
from upstox_client.feeder.portfolio_data_feeder import PortfolioDataFeeder

from tests.fakes.upstox import FakeUpstoxServer
from tests.fakes.upstox.fixtures import TOKEN

RELIANCE = "NSE_EQ|INE002A01018"
NIFTY = "NSE_INDEX|Nifty 50"


def _client(server: FakeUpstoxServer) -> upstox_client.ApiClient:
    cfg = upstox_client.Configuration()
    cfg.host = cfg.order_host = server.url
    cfg.access_token = TOKEN
    return upstox_client.ApiClient(cfg)


def _until(messages: "queue.Queue[Any]", done: Any, limit: int = 50) -> list[Any]:
    seen = []
    for _ in range(limit):
        seen.append(messages.get(timeout=5))
        if done(seen):
            return seen
    raise AssertionError(f"not seen: {seen}")


@pytest.fixture
def portfolio_stream(upstox_server: FakeUpstoxServer, monkeypatch: pytest.MonkeyPatch) -> Iterator["queue.Queue[Any]"]:
    """The SDK's portfolio streamer connected to the fake; its messages, parsed."""
    ws_url = upstox_server.url.replace("http", "ws") + "/v2/feed/portfolio-stream-feed?update_types=order"
    monkeypatch.setattr(PortfolioDataFeeder, "get_websocket_url", lambda self: ws_url)  # hard-coded in the SDK
    messages: queue.Queue[Any] = queue.Queue()
    streamer = upstox_client.PortfolioDataStreamer(_client(upstox_server), order_update=True)
    streamer.auto_reconnect(False)
    streamer.on("open", lambda: messages.put("open"))
    streamer.on("message", lambda raw: messages.put(json.loads(raw)))
    streamer.connect()
    assert messages.get(timeout=5) == "open"
    yield messages
    streamer.disconnect()


def test_portfolio_streamer_follows_the_302_and_sees_every_transition(
    upstox_server: FakeUpstoxServer, portfolio_stream: "queue.Queue[Any]",
) -> None:
    api = upstox_client.OrderApiV3(_client(upstox_server))
    api.place_order(upstox_client.PlaceOrderV3Request(
        quantity=2, product="D", validity="DAY", price=0.0, instrument_token=RELIANCE, order_type="MARKET",
        transaction_type="SELL", disclosed_quantity=0, trigger_price=0.0, is_amo=False, tag="og-s"))
    seen = _until(portfolio_stream, lambda s: s[-1]["status"] == "complete")
    assert [m["status"] for m in seen] == ["put order req received", "validation pending", "open pending", "open",
                                          "complete"]
    assert {m["update_type"] for m in seen} == {"order"}
    assert seen[-1]["filled_quantity"] == 2 and seen[-1]["tag"] == "og-s" and seen[-1]["instrument_key"] == RELIANCE


def test_portfolio_stream_refuses_a_second_use_of_a_one_time_url(upstox_server: FakeUpstoxServer) -> None:
    url = upstox_client.WebsocketApi(_client(upstox_server)).get_portfolio_stream_feed_authorize(
        "2.0").data.authorized_redirect_uri
    websocket.create_connection(url).close()
    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(url)


class _LocalApp(websocket.WebSocketApp):  # type: ignore[misc]
    """The SDK hard-codes wss://api.upstox.com: send it to the fake instead (same path, same headers)."""

    base = ""

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(url.replace("wss://api.upstox.com", self.base), **kwargs)


@pytest.mark.parametrize(("mode", "levels", "request_mode"), [("full", 5, "full_d5"), ("full_d30", 30, "full_d30")])
def test_market_data_streamer_v3_decodes_market_info_snapshot_and_live_ticks(
    upstox_server: FakeUpstoxServer, monkeypatch: pytest.MonkeyPatch, mode: str, levels: int, request_mode: str,
) -> None:
    _LocalApp.base = upstox_server.url.replace("http", "ws")
    monkeypatch.setattr(market_data_feeder_v3, "websocket", types.SimpleNamespace(WebSocketApp=_LocalApp,
                                                                                  ABNF=websocket.ABNF))
    messages: queue.Queue[Any] = queue.Queue()
    streamer = upstox_client.MarketDataStreamerV3(_client(upstox_server), [RELIANCE, NIFTY], mode)
    streamer.auto_reconnect(False)
    streamer.on("message", messages.put)
    streamer.connect()
    try:
        seen = _until(messages, lambda s: s[-1].get("type") == "live_feed")
    finally:
        streamer.disconnect()
    info = seen[0]
    assert info["type"] == "market_info" and info["marketInfo"]["segmentStatus"]["NSE_EQ"] == "NORMAL_OPEN"
    snapshot = next(m for m in seen if "type" not in m)  # initial_feed is proto3's default: no "type"
    market = snapshot["feeds"][RELIANCE]["fullFeed"]["marketFF"]
    assert market["ltpc"]["ltp"] == 1300.0
    assert len(market["marketLevel"]["bidAskQuote"]) == levels
    assert snapshot["feeds"][RELIANCE]["requestMode"] == request_mode
    assert snapshot["feeds"][NIFTY]["fullFeed"]["indexFF"]["ltpc"]["ltp"] == 24000.0
