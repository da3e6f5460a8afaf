"""Reading order requests as Alpaca does: POST bodies (numbers as strings or JSON numbers) and PATCH terms."""

import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from tests.fakes.alpaca.model import FakeOrder
from tests.fakes.alpaca.wire import AlpacaError, new_id, now_ts, parse_dec

TYPES = ("market", "limit", "stop", "stop_limit")
TIFS = ("day", "gtc", "opg", "cls", "ioc", "fok")
SYMBOL = re.compile(r"^[A-Z][A-Z0-9.]{0,9}$")


def _invalid(message: str) -> AlpacaError:
    return AlpacaError(422, 40010001, message)


def order_from_body(body: Any) -> FakeOrder:
    """Return a new order from a POST /v2/orders body, or raise Alpaca's 400/422 answer."""
    if not isinstance(body, dict):
        raise AlpacaError(400, 40010000, "request body format is invalid")
    symbol = body.get("symbol")
    if not isinstance(symbol, str) or not SYMBOL.match(symbol):
        raise _invalid(f'asset "{symbol}" not found')
    if body.get("notional") is not None:
        raise _invalid("notional orders are not supported by this fake")
    qty = parse_dec(body.get("qty"))
    if qty is None or qty <= 0:
        raise _invalid("qty must be > 0")
    side, type_, tif = body.get("side"), body.get("type"), body.get("time_in_force")
    if side not in ("buy", "sell"):
        raise _invalid("invalid side")
    if type_ not in TYPES:
        raise _invalid("invalid order type")
    if tif not in TIFS:
        raise _invalid("invalid time_in_force")
    limit, stop = parse_dec(body.get("limit_price")), parse_dec(body.get("stop_price"))
    _check_prices(type_, limit, stop)
    extended = bool(body.get("extended_hours") or False)
    if extended and (type_ != "limit" or tif not in ("day", "gtc")):
        raise _invalid("extended hours order must be DAY limit orders")
    client_order_id = body.get("client_order_id") or new_id()
    if not isinstance(client_order_id, str) or len(client_order_id) > 128:
        raise _invalid("client_order_id must be no more than 128 characters")
    return FakeOrder(symbol=symbol, side=side, type=type_, time_in_force=tif, qty=qty, limit_price=limit,
                     stop_price=stop, extended_hours=extended, client_order_id=client_order_id)


def _check_prices(type_: str, limit: Decimal | None, stop: Decimal | None) -> None:
    if type_ in ("limit", "stop_limit") and (limit is None or limit <= 0):
        raise _invalid("limit_price is required")
    if type_ in ("stop", "stop_limit") and (stop is None or stop <= 0):
        raise _invalid("stop_price is required")
    if type_ in ("market", "stop") and limit is not None:
        raise _invalid("limit_price must not be set for this order type")


def replacement_terms(old: FakeOrder, body: Any) -> FakeOrder:
    """Return the order a PATCH /v2/orders/{id} body asks for (a new id; unset terms kept), or raise."""
    if not isinstance(body, dict):
        raise AlpacaError(400, 40010000, "request body format is invalid")
    qty = parse_dec(body.get("qty")) if body.get("qty") is not None else old.qty
    if qty is None or qty <= 0:
        raise _invalid("qty must be > 0")
    limit = parse_dec(body["limit_price"]) if body.get("limit_price") is not None else old.limit_price
    stop = parse_dec(body["stop_price"]) if body.get("stop_price") is not None else old.stop_price
    tif = body.get("time_in_force") or old.time_in_force
    if tif not in TIFS:
        raise _invalid("invalid time_in_force")
    _check_prices(old.type, limit, stop)
    if old.extended_hours and tif not in ("day", "gtc"):
        raise _invalid("extended hours order must be DAY limit orders")
    if (qty, limit, stop, tif) == (old.qty, old.limit_price, old.stop_price, old.time_in_force):
        raise AlpacaError(403, 40310000, "order parameters are not changed")
    now = now_ts()
    return replace(old, id=new_id(), client_order_id=body.get("client_order_id") or new_id(), qty=qty,
                   limit_price=limit, stop_price=stop, time_in_force=tif, status="accepted",
                   filled_qty=Decimal(0), filled_notional=Decimal(0), created_at=now, updated_at=now,
                   filled_at=None, canceled_at=None, replaced_at=None, replaced_by=None, replaces=old.id,
                   triggered=False)
