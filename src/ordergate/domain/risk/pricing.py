"""How risk prices what an order may cost: market orders at the far side of the book, plus commission.

A market buy is checked (and its cash held) at the worst ask it would reach sweeping the visible book for
its quantity (the worst visible ask when the book is thinner than the order), raised by a buffer for
the market moving before it fills. Commission is estimated with the venue's schedule: per share plus
basis points of notional, with a minimum per order.
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_UP, Decimal

from ordergate.domain.book import OrderBook
from ordergate.domain.enums import Side

ZERO = Decimal(0)
HUNDRED = Decimal(100)
BPS = Decimal(10_000)
CENT = Decimal("0.01")
MAX_LEVELS = 200  # a walk deeper than this stops at the worst level seen: the buffer covers the rest


@dataclass(slots=True, frozen=True)
class MarketPricing:
    """The buffer on market buys (percent) and the commission schedule risk assumes."""

    buffer_pct: Decimal = Decimal(1)
    commission_per_share: Decimal = ZERO
    commission_bps: Decimal = ZERO
    commission_minimum: Decimal = ZERO

    def commission(self, qty: Decimal, price: Decimal) -> Decimal:
        """Return the commission of an order of ``qty`` at ``price`` (rounded up to the cent)."""
        raw = qty * self.commission_per_share
        if self.commission_bps:
            raw += qty * price * self.commission_bps / BPS
        if raw <= self.commission_minimum:  # the common case: no rounding needed
            return self.commission_minimum
        return raw.quantize(CENT, rounding=ROUND_UP)

    def buffered(self, price: Decimal) -> Decimal:
        """Return a market buy's price raised by the buffer."""
        return price + price * self.buffer_pct / HUNDRED


def collar_price(side: Side, reference: Decimal, pct: Decimal, tick: Decimal) -> Decimal:
    """Return the limit price of a collared market order: ``pct`` percent through the reference, on a tick
    inside the collar (a buy's rounded down, a sell's up), never below one tick."""
    if side is Side.BUY:
        raw = reference + reference * pct / HUNDRED
        return max((raw / tick).to_integral_value(ROUND_FLOOR) * tick, tick)
    raw = reference - reference * pct / HUNDRED
    return max((raw / tick).to_integral_value(ROUND_CEILING) * tick, tick)


def far_price(book: OrderBook | None, side: Side, qty: Decimal) -> Decimal | None:
    """Return the worst price a market order of ``side`` and ``qty`` reaches on the far side of the book.

    None when that side is empty (or there is no book): the caller falls back to the reference price.
    """
    if book is None:
        return None
    far = book.asks if side is Side.BUY else book.bids
    remaining, worst = qty, None
    for price in far.prices(MAX_LEVELS):  # lazily: most orders stop at the first level
        worst = price
        remaining -= far.size_at(price)
        if remaining <= 0:
            break
    return worst
