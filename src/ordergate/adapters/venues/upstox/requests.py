"""Building Upstox place and modify bodies from our orders; what Upstox cannot take is refused here."""

from decimal import Decimal
from typing import Any

from ordergate.adapters.venues.upstox.parse import ORDER_TYPES, VALIDITIES
from ordergate.service.ports import VenueOrder


class Unsupported(ValueError):
    """An order Upstox cannot take (the message says why)."""


def _number(value: Decimal | None) -> float:
    # Upstox reads prices as JSON numbers; a Decimal on the tick grid survives float's shortest repr.
    return float(value) if value is not None else 0.0


def quantity(qty: Decimal) -> int:
    """Return a whole quantity as Upstox takes it (raise Unsupported for a fraction)."""
    if qty != qty.to_integral_value() or qty <= 0:
        raise Unsupported(f"upstox takes whole quantities, not {qty}")
    return int(qty)


def _terms(order: VenueOrder) -> dict[str, Any]:
    validity = VALIDITIES.get(order.tif)
    if validity is None:
        raise Unsupported(f"upstox takes day and ioc orders, not {order.tif}")
    return {"validity": validity, "order_type": ORDER_TYPES[order.type], "price": _number(order.limit_price),
            "trigger_price": _number(order.stop_price)}


def place_body(order: VenueOrder, instrument_key: str, product: str, amo: bool = False) -> dict[str, Any]:
    """Return the v3 place body; our order id goes in ``tag`` so the order can be found again; ``amo``: an
    after-market order (outside market hours), queued by Upstox for the next session."""
    if order.extended_hours:
        raise Unsupported("upstox has no extended-hours trading (extended_hours is for Alpaca)")
    return {
        "quantity": quantity(order.qty), "product": product, "instrument_token": instrument_key,
        "transaction_type": "BUY" if order.side == "buy" else "SELL", "disclosed_quantity": 0, "is_amo": amo,
        "tag": str(order.order_id), "slice": False, **_terms(order),
    }


def modify_body(upstox_id: str, new: VenueOrder) -> dict[str, Any]:
    """Return the v3 modify body (the same Upstox order id, new terms)."""
    return {"order_id": upstox_id, "quantity": quantity(new.qty), "disclosed_quantity": 0, **_terms(new)}
