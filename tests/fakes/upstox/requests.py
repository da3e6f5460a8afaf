"""Checking place and modify bodies the way Upstox does: enums, types, required fields, error codes."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tests.fakes.upstox.envelopes import UpstoxError
from tests.fakes.upstox.instruments import INSTRUMENTS, FakeInstrument

ORDER_TYPES = ("MARKET", "LIMIT", "SL", "SL-M")
VALIDITIES = ("DAY", "IOC")
PRODUCTS = ("I", "D", "MTF", "CO")
SIDES = ("BUY", "SELL")
TAG_MAX = 40


def _bad(field: str, value: Any, code: str = "UDAPI100038", message: str | None = None) -> UpstoxError:
    return UpstoxError(400, code, message or f"Invalid input: {field}", field, value)


def _enum(body: dict[str, Any], field: str, allowed: tuple[str, ...], missing: str, invalid: str) -> str:
    value = body.get(field)
    if value is None:
        raise _bad(field, value, missing, f"{field} is required")
    if value not in allowed:
        raise _bad(field, value, invalid, f"Invalid {field}")
    return str(value)


def _int(body: dict[str, Any], field: str, default: int | None = None, minimum: int = 0) -> int:
    value = body.get(field, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _bad(field, value)
    return value


def _price(body: dict[str, Any], field: str) -> Decimal:
    value = body.get(field)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _bad(field, value)
    return Decimal(str(value))


@dataclass(frozen=True, slots=True)
class PlaceRequest:
    """A checked place body."""

    instrument: FakeInstrument
    quantity: int
    product: str
    validity: str
    price: Decimal
    order_type: str
    transaction_type: str
    disclosed_quantity: int
    trigger_price: Decimal
    is_amo: bool
    tag: str | None


def parse_place(body: Any) -> PlaceRequest:
    """Check a place body; raise the error Upstox gives for the first bad field."""
    if not isinstance(body, dict):
        raise _bad("body", None, message="Invalid request body")
    key = body.get("instrument_token")
    if key not in INSTRUMENTS:
        raise _bad("instrument_token", key, "UDAPI100011", "Invalid Instrument key")
    tag = body.get("tag")
    if tag is not None and (not isinstance(tag, str) or len(tag) > TAG_MAX):
        raise _bad("tag", tag)
    order_type = _enum(body, "order_type", ORDER_TYPES, "UDAPI1004", "UDAPI1056")
    return PlaceRequest(
        instrument=INSTRUMENTS[key], quantity=_int(body, "quantity", minimum=1),
        product=_enum(body, "product", PRODUCTS, "UDAPI1003", "UDAPI1052"),
        validity=_enum(body, "validity", VALIDITIES, "UDAPI1007", "UDAPI1055"),
        price=_price(body, "price"), order_type=order_type,
        transaction_type=_enum(body, "transaction_type", SIDES, "UDAPI1005", "UDAPI1053"),
        disclosed_quantity=_int(body, "disclosed_quantity", 0), trigger_price=_price(body, "trigger_price"),
        is_amo=bool(body.get("is_amo", False)), tag=tag,
    )


@dataclass(frozen=True, slots=True)
class ModifyRequest:
    """A checked modify body (quantity optional)."""

    order_id: str
    quantity: int | None
    validity: str
    price: Decimal
    order_type: str
    trigger_price: Decimal


def parse_modify(body: Any) -> ModifyRequest:
    """Check a modify body; raise the error Upstox gives for the first bad field."""
    if not isinstance(body, dict):
        raise _bad("body", None, message="Invalid request body")
    order_id = body.get("order_id")
    if not order_id:
        raise _bad("order_id", order_id, "UDAPI1023", "Order id is required")
    quantity = _int(body, "quantity", minimum=1) if body.get("quantity") is not None else None
    return ModifyRequest(
        order_id=str(order_id), quantity=quantity,
        validity=_enum(body, "validity", VALIDITIES, "UDAPI1007", "UDAPI1055"),
        price=_price(body, "price"), order_type=_enum(body, "order_type", ORDER_TYPES, "UDAPI1004", "UDAPI1056"),
        trigger_price=_price(body, "trigger_price"),
    )
