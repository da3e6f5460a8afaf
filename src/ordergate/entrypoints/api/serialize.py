"""Domain objects to JSON-ready dicts (decimals as strings, times as ISO 8601) and fast JSON responses."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
from starlette.responses import Response

from ordergate.domain.account import Account
from ordergate.domain.order import Order
from ordergate.domain.position import Position


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


_EIGHT_PLACES = Decimal("1e-8")


def _price(value: Decimal | None) -> str | None:
    """Return a derived amount (average, P&L) rounded to 8 places, trailing zeros dropped."""
    if value is None:
        return None
    return format(value.quantize(_EIGHT_PLACES).normalize(), "f")


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def order_dict(o: Order) -> dict[str, Any]:
    """Return the public view of an order."""
    return {
        "id": o.id, "client_order_id": o.client_order_id, "account": o.account, "symbol": o.symbol,
        "side": o.side.value, "type": o.type.value, "qty": _dec(o.qty), "limit_price": _dec(o.limit_price),
        "stop_price": _dec(o.stop_price), "time_in_force": o.tif.value, "expire_at": _ts(o.expire_at),
        "status": o.status.value, "filled_qty": _dec(o.filled_qty), "leaves_qty": _dec(o.leaves_qty),
        "avg_fill_price": _price(o.avg_fill_price), "commission": _dec(o.commission), "currency": o.currency,
        "venue": o.venue, "venue_order_id": o.venue_order_id, "triggered": o.triggered,
        "arrival_price": _dec(o.arrival_price), "reason": o.reason or None,
        "reject_reasons": [
            {"rule": d.rule, "message": d.message, "limit": d.limit, "actual": d.actual} for d in o.denials
        ],
        "flags": list(o.flags),
        "pending_replace": None if o.pending_replace is None else {
            "qty": _dec(o.pending_replace.qty), "limit_price": _dec(o.pending_replace.limit_price),
            "stop_price": _dec(o.pending_replace.stop_price), "time_in_force": o.pending_replace.tif.value,
        },
        "created_at": _ts(o.created_at), "updated_at": _ts(o.updated_at), "accepted_at": _ts(o.accepted_at),
        "first_fill_at": _ts(o.first_fill_at), "done_at": _ts(o.done_at),
    }


def position_dict(p: Position, mark: Decimal | None) -> dict[str, Any]:
    """Return the public view of a position valued at ``mark``."""
    unrealized = p.unrealized_pnl(mark)
    return {
        "account": p.account, "symbol": p.symbol, "currency": p.currency, "qty": _dec(p.qty),
        "side": "long" if p.qty > 0 else "short" if p.qty < 0 else "flat",
        "avg_cost": _price(p.avg_cost), "mark_price": _dec(mark), "market_value": _dec(p.market_value(mark)),
        "cost_basis": _price(p.cost_basis), "realized_pnl": _price(p.realized_pnl),
        "unrealized_pnl": _price(unrealized), "commission": _dec(p.commission),
        "net_pnl": _price(p.realized_pnl + unrealized - p.commission),
        "bought_qty": _dec(p.bought_qty), "sold_qty": _dec(p.sold_qty), "fill_count": p.fill_count,
    }


def account_dict(a: Account, market_values: dict[str, Decimal]) -> dict[str, Any]:
    """Return the public view of an account, with equity per currency from position market values."""
    balances = {}
    for currency, bal in sorted(a.balances.items()):
        value = market_values.get(currency, Decimal(0))
        balances[currency] = {
            "cash": _dec(bal.cash), "reserved": _price(bal.reserved), "buying_power": _price(bal.available),
            "positions_value": _price(value), "equity": _price(bal.cash + value),
            "deposited": _dec(bal.deposited), "commission": _dec(bal.commission),
        }
    return {"id": a.id, "margin": a.margin, "working_orders": len(a.reservations), "balances": balances}
