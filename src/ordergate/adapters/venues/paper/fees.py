"""Commission for paper fills: per share plus basis points of notional, with a minimum per order."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
BPS = Decimal(10_000)


class CommissionSchedule:
    """Charge max(minimum, qty x per_share + notional x bps / 10,000) per order, spread over its fills.

    The minimum applies once per order, not per fill: each fill is charged what the order's total
    commission grows by, so a parent order split into many partial fills costs the same as one fill.
    """

    def __init__(self, per_share: Decimal, bps: Decimal, minimum: Decimal) -> None:
        self.per_share = per_share
        self.bps = bps
        self.minimum = minimum

    def total(self, qty: Decimal, notional: Decimal) -> Decimal:
        """Return the commission on an order that has filled ``qty`` for ``notional``, in cents."""
        raw = qty * self.per_share
        if self.bps:  # a zero term changes no sum's value, and the rounding below sees values only
            raw += notional * self.bps / BPS
        return max(self.minimum, raw).quantize(CENT, rounding=ROUND_HALF_UP)

    def for_fill(self, filled_before: Decimal, notional_before: Decimal, qty: Decimal, price: Decimal) -> Decimal:
        """Return the commission of one fill, given what the order had filled before it."""
        if not filled_before:  # the first fill pays the whole total (0 + x is x's value: the rounding sees values)
            return self.total(qty, qty * price)
        return self.total(filled_before + qty, notional_before + qty * price) - self.total(filled_before,
                                                                                         notional_before)
