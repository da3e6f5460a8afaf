"""Checks the paper venue runs on every request, so hostile terms are rejected with a reason, never crash."""

from decimal import Decimal

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
    filled = _decimal(order.filled_qty, "filled_qty")
    if not filled.is_finite() or filled < 0 or filled >= order.qty:
        raise ValidationFailed("filled_qty", "below_qty", f"must be at least 0 and below qty, got {filled}")


def check_terms(order: VenueOrder, instrument: Instrument) -> None:
    """Raise ValidationFailed unless qty and prices fit the order type and the instrument's grid."""
    _check_enums(order)
    check_qty(_decimal(order.qty, "qty"), instrument)
    for field in ("limit_price", "stop_price"):
        value = getattr(order, field)
        if value is not None:
            _decimal(value, field)
    check_price(order.limit_price, instrument, "limit_price", order.type.needs_limit_price)
    check_price(order.stop_price, instrument, "stop_price", order.type.needs_stop_price)


def _check_enums(order: VenueOrder) -> None:
    for field, enum in (("side", Side), ("type", OrderType), ("tif", TimeInForce)):
        if not isinstance(getattr(order, field), enum):
            raise ValidationFailed(field, "choice", f"must be one of {', '.join(enum)}")


def _decimal(value: object, field: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise ValidationFailed(field, "decimal", f"must be a decimal number, got {type(value).__name__}")
    return value
