"""Positions and funds at the fake broker, derived from its trades (as Upstox's day positions are)."""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from tests.fakes.upstox.exchange import FakeExchange
from tests.fakes.upstox.orders import FakeTrade

ZERO = Decimal(0)


def _position(trades: list[FakeTrade], last: Decimal) -> dict[str, Any]:
    first = trades[0].order
    buys = [t for t in trades if t.order.transaction_type == "BUY"]
    sells = [t for t in trades if t.order.transaction_type == "SELL"]
    buy_qty, sell_qty = sum(t.quantity for t in buys), sum(t.quantity for t in sells)
    buy_value = sum((t.price * t.quantity for t in buys), ZERO)
    sell_value = sum((t.price * t.quantity for t in sells), ZERO)
    buy_price = buy_value / buy_qty if buy_qty else ZERO
    sell_price = sell_value / sell_qty if sell_qty else ZERO
    net = buy_qty - sell_qty
    average = buy_price if net > 0 else sell_price if net < 0 else ZERO
    realised = min(buy_qty, sell_qty) * (sell_price - buy_price) if buy_qty and sell_qty else ZERO
    unrealised = net * (last - average) if net else ZERO
    return {
        "exchange": first.instrument.exchange, "multiplier": 1.0, "value": net * last, "pnl": realised + unrealised,
        "product": first.product, "instrument_token": first.instrument.key, "average_price": average,
        "buy_value": buy_value, "overnight_quantity": 0, "day_buy_value": buy_value, "day_buy_price": buy_price,
        "overnight_buy_amount": 0.0, "overnight_buy_quantity": 0, "day_buy_quantity": buy_qty,
        "day_sell_value": sell_value, "day_sell_price": sell_price, "overnight_sell_amount": 0.0,
        "overnight_sell_quantity": 0, "day_sell_quantity": sell_qty, "quantity": net, "last_price": last,
        "unrealised": unrealised, "realised": realised, "sell_value": sell_value,
        "trading_symbol": first.instrument.symbol, "tradingsymbol": first.instrument.symbol,
        "close_price": last, "buy_price": buy_price, "sell_price": sell_price,
    }


def positions(exchange: FakeExchange) -> list[dict[str, Any]]:
    """Return the short-term (day) positions, one per instrument and product traded today."""
    with exchange.lock:
        grouped: dict[tuple[str, str], list[FakeTrade]] = defaultdict(list)
        for trade in exchange.trades:
            grouped[(trade.order.instrument.key, trade.order.product)].append(trade)
        return [_position(trades, exchange.last_price[key]) for (key, _), trades in grouped.items()]


def funds(exchange: FakeExchange) -> dict[str, Any]:
    """Return funds and margin keyed ``equity`` / ``commodity``, as ``get-funds-and-margin`` does."""
    with exchange.lock:
        spent = sum((t.price * t.quantity * (1 if t.order.transaction_type == "BUY" else -1)
                     for t in exchange.trades), ZERO)
        # a working buy blocks its value (limit price, else the last price) until it fills or ends
        blocked = sum(((o.price or exchange.last_price[o.instrument.key]) * o.pending_quantity
                       for o in exchange.orders.values() if o.transaction_type == "BUY"), ZERO)
    empty = {"used_margin": 0.0, "payin_amount": 0.0, "span_margin": 0.0, "adhoc_margin": 0.0,
             "notional_cash": 0.0, "available_margin": 0.0, "exposure_margin": 0.0}
    equity = dict(empty, used_margin=max(spent, ZERO) + blocked, available_margin=exchange.cash - spent - blocked,
                  notional_cash=exchange.cash)
    return {"equity": equity, "commodity": empty}
