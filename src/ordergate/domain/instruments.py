"""Instruments: what can be traded, in which currency, on which price and quantity grid."""

from dataclasses import dataclass, field
from decimal import Decimal

from ordergate.domain.ids import Symbol


@dataclass(slots=True, frozen=True)
class Instrument:
    """A tradable instrument with its price (tick) and quantity (lot) grid."""

    symbol: Symbol
    currency: str
    tick_size: Decimal
    lot_size: Decimal
    exchange: str
    timezone: str
    session_close: str  # local "HH:MM" at which DAY orders expire
    name: str = ""
    reference_price: Decimal = Decimal("100")
    venue_symbols: dict[str, str] = field(default_factory=dict)
    session_open: str = "00:00"  # local "HH:MM" at which the regular session opens (bars are laid from it)

    def is_on_tick(self, price: Decimal) -> bool:
        """Return whether the price is a whole multiple of the tick size."""
        return price % self.tick_size == 0

    def is_whole_lot(self, qty: Decimal) -> bool:
        """Return whether the quantity is a whole multiple of the lot size."""
        return qty % self.lot_size == 0

    def round_to_tick(self, price: Decimal) -> Decimal:
        """Return the price rounded to the nearest tick."""
        return (price / self.tick_size).to_integral_value() * self.tick_size
