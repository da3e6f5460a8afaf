"""How many decimal places each number in an answer shows: prices at the instrument's tick, quantities at
its lot, money at its currency's minor unit. So ``"150"`` never stands beside ``"150.00"``.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal

from ordergate.domain.instruments import Instrument

# ISO 4217 minor units of the currencies that differ from 2 (the default).
_MINOR_UNITS = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0, "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3}
_DERIVED = Decimal("1e-8")  # averages: exact to 8 places, never fewer than the tick's


def places(step: Decimal) -> int:
    """Return the decimal places of a grid step: 0.01 -> 2, 0.05 -> 2, 1 -> 0, 0.5 -> 1."""
    exponent = step.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def pad(value: Decimal, at_least: int) -> str:
    """Return the exact value with at least ``at_least`` decimal places (never rounded)."""
    exact = value.normalize()
    exponent = exact.as_tuple().exponent
    shown = max(at_least, -exponent) if isinstance(exponent, int) else at_least
    return _plain(value.quantize(Decimal(1).scaleb(-shown)))


def _plain(value: Decimal) -> str:
    """Return the value without exponent, and zero without a sign (no "-0.00")."""
    return format(abs(value) if value == 0 else value, "f")


_CACHE_LIMIT = 100_000  # distinct (kind, symbol, value) strings remembered: prices and sizes repeat a lot


class Precision:
    """Format the numbers of answers per instrument (price tick, lot) and per currency (minor unit).

    A formatted value depends only on the number (``Decimal("10")`` and ``Decimal("10.00")`` give the same
    text), so texts are remembered: formatting is on every order message and answer.
    """

    def __init__(self, instruments: Iterable[Instrument]) -> None:
        known = list(instruments)
        self._price: dict[str, int] = {i.symbol: places(i.tick_size) for i in known}
        self._qty: dict[str, int] = {i.symbol: places(i.lot_size) for i in known}
        self._texts: dict[tuple[int, str, Decimal], str] = {}

    def _remember(self, key: tuple[int, str, Decimal], text: str) -> str:
        if len(self._texts) >= _CACHE_LIMIT:
            self._texts.clear()
        self._texts[key] = text
        return text

    def price(self, symbol: str, value: Decimal | None) -> str | None:
        """Return a price with the instrument's tick places (more only if the value has them)."""
        if value is None:
            return None
        key = (0, symbol, value)
        text = self._texts.get(key)
        return text if text is not None else self._remember(key, pad(value, self._price.get(symbol, 2)))

    def average(self, symbol: str, value: Decimal | None) -> str | None:
        """Return an average price: exact to 8 places, with at least the tick's places."""
        return None if value is None else pad(value.quantize(_DERIVED), self._price.get(symbol, 2))

    def qty(self, symbol: str, value: Decimal | None) -> str | None:
        """Return a quantity with the lot's places (more only if the value has them)."""
        if value is None:
            return None
        key = (1, symbol, value)
        text = self._texts.get(key)
        return text if text is not None else self._remember(key, pad(value, self._qty.get(symbol, 0)))

    @staticmethod
    def money(currency: str, value: Decimal | None) -> str | None:
        """Return an amount rounded (half even) to the currency's minor unit."""
        if value is None:
            return None
        minor = _MINOR_UNITS.get(currency.upper(), 2)
        return _plain(value.quantize(Decimal(1).scaleb(-minor), rounding=ROUND_HALF_EVEN))
