"""Which venue an order goes to: the instrument's venue from the settings, else the default venue.

The smart order router will replace this with a scored choice among several venues; until then each
instrument trades at exactly one venue.
"""

from collections.abc import Mapping

from ordergate.domain.errors import ValidationFailed
from ordergate.domain.ids import Symbol, VenueId


class VenueSelector:
    """Map a symbol to its venue, refusing symbols whose venue is not running."""

    def __init__(
        self, default: VenueId, by_symbol: Mapping[Symbol, VenueId] | None = None,
        available: frozenset[VenueId] | None = None,
    ) -> None:
        self.default = default
        self.by_symbol = dict(by_symbol or {})
        self.available = available

    def select(self, symbol: Symbol) -> VenueId:
        """Return the venue for ``symbol``, or raise a validation error naming the symbol field."""
        venue = self.by_symbol.get(symbol, self.default)
        if self.available is not None and venue not in self.available:
            raise ValidationFailed("symbol", "routable", f"{symbol} trades at venue {venue!r}, which is not configured")
        return venue
