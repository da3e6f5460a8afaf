"""Domain objects to JSON-ready dicts (decimals as strings, times as ISO 8601) and fast JSON responses."""

from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

import orjson
from starlette.responses import Response

from ordergate.domain.account import Account
from ordergate.domain.order import Order
from ordergate.domain.position import Position
from ordergate.entrypoints.api.precision import Precision


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return _dec(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


class JsonResponse(Response):
    """A JSON response rendered with orjson (Decimal as a string)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """Render content to JSON bytes."""
        return orjson.dumps(content, default=_default)


def _dec(value: Decimal | None) -> str | None:
    """Return an exact decimal as a plain string (no exponent)."""
    return None if value is None else format(value, "f")


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


# The instruments' precision, set once by bootstrap when it loads them. A module setting rather than an argument
# of every call: every answer with an order, position or fill uses it, and the instruments never change while
# the server runs. Before it is set (or for an unknown symbol) prices show 2 places and quantities 0 at least.
_precision = Precision(())


def use_precision(precision: Precision) -> None:
    """Format every answer's numbers with ``precision`` (bootstrap calls this with the loaded instruments)."""
    global _precision
    _precision = precision


def precision() -> Precision:
    """Return the precision answers are formatted with."""
    return _precision


def order_dict(o: Order) -> dict[str, Any]:
    """Return the public view of an order, numbers at the instrument's and currency's precision."""
    fmt = _precision
    sym, price, qty = o.symbol, fmt.price, fmt.qty
    pending = o.pending_replace
    return {
        "id": o.id, "client_order_id": o.client_order_id, "account": o.account, "symbol": sym,
        "side": o.side.value, "type": o.type.value, "qty": qty(sym, o.qty), "limit_price": price(sym, o.limit_price),
        "stop_price": price(sym, o.stop_price), "time_in_force": o.tif.value, "expire_at": _ts(o.expire_at),
        "status": o.status.value, "filled_qty": qty(sym, o.filled_qty), "leaves_qty": qty(sym, o.leaves_qty),
        "avg_fill_price": fmt.average(sym, o.avg_fill_price), "commission": fmt.money(o.currency, o.commission),
        "currency": o.currency, "venue": o.venue, "venue_order_id": o.venue_order_id, "triggered": o.triggered,
        "arrival_price": price(sym, o.arrival_price), "reason": o.reason or None,
        "reject_reasons": [
            {"rule": d.rule, "message": d.message, "limit": d.limit, "actual": d.actual} for d in o.denials
        ],
        "flags": list(o.flags),
        "pending_replace": None if pending is None else {
            "qty": qty(sym, pending.qty), "limit_price": price(sym, pending.limit_price),
            "stop_price": price(sym, pending.stop_price), "time_in_force": pending.tif.value,
        },
        "created_at": _ts(o.created_at), "updated_at": _ts(o.updated_at), "accepted_at": _ts(o.accepted_at),
        "first_fill_at": _ts(o.first_fill_at), "done_at": _ts(o.done_at),
        "parent_id": o.parent_id, "children": list(o.children),
    }


def position_dict(p: Position, mark: Decimal | None) -> dict[str, Any]:
    """Return the public view of a position valued at ``mark``."""
    fmt = _precision
    unrealized = p.unrealized_pnl(mark)
    sym, cur, money = p.symbol, p.currency, fmt.money
    return {
        "account": p.account, "symbol": sym, "currency": cur, "qty": fmt.qty(sym, p.qty),
        "side": "long" if p.qty > 0 else "short" if p.qty < 0 else "flat",
        "avg_cost": fmt.average(sym, p.avg_cost), "mark_price": fmt.price(sym, mark),
        "market_value": money(cur, p.market_value(mark)), "cost_basis": money(cur, p.cost_basis),
        "realized_pnl": money(cur, p.realized_pnl), "unrealized_pnl": money(cur, unrealized),
        "commission": money(cur, p.commission), "net_pnl": money(cur, p.realized_pnl + unrealized - p.commission),
        "bought_qty": fmt.qty(sym, p.bought_qty), "sold_qty": fmt.qty(sym, p.sold_qty), "fill_count": p.fill_count,
    }


def account_dict(a: Account, market_values: dict[str, Decimal]) -> dict[str, Any]:
    """Return the public view of an account, with equity per currency from position market values."""
    balances = {}
    for currency, bal in sorted(a.balances.items()):
        value = market_values.get(currency, Decimal(0))
        money = partial(Precision.money, currency)
        balances[currency] = {
            "cash": money(bal.cash), "reserved": money(bal.reserved), "buying_power": money(bal.available),
            "positions_value": money(value), "equity": money(bal.cash + value),
            "deposited": money(bal.deposited), "commission": money(bal.commission),
        }
    return {"id": a.id, "name": a.name, "margin": a.margin, "venues": list(a.venues), "closed": a.closed,
            "working_orders": len(a.reservations), "balances": balances}


def fill_numbers(fill: dict[str, Any]) -> dict[str, Any]:
    """Return a fill's public view with its qty, prices and commission at the instrument's precision."""
    sym, fmt = fill["symbol"], _precision
    return {**fill, "qty": fmt.qty(sym, Decimal(fill["qty"])), "price": fmt.price(sym, Decimal(fill["price"])),
            "commission": fmt.money(fill["currency"], Decimal(fill["commission"])),
            "arrival_price": None if fill["arrival_price"] is None else fmt.price(sym, Decimal(fill["arrival_price"]))}
