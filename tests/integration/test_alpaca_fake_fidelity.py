"""The fake Alpaca checked with the official alpaca-py SDK: every answer and event parses into its models."""

import asyncio
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any, TypeVar

import httpx
import pytest
from alpaca.common.exceptions import APIError
from alpaca.data.historical import StockHistoricalDataClient
from alpaca.data.live import StockDataStream
from alpaca.data.models import Quote, Trade
from alpaca.data.requests import StockLatestQuoteRequest
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import OrderSide, OrderStatus, QueryOrderStatus, TimeInForce
from alpaca.trading.models import Order, Position, TradeAccount, TradeActivity, TradeUpdate
from alpaca.trading.requests import (
    CancelOrderResponse,
    GetOrdersRequest,
    LimitOrderRequest,
    MarketOrderRequest,
    ReplaceOrderRequest,
)
from alpaca.trading.stream import TradingStream

from tests.fakes.alpaca import FakeAlpacaServer
from tests.fakes.alpaca.book import FakeQuote
from tests.fakes.alpaca.server import KEY_ID, SECRET_KEY

T = TypeVar("T")


@pytest.fixture
async def fake() -> AsyncIterator[FakeAlpacaServer]:
    """The fake on a free port, with AAPL quoted 100 / 100.10."""
    async with FakeAlpacaServer() as server:
        server.broker.set_quote(FakeQuote("AAPL", Decimal("100"), Decimal("100.10")))
        yield server


def trading_client(fake: FakeAlpacaServer) -> TradingClient:
    client = TradingClient(KEY_ID, SECRET_KEY, paper=True, url_override=fake.base_url)
    client._retry = 0  # the SDK would wait 3 s between its own silent retries
    return client


async def call(fn: Callable[..., T], *args: Any) -> T:
    """Run one blocking SDK call off the loop the fake serves on."""
    return await asyncio.to_thread(fn, *args)


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_trading_client_parses_orders_through_submit_get_list_replace_and_cancel(fake: FakeAlpacaServer) -> None:
    client = trading_client(fake)
    bought = await call(client.submit_order, MarketOrderRequest(
        symbol="AAPL", qty=3, side=OrderSide.BUY, time_in_force=TimeInForce.DAY, client_order_id="fid-1"))
    assert isinstance(bought, Order) and bought.status == OrderStatus.ACCEPTED
    await eventually(lambda: fake.broker.orders[str(bought.id)].status == "filled")
    by_id = await call(client.get_order_by_id, bought.id)
    assert by_id.filled_qty == "3" and by_id.filled_avg_price == "100.1"
    by_client = await call(client.get_order_by_client_id, "fid-1")
    assert by_client.id == bought.id

    resting = await call(client.submit_order, LimitOrderRequest(
        symbol="AAPL", qty=5, side=OrderSide.BUY, time_in_force=TimeInForce.GTC, limit_price=90))
    await eventually(lambda: fake.broker.orders[str(resting.id)].status == "new")
    replacement = await call(client.replace_order_by_id, resting.id, ReplaceOrderRequest(qty=4, limit_price=91))
    assert replacement.id != resting.id and str(replacement.replaces) == str(resting.id)
    await eventually(lambda: fake.broker.orders[str(resting.id)].status == "replaced")
    old = await call(client.get_order_by_id, resting.id)
    assert old.status == OrderStatus.REPLACED and str(old.replaced_by) == str(replacement.id)

    open_orders = await call(client.get_orders, GetOrdersRequest(status=QueryOrderStatus.OPEN))
    assert [o.id for o in open_orders] == [replacement.id]
    assert await call(client.cancel_order_by_id, replacement.id) is None
    await eventually(lambda: fake.broker.orders[str(replacement.id)].status == "canceled")
    closed = await call(client.get_orders, GetOrdersRequest(status=QueryOrderStatus.ALL, limit=500))
    assert len(closed) == 3


async def test_trading_client_parses_cancel_all_account_positions_and_fill_activities(fake: FakeAlpacaServer) -> None:
    client = trading_client(fake)
    await call(client.submit_order, MarketOrderRequest(symbol="AAPL", qty=2, side=OrderSide.BUY,
                                                       time_in_force=TimeInForce.DAY))
    for price in (80, 81):
        await call(client.submit_order, LimitOrderRequest(symbol="AAPL", qty=1, side=OrderSide.BUY,
                                                          time_in_force=TimeInForce.DAY, limit_price=price))
    await eventually(lambda: len(fake.broker.open_orders()) == 2 and len(fake.broker.fills) == 1)
    canceled = await call(client.cancel_orders)
    assert len(canceled) == 2 and all(isinstance(c, CancelOrderResponse) and c.status == 200 for c in canceled)
    account = await call(client.get_account)
    assert isinstance(account, TradeAccount) and account.cash == "99799.8"
    positions = await call(client.get_all_positions)
    assert [(p.symbol, p.qty) for p in positions] == [("AAPL", "2")] and isinstance(positions[0], Position)
    single = await call(client.get_open_position, "AAPL")
    assert single.avg_entry_price == "100.1"
    async with httpx.AsyncClient(base_url=fake.base_url, headers={
            "APCA-API-KEY-ID": KEY_ID, "APCA-API-SECRET-KEY": SECRET_KEY}) as http:
        answer = await http.get("/v2/account/activities/FILL")
    activities = [TradeActivity(**a) for a in answer.json()]
    assert [(a.qty, a.price, a.cum_qty) for a in activities] == [(2.0, 100.1, 2.0)]


async def test_trading_client_raises_api_error_with_alpacas_code_and_message_on_rejections(
        fake: FakeAlpacaServer) -> None:
    client = trading_client(fake)
    with pytest.raises(APIError) as poor:
        await call(client.submit_order, LimitOrderRequest(symbol="AAPL", qty=10_000, side=OrderSide.BUY,
                                                          time_in_force=TimeInForce.DAY, limit_price=100))
    assert (poor.value.status_code, poor.value.code, poor.value.message) == (403, 40310000,
                                                                             "insufficient buying power")
    await call(client.submit_order, MarketOrderRequest(symbol="AAPL", qty=1, side=OrderSide.BUY,
                                                       time_in_force=TimeInForce.DAY, client_order_id="once"))
    with pytest.raises(APIError) as duplicate:
        await call(client.submit_order, MarketOrderRequest(symbol="AAPL", qty=1, side=OrderSide.BUY,
                                                           time_in_force=TimeInForce.DAY, client_order_id="once"))
    assert duplicate.value.status_code == 422 and "unique" in duplicate.value.message
    with pytest.raises(APIError) as unknown:
        await call(client.get_order_by_id, "7f1d2c4e-0000-4000-8000-000000000000")
    assert unknown.value.status_code == 404
    fake.broker.faults.http_429 = 1
    with pytest.raises(APIError) as limited:
        await call(client.get_account)
    assert limited.value.status_code == 429


async def test_trading_stream_parses_every_event_of_fills_cancels_and_replaces(fake: FakeAlpacaServer) -> None:
    updates: list[TradeUpdate] = []

    async def collect(update: TradeUpdate) -> None:
        updates.append(update)

    stream = TradingStream(KEY_ID, SECRET_KEY, paper=True, url_override=fake.stream_url)
    stream.subscribe_trade_updates(collect)
    running = asyncio.create_task(stream._run_forever())
    try:
        await eventually(lambda: fake.app.state.trades.connections == 1)
        client = trading_client(fake)
        fake.broker.faults.fill_chunk = "2"
        await call(client.submit_order, MarketOrderRequest(symbol="AAPL", qty=3, side=OrderSide.BUY,
                                                           time_in_force=TimeInForce.DAY))
        resting = await call(client.submit_order, LimitOrderRequest(
            symbol="AAPL", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY, limit_price=50))
        await eventually(lambda: fake.broker.orders[str(resting.id)].status == "new")
        replacement = await call(client.replace_order_by_id, resting.id, ReplaceOrderRequest(limit_price=51))
        await eventually(lambda: fake.broker.orders[str(replacement.id)].status == "new")
        await call(client.cancel_order_by_id, replacement.id)
        await eventually(lambda: any(u.event == "canceled" for u in updates))
    finally:
        running.cancel()
    by_order: dict[str, list[str]] = {}
    for update in updates:
        by_order.setdefault(str(update.order.id), []).append(str(getattr(update.event, "value", update.event)))
    assert list(by_order.values()) == [["new", "partial_fill", "fill"], ["new", "replaced"],
                                       ["new", "pending_cancel", "canceled"]]
    partial = next(u for u in updates if u.event == "partial_fill")
    assert (partial.qty, partial.price, partial.position_qty, partial.order.filled_qty) == (2.0, 100.1, 2.0, "2")


async def test_data_clients_parse_quotes_and_trades_from_stream_and_latest_quote(fake: FakeAlpacaServer) -> None:
    received: list[Quote | Trade] = []

    async def collect(item: Quote | Trade) -> None:
        received.append(item)

    stream = StockDataStream(KEY_ID, SECRET_KEY, url_override=fake.data_stream_url("iex"))
    stream.subscribe_quotes(collect, "AAPL")
    stream.subscribe_trades(collect, "AAPL")
    running = asyncio.create_task(stream._run_forever())
    try:
        await eventually(lambda: any(s.subs["quotes"] for s in fake.app.state.data.sessions))
        fake.broker.set_quote(FakeQuote("AAPL", Decimal("101"), Decimal("101.05"), Decimal(300), Decimal(200)))
        client = trading_client(fake)
        await call(client.submit_order, MarketOrderRequest(symbol="AAPL", qty=1, side=OrderSide.SELL,
                                                           time_in_force=TimeInForce.DAY))
        await eventually(lambda: len(received) == 2)
    finally:
        running.cancel()
    quote, trade = received
    assert isinstance(quote, Quote) and (quote.bid_price, quote.ask_price, quote.bid_size) == (101, 101.05, 300)
    assert isinstance(trade, Trade) and (trade.price, trade.size) == (101, 1)
    history = StockHistoricalDataClient(KEY_ID, SECRET_KEY, url_override=fake.base_url)
    latest = await call(history.get_stock_latest_quote, StockLatestQuoteRequest(symbol_or_symbols="AAPL"))
    assert latest["AAPL"].ask_price == 101.05


async def test_trading_client_extended_hours_limit_parses_and_a_market_one_is_refused_with_alpacas_error(
        fake: FakeAlpacaServer) -> None:
    client = trading_client(fake)
    fake.broker.set_session("extended")
    placed = await call(client.submit_order, LimitOrderRequest(
        symbol="AAPL", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY, limit_price=100.10,
        extended_hours=True, client_order_id="eh-1"))
    assert isinstance(placed, Order) and placed.extended_hours is True
    with pytest.raises(APIError) as refused:
        await call(client.submit_order, MarketOrderRequest(
            symbol="AAPL", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY, extended_hours=True))
    assert refused.value.status_code == 422 and "extended hours" in refused.value.message
