"""Headroom: bounds that let the fast path (fast_pass.py) pass an order with one comparison, exactly.

A rule sums Decimals and compares, e.g. ``used + qty > limit``; each sum is rounded to the context's
precision. A headroom is worked out once from the figures that do not depend on the order, rounded the safe
way (an upper bound down, a lower bound up), so that an order inside it is inside in exact arithmetic; and
rounding is monotonic, so the rule's rounded sum is inside too (against a limit the context can represent,
which ``representable`` checks). An order outside the headroom is not denied here: the fast path then works
the rule's own sum out, so the headroom can only skip arithmetic, never change a decision.
"""

from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal, getcontext

ZERO = Decimal(0)


def representable(limit: Decimal) -> bool:
    """Return whether the current context holds ``limit`` exactly (rounding it changes nothing)."""
    return limit.is_finite() and len(limit.as_tuple().digits) <= getcontext().prec


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


def _floor() -> Context:
    return _with(ROUND_FLOOR)


def _ceiling() -> Context:
    return _with(ROUND_CEILING)


def _with(rounding: str) -> Context:
    """Return a context with the current one's precision and exponent range, rounding the given way."""
    current = getcontext()
    # no traps: an overflow gives the largest number or infinity, still on the safe side
    return Context(prec=current.prec, rounding=rounding, Emin=current.Emin, Emax=current.Emax, traps=[])
