"""Headroom: bounds that let the fast path (fast_pass.py) pass an order with one comparison, exactly.

A rule sums Decimals and compares, e.g. ``used + qty > limit``; each sum is rounded to the context's
precision. A headroom is worked out once from the figures that do not depend on the order, rounded the safe
way (an upper bound down, a lower bound up), so that an order inside it is inside in exact arithmetic; and
rounding is monotonic, so the rule's rounded sum is inside too (against a limit the context can represent,
which ``representable`` checks). An order outside the headroom is not denied here: the fast path then works
the rule's own sum out, so the headroom can only skip arithmetic, never change a decision.
"""

from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal, getcontext

from ordergate.domain.risk.pricing import MarketPricing

ZERO = Decimal(0)
INFINITY = Decimal("Infinity")


def representable(limit: Decimal) -> bool:
    """Return whether the current context holds ``limit`` exactly (rounding it changes nothing)."""
    return limit.is_finite() and getcontext().plus(limit) == limit


def room(limit: Decimal, used: Decimal) -> Decimal | None:
    """Return a figure ``x`` such that ``used + y <= limit`` holds rounded for every ``y <= x`` (None: no such
    guarantee, the limit is not representable)."""
    if not representable(limit):
        return None
    return _floor().subtract(limit, used)


def floor_divide(limit: Decimal, per_unit: Decimal) -> Decimal:
    """Return a quantity ``q`` such that ``y * per_unit <= limit`` exactly for every ``y <= q`` (``per_unit`` > 0)."""
    return _floor().divide(limit, per_unit)


def within(reference: Decimal, distance: Decimal) -> tuple[Decimal, Decimal]:
    """Return (low, high): every price from low to high is at most ``distance`` from ``reference`` exactly."""
    return _ceiling().subtract(reference, distance), _floor().add(reference, distance)


def hundredth(value: Decimal) -> Decimal:
    """Return ``value / 100`` exactly (only the exponent moves): ``x * 100 <= value`` iff ``x <= hundredth``."""
    return value.scaleb(-2)


def band_window(reference: Decimal, pct_band: Decimal | None, tick_band: Decimal | None) -> tuple[Decimal, Decimal]:
    """Return the prices every one of which the collar's bands let through (the narrower band, safely rounded)."""
    widths = [width for width in (None if pct_band is None else hundredth(pct_band), tick_band) if width is not None]
    return within(reference, min(widths))


def net_window(others: Decimal, most: Decimal) -> tuple[Decimal, Decimal] | None:
    """Return (low, high): every value from low to high keeps ``others + value`` within ``most`` either way,
    exactly (None: ``most`` is not representable, no guarantee)."""
    high, below = room(most, others), room(most, -others)  # -below: the least value that keeps it above -most
    if high is None or below is None:
        return None
    return -below, high


def minimum_qty(pricing: MarketPricing) -> Decimal | None:
    """Return a quantity up to which the schedule charges its minimum (None: no such shortcut): with no basis
    points, those whose per-share commission is at most the minimum; every one with no per-share either."""
    per_share, minimum = pricing.commission_per_share, pricing.commission_minimum
    if pricing.commission_bps or not representable(minimum) or per_share < ZERO:
        return None
    if not per_share:
        return INFINITY if minimum >= ZERO else None
    return floor_divide(minimum, per_share)


def ceiling_divide(limit: Decimal, per_unit: Decimal) -> Decimal:
    """Return a quantity ``q`` such that ``y * per_unit >= limit`` exactly for every ``y >= q`` (``per_unit`` > 0)."""
    return _ceiling().divide(limit, per_unit)


def _floor() -> Context:
    return _with(ROUND_FLOOR)


def _ceiling() -> Context:
    return _with(ROUND_CEILING)


_CONTEXTS: dict[tuple[str, int, int, int], Context] = {}


def _with(rounding: str) -> Context:
    """Return a context with the current one's precision and exponent range, rounding the given way."""
    current = getcontext()
    key = (rounding, current.prec, current.Emin, current.Emax)
    context = _CONTEXTS.get(key)
    if context is None:
        # no traps: an overflow gives the largest number or infinity, still on the safe side
        context = _CONTEXTS[key] = Context(prec=current.prec, rounding=rounding, Emin=current.Emin,
                                           Emax=current.Emax, traps=[])
    return context
