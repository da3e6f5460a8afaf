"""Validation of order terms against an instrument: each failure names the field and the rule."""

from datetime import datetime
from decimal import Decimal

from ordergate.domain.enums import OrderType, TimeInForce
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.instruments import Instrument

MAX_QTY = Decimal("1e12")
MAX_PRICE = Decimal("1e12")
# The largest value of one order (qty x its limit or stop price), whatever the risk limits say (no risk limit
# can be set above it either): every amount that follows from accepted orders then stays well inside the
# 28 significant digits of exact decimal arithmetic, so the books stay exact and every figure can be shown.
MAX_NOTIONAL = Decimal("1e15")
# The flag an order carries when it may also trade outside the regular session (pre-market, after hours):
# brokers take that only for limit orders that last the day or until canceled.
EXTENDED_HOURS = "extended_hours"
EXTENDED_HOURS_TIFS = (TimeInForce.DAY, TimeInForce.GTC)


def check_qty(qty: Decimal, instrument: Instrument, field: str = "qty") -> None:
    """Refuse a quantity that is not positive, too large, or not a whole number of lots."""
    if not qty.is_finite() or qty <= 0:
        raise ValidationFailed(field, "positive", f"must be greater than 0, got {qty}")
    if qty > MAX_QTY:
        raise ValidationFailed(field, "max_value", f"must be at most {MAX_QTY:.0f}, got {qty}")
    if not instrument.is_whole_lot(qty):
        raise ValidationFailed(field, "lot_size", f"must be a multiple of the lot size {instrument.lot_size}")


def check_price(price: Decimal | None, instrument: Instrument, field: str, required: bool) -> None:
    """Refuse a missing, unwanted, non-positive, huge or off-tick price."""
    if price is None:
        if required:
            raise ValidationFailed(field, "required", "is required for this order type")
        return
    if not required:
        raise ValidationFailed(field, "not_allowed", "is not allowed for this order type")
    if not price.is_finite() or price <= 0:
        raise ValidationFailed(field, "positive", f"must be greater than 0, got {price}")
    if price > MAX_PRICE:
        raise ValidationFailed(field, "max_value", f"must be at most {MAX_PRICE:.0f}, got {price}")
    if not instrument.is_on_tick(price):
        raise ValidationFailed(field, "tick_size", f"{price} is not a multiple of the tick size {instrument.tick_size}")


def check_notional(qty: Decimal, price: Decimal | None, price_field: str) -> None:
    """Refuse an order whose qty at its limit or stop price is worth more than MAX_NOTIONAL."""
    if price is not None and qty * price > MAX_NOTIONAL:
        raise ValidationFailed("qty", "max_notional", f"qty x {price_field} must be at most {MAX_NOTIONAL:f}, "
                                                      f"got {qty:f} x {price:f} = {qty * price:f}")


def check_tif(order_type: OrderType, tif: TimeInForce, expire_at: datetime | None, now: datetime) -> None:
    """Refuse a GTD order without a future expiry, and an expiry on any other time in force."""
    if tif is TimeInForce.GTD:
        if expire_at is None:
            raise ValidationFailed("expire_at", "required", "is required when time_in_force is gtd")
        if expire_at.tzinfo is None:
            raise ValidationFailed("expire_at", "timezone", "must carry a timezone (e.g. 2026-01-02T15:00:00Z)")
        if expire_at <= now:
            raise ValidationFailed("expire_at", "future", f"must be in the future, got {expire_at.isoformat()}")
    elif expire_at is not None:
        raise ValidationFailed("expire_at", "not_allowed", "is only allowed when time_in_force is gtd")


def check_order_terms(
    order_type: OrderType, qty: Decimal, limit_price: Decimal | None, stop_price: Decimal | None,
    tif: TimeInForce, expire_at: datetime | None, instrument: Instrument, now: datetime,
) -> None:
    """Refuse order terms that break any rule of the instrument or the order type."""
    check_qty(qty, instrument)
    check_price(limit_price, instrument, "limit_price", order_type.needs_limit_price)
    check_price(stop_price, instrument, "stop_price", order_type.needs_stop_price)
    check_notional(qty, limit_price, "limit_price")
    check_notional(qty, stop_price, "stop_price")
    check_tif(order_type, tif, expire_at, now)


def check_extended_hours(extended_hours: bool, order_type: OrderType, tif: TimeInForce) -> None:
    """Refuse extended hours on anything but a limit order with time in force day or gtc."""
    if extended_hours and (order_type is not OrderType.LIMIT or tif not in EXTENDED_HOURS_TIFS):
        raise ValidationFailed("extended_hours", "limit_day_or_gtc", "is allowed only on limit orders with "
                               f"time_in_force day or gtc, got a {order_type} order with {tif}")
