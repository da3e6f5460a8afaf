"""Duplicate orders: the same account, symbol, side, quantity and prices again within a few seconds."""

from decimal import Decimal

from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder, fmt

ROUNDING = 1e-6  # seconds: more than a float's error on any window
_SECONDS: dict[Decimal, float] = {}  # each window as float seconds, worked out once


_last: tuple[Decimal | None, float] = (None, 0.0)  # the window asked last: hashing a Decimal costs more


def window_seconds(window: Decimal) -> float:
    """Return a duplicate window as float seconds with a margin for its rounding (worked out once per window)."""
    global _last
    last = _last
    if last[0] is window:
        return last[1]
    seconds = _SECONDS.get(window)
    if seconds is None:
        seconds = _SECONDS[window] = float(window) + ROUNDING
    _last = (window, seconds)
    return seconds


class DuplicateOrderRule:
    """Deny a new order identical to one accepted less than duplicate_window_seconds ago."""

    name = "duplicate_window_seconds"
    switches = ("duplicate_window_seconds",)  # all off: cannot deny, skipped

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when an identical order was accepted inside the window."""
        window = ctx.limits.duplicate_window_seconds
        if window is None or ctx.replacing is not None:
            return None
        # the common case: no order of this symbol, side and size inside the window (a float test with a
        # margin for the window's rounding: a float-to-Decimal comparison costs more than the rest of the rule)
        last = ctx.usage.recent_sizes.get((order.symbol, order.side, order.qty))
        if last is None:
            return None
        if ctx.now_ts - last > window_seconds(window):
            return None
        seen = ctx.usage.recent.get((order.symbol, order.side, order.qty, order.limit_price, order.stop_price))
        if seen is None:
            return None
        age = ctx.now_ts - seen
        if age >= window:
            return None
        return Denial(rule=self.name, message=f"an identical {order.side} of {fmt(order.qty)} {order.symbol} was "
                      f"accepted {age:.3f}s ago, inside duplicate_window_seconds {fmt(window)}",
                      limit=fmt(window), actual=f"{age:.3f}")
