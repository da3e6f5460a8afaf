"""Extra paper exchanges: each its own venue id, book, fees, latency and reliability, for routing between them.

Only the default paper exchange publishes its books to market data (prices, risk and the blotter read
those); an extra one keeps its book to itself, and the router reads it from the venue.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from ordergate.adapters.venues.paper.venue import PaperVenue
from ordergate.config import ExtraPaperConfig, PaperConfig
from ordergate.domain.ids import Symbol, VenueId
from ordergate.domain.instruments import Instrument
from ordergate.service.ports import Clock


class OwnBookOnly:
    """A market data sink that keeps nothing: an extra paper exchange's book is read from the venue."""

    def on_book(self, symbol: Symbol, bids: Sequence[tuple[Decimal, Decimal]],
                asks: Sequence[tuple[Decimal, Decimal]], ts: datetime) -> None:
        """Drop the book: market data shows the default paper exchange's."""

    def on_trade(self, symbol: Symbol, price: Decimal, qty: Decimal, ts: datetime, own: bool = False) -> None:
        """Drop the trade."""


def extra_paper_venue(config: ExtraPaperConfig, instruments: Mapping[Symbol, Instrument], clock: Clock) -> PaperVenue:
    """Return a paper venue built from one ``venues.paper_extra`` entry."""
    exchange = PaperConfig(**config.model_dump(exclude={"id", "reject_probability"}))
    return PaperVenue(exchange, instruments, clock, OwnBookOnly(), VenueId(config.id), config.reject_probability)
