"""Exchange rates for a base currency: a configured table, else the market's price of a quoted pair.

A rate says how many units of ``to`` one unit of ``from`` is worth. The table holds pairs as "USD/INR";
the inverse of a pair is worked out when only it is known. A pair quoted as an instrument (symbol
"USDINR") is read from market data first, so a live rate wins over the table.
"""

from collections.abc import Callable, Mapping
from decimal import Decimal

from ordergate.domain.errors import ValidationFailed

ONE = Decimal(1)
PriceOf = Callable[[str], Decimal | None]


def parse_pair(pair: str) -> tuple[str, str]:
    """Return (from, to) of "USD/INR", or raise ValidationFailed."""
    left, sep, right = pair.partition("/")
    if not sep or len(left) != 3 or len(right) != 3 or not (left + right).isalpha():
        raise ValidationFailed("fx_rates", "currency_pair", f"{pair[:20]!r}: write pairs as ABC/XYZ")
    return left.upper(), right.upper()


class FxRates:
    """Rates between currencies from the market (quoted pairs) and a table."""

    def __init__(self, table: Mapping[str, Decimal] | None = None, price_of: PriceOf | None = None) -> None:
        self._table: dict[tuple[str, str], Decimal] = {}
        for pair, rate in (table or {}).items():
            if rate <= 0:
                raise ValidationFailed("fx_rates", "positive", f"{pair}: the rate must be above 0")
            self._table[parse_pair(pair)] = rate
        self._price_of = price_of

    def rate(self, source: str, target: str) -> Decimal | None:
        """Return how many ``target`` one ``source`` is worth, or None when no rate is known."""
        if source == target:
            return ONE
        if self._price_of is not None:
            quoted = self._price_of(source + target)
            if quoted:
                return quoted
            inverse = self._price_of(target + source)
            if inverse:
                return ONE / inverse
        direct = self._table.get((source, target))
        if direct is not None:
            return direct
        inverse = self._table.get((target, source))
        return ONE / inverse if inverse is not None else None
