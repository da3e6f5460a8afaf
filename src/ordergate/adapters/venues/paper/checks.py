"""Checks the paper venue runs on every request, so hostile terms are rejected with a reason, never crash."""

from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from ordergate.domain.enums import OrderType, Side, TimeInForce
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.instruments import Instrument
from ordergate.domain.validation import check_price, check_qty
from ordergate.service.ports import VenueOrder

_E = TypeVar("_E", bound=StrEnum)


def check_new_order(order: VenueOrder, instrument: Instrument | None) -> None:
    """Raise ValidationFailed (naming the field and the rule) unless the venue can take the order."""
    if instrument is None:
        raise ValidationFailed("symbol", "known_instrument", f"unknown symbol {order.symbol!r}")
    check_terms(order, instrument)
    filled = _decimal(order.filled_qty, "filled_qty")
    if not filled.is_finite() or filled < 0 or filled >= order.qty:
        raise ValidationFailed("filled_qty", "below_qty", f"must be at least 0 and below qty, got {filled}")


def check_terms(order: VenueOrder, instrument: Instrument) -> None:
    """Raise ValidationFailed unless qty and prices fit the order type and the instrument's grid."""
    # spelled out field by field, not looped over names: this runs for every order the venue takes
    _check_enum(order.side, Side, "side")
    order_type = _check_enum(order.type, OrderType, "type")
    _check_enum(order.tif, TimeInForce, "tif")
    check_qty(_decimal(order.qty, "qty"), instrument)
    limit, stop = order.limit_price, order.stop_price
    if limit is not None:
        _decimal(limit, "limit_price")
    if stop is not None:
        _decimal(stop, "stop_price")
    check_price(limit, instrument, "limit_price", order_type.needs_limit_price)
    check_price(stop, instrument, "stop_price", order_type.needs_stop_price)


def _check_enum(value: object, enum: type[_E], field: str) -> _E:
    if not isinstance(value, enum):
        raise ValidationFailed(field, "choice", f"must be one of {', '.join(enum)}")
    return value


def _decimal(value: object, field: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise ValidationFailed(field, "decimal", f"must be a decimal number, got {type(value).__name__}")
    return value
