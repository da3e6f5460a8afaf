"""Which venue an order goes to: the instrument's venue from the settings, else the default venue.

This is the one-venue-per-instrument choice; the smart order router (service/router.py) extends it for
instruments that trade at several venues.
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal

from ordergate.domain.commands import SubmitOrder
from ordergate.domain.enums import OrderType, TimeInForce
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.events import RouteRecord
from ordergate.domain.ids import Symbol, VenueId
from ordergate.domain.routing import POLICIES


@dataclass(frozen=True, slots=True)
class ChildPlan:
    """One child order to make for a parent: where, how much, and on what terms."""

    venue: VenueId
    qty: Decimal
    type: OrderType
    tif: TimeInForce
    limit_price: Decimal | None


@dataclass(slots=True)
class Routing:
    """Where a new order goes: its venue, the decision (None: no choice) and its children (none: sent whole).

    Treat as immutable: the one-venue answer is made once per venue and shared (it is on every submit).
    """

    venue: VenueId
    record: RouteRecord | None = None
    children: tuple[ChildPlan, ...] = ()


class VenueSelector:
    """Map a symbol to its venue, refusing symbols whose venue is not running."""

    def __init__(
        self, default: VenueId, by_symbol: Mapping[Symbol, VenueId] | None = None,
        available: frozenset[VenueId] | None = None,
    ) -> None:
        self.default = default
        self.by_symbol = dict(by_symbol or {})
        self.available = available
        # why a running venue cannot take orders now (an expired broker token), as the venue says; set at wiring
        self.reasons: Callable[[VenueId], str | None] | None = None
        self._plain: dict[VenueId, Routing] = {}

    def unavailable_reason(self, venue: VenueId) -> str | None:
        """Return why ``venue`` cannot take orders now, or None when it can (or cannot tell)."""
        return None if self.reasons is None else self.reasons(venue)

    def select(self, symbol: Symbol) -> VenueId:
        """Return the venue for ``symbol``, or raise a validation error naming the symbol field."""
        venue = self.by_symbol.get(symbol, self.default)
        if self.available is not None and venue not in self.available:
            raise ValidationFailed("symbol", "routable", f"{symbol} trades at venue {venue!r}, which is not configured")
        return venue

    def route(self, cmd: SubmitOrder, allowed: Collection[str] = ()) -> Routing:
        """Return where a new order goes: its one venue, with no decision to record and no children.

        ``allowed`` (the account's venues) has no say here: the submit refuses a venue the account may not use.
        """
        venue = self.select(cmd.symbol)
        if cmd.route is not None and cmd.route not in POLICIES and cmd.route != venue:
            raise ValidationFailed("route", "known_route", f"{cmd.route!r} is neither a routing policy "
                                   f"({', '.join(sorted(POLICIES))}) nor a venue of {cmd.symbol} ({venue})")
        plain = self._plain.get(venue)
        if plain is None:
            plain = self._plain[venue] = Routing(venue)
        return plain
