"""Checks the paper venue runs on every request, so hostile terms are rejected with a reason, never crash."""

from decimal import Decimal
from enum import StrEnum
from typing import NoReturn

from ordergate.domain.enums import OrderType, Side, TimeInForce
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.instruments import Instrument
from ordergate.domain.validation import check_price, check_qty
from ordergate.service.ports import VenueOrder


def check_new_order(order: VenueOrder, instrument: Instrument | None) -> None:
    """Raise ValidationFailed (naming the field and the rule) unless the venue can take the order."""
    if instrument is None:
        raise ValidationFailed("symbol", "known_instrument", f"unknown symbol {order.symbol!r}")
    check_terms(order, instrument)
    filled = order.filled_qty
    if not isinstance(filled, Decimal):
        _not_decimal(filled, "filled_qty")
    if not filled.is_finite() or filled < 0 or filled >= order.qty:
        raise ValidationFailed("filled_qty", "below_qty", f"must be at least 0 and below qty, got {filled}")


def check_terms(order: VenueOrder, instrument: Instrument) -> None:
    """Raise ValidationFailed unless qty and prices fit the order type and the instrument's grid."""
    # spelled out field by field, each test inline: this runs for every order the venue takes
    order_type = order.type
    if not isinstance(order.side, Side):
        _not_one_of("side", Side)
    if not isinstance(order_type, OrderType):
        _not_one_of("type", OrderType)
    if not isinstance(order.tif, TimeInForce):
        _not_one_of("tif", TimeInForce)
    qty, limit, stop = order.qty, order.limit_price, order.stop_price
    if not isinstance(qty, Decimal):
        _not_decimal(qty, "qty")
    check_qty(qty, instrument)
    if limit is not None and not isinstance(limit, Decimal):
        _not_decimal(limit, "limit_price")
    if stop is not None and not isinstance(stop, Decimal):
        _not_decimal(stop, "stop_price")
    if limit is not None or order_type.needs_limit_price:  # an absent price the type does not want: nothing to check
        check_price(limit, instrument, "limit_price", order_type.needs_limit_price)
    if stop is not None or order_type.needs_stop_price:
        check_price(stop, instrument, "stop_price", order_type.needs_stop_price)


def _not_one_of(field: str, enum: type[StrEnum]) -> NoReturn:
    raise ValidationFailed(field, "choice", f"must be one of {', '.join(enum)}")


def _not_decimal(value: object, field: str) -> NoReturn:
    raise ValidationFailed(field, "decimal", f"must be a decimal number, got {type(value).__name__}")
