"""Scaled integers: a Decimal held as a whole number of units of 10**-places, exactly, and turned back.

The book keeps prices and sizes this way, so that its hot path compares and adds machine integers instead
of Decimals; Decimals stay at its edges (what callers pass in and read out). A value is never rounded: a
book whose values need more places widens its scale (``places_of`` says how many a value needs), up to
``MAX_PLACES``.
"""

from decimal import Context, Decimal
from typing import Final

MAX_PLACES: Final = 30  # far below what a Decimal allows: units stay small integers, however hostile the feed
# Exact for every value a book holds (below 1e15, at most MAX_PLACES places: at most 45 digits).
_EXACT: Final = Context(prec=80, Emin=-999_999, Emax=999_999)


def places_of(value: Decimal) -> int:
    """Return how many decimal places ``value`` (finite) needs to be a whole number of units (0 for integers).

    Trailing zeros don't count: ``Decimal("1.50")`` needs one place.
    """
    if not value:
        return 0
    _, digits, exponent = value.as_tuple()
    if type(exponent) is not int or exponent >= 0:
        return 0
    zeros = 0
    for digit in reversed(digits):
        if digit:
            break
        zeros += 1
    return max(0, -exponent - zeros)


def to_units(value: Decimal, places: int) -> int:
    """Return ``value * 10**places`` as an int; ``value`` must need at most ``places`` places."""
    return int(value.scaleb(places, _EXACT))


def from_units(units: int, places: int) -> Decimal:
    """Return the Decimal of ``units * 10**-places`` (with exactly ``places`` places)."""
    return Decimal(units).scaleb(-places, _EXACT)
