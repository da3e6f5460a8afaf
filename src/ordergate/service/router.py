"""The smart order router: for an instrument that trades at several venues, pick one per order and say why.

It gathers, for each venue of the instrument, that venue's own book (the side the order takes), fees,
health (down when the venue is not running or not ready; degraded while its circuit breaker is open) and
learned statistics, then applies the pure policy of domain/routing.py. An instrument with one venue goes
the way it always went (VenueSelector), with nothing extra on its path.
"""

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ordergate.domain.commands import SubmitOrder
from ordergate.domain.enums import OrderType, Side, TimeInForce
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.events import RouteCandidate, RouteRecord
from ordergate.domain.ids import AccountId, Symbol, VenueId
from ordergate.domain.order import Order
from ordergate.domain.routing import (
    POLICIES,
    Candidate,
    Fees,
    Health,
    Level,
    Policy,
    RouteDecision,
    RouteRequest,
    VenueView,
    choose,
)
from ordergate.domain.sweep import needs_sweep, sweep
from ordergate.service.ports import Clock
from ordergate.service.venue_selector import ChildPlan, Routing, VenueSelector
from ordergate.service.venue_stats import VenueStats

DEPTH = 10  # levels of each venue's book the router walks
ZERO = Decimal(0)
BookSource = Callable[[Symbol, Side, int], Sequence[Level]]  # (symbol, side taken, levels) -> best first


@dataclass(frozen=True, slots=True)
class RoutedVenue:
    """How the router reads one venue: its book, its fees and whether it takes orders now."""

    book: BookSource
    fees: Fees
    ready: Callable[[], bool]


class Router(VenueSelector):
    """Route each new order among its instrument's venues by the order's route or its account's default."""

    def __init__(
        self, default: VenueId, by_symbol: Mapping[Symbol, VenueId], lists: Mapping[Symbol, Sequence[VenueId]],
        stats: VenueStats, clock: Clock, policy: str = "best_execution",
        account_routes: Mapping[AccountId, str] | None = None,
    ) -> None:
        super().__init__(default, by_symbol)
        self.venues: dict[VenueId, RoutedVenue] = {}
        self.lists = {s: tuple(v) for s, v in lists.items() if len(v) > 1}
        self.stats = stats
        self.policy = policy
        self.account_routes = dict(account_routes or {})
        self._clock = clock
        self._turn = 0

    def attach(self, venues: Mapping[VenueId, RoutedVenue]) -> None:
        """Take the running venues; raise ValueError naming the setting that names a venue not among them."""
        for symbol, listed in self.lists.items():
            for venue in listed:
                if venue not in venues:
                    raise ValueError(f"routing.venues.{symbol}: unknown venue {venue!r} "
                                     f"(known: {', '.join(sorted(venues))})")
        routes = {"routing.policy": self.policy, **{f"routing.accounts.{a}": r for a, r in self.account_routes.items()}}
        for name, route in routes.items():
            if route not in POLICIES and route not in venues:
                raise ValueError(f"{name}: {route!r} is neither a routing policy nor a venue id")
        self.venues = dict(venues)
        self.available = frozenset(venues)

    def venues_of(self, symbol: Symbol) -> tuple[VenueId, ...]:
        """Return the venues where ``symbol`` may trade."""
        return self.lists.get(symbol) or (self.by_symbol.get(symbol, self.default),)

    def health(self, venue: VenueId) -> Health:
        """Return a venue's state now: down (not running or not ready), degraded (breaker open) or ready."""
        routed = self.venues.get(venue)
        if routed is None or not routed.ready():
            return Health.DOWN
        return self.stats.health(venue, self._clock.now())

    def route(self, cmd: SubmitOrder, allowed: Collection[str] = ()) -> Routing:
        """Return where a new order goes; with a choice of venues, the decision and the children to make.

        ``allowed``: the venues the order's account may trade at (empty: any); the others are not considered
        while one of the instrument's venues is allowed.
        """
        venues = self.lists.get(cmd.symbol)
        if venues is None:  # one venue: as before the router (an account's default route has no say)
            return super().route(cmd)
        if allowed:
            venues = tuple(v for v in venues if v in allowed) or venues  # none allowed: the account check says so
        route = cmd.route or self.account_routes.get(cmd.account) or self.policy
        views = self._views(venues, cmd.symbol, cmd.side)
        request = RouteRequest(cmd.side, cmd.qty, cmd.type, cmd.limit_price)
        try:
            decision = choose(request, views, route, self._turn)
        except ValidationFailed:
            if cmd.route is not None:
                raise
            # An order that names no route (the kill switch's flatten among them) is never refused for the
            # venues' state: a default naming a venue that cannot take it falls back to best execution, and
            # with every venue down it goes to the first, to be sent again when it is back.
            fallback = route if route in POLICIES else Policy.BEST_EXECUTION
            decision = choose(request, views, fallback, self._turn, must_send=True)
        if route == "round_robin":
            self._turn += 1
        record = RouteRecord(policy=decision.policy, candidates=[_recorded(c) for c in decision.candidates])
        children = None
        if decision.policy == Policy.BEST_EXECUTION:
            children = _swept(cmd, request, decision)
        if children is None:
            children = (ChildPlan(decision.venue, cmd.qty, cmd.type, cmd.tif, cmd.limit_price),)
        return Routing(decision.venue, record, children)

    def failover(self, parent: Order, qty: Decimal, refused: Collection[VenueId],
                 allowed: Collection[str] = ()) -> ChildPlan | None:
        """Return where a parent's unfilled ``qty`` goes after venues ``refused`` it for reasons of their own.

        Best execution among the instrument's other venues that are not down (and that the account may use,
        ``allowed``; empty: any); None when there is none.
        """
        venues = [v for v in self.venues_of(parent.symbol) if v not in refused and (not allowed or v in allowed)]
        views = [view for view in self._views(venues, parent.symbol, parent.side) if view.health is not Health.DOWN]
        if not views:
            return None
        decision = choose(RouteRequest(parent.side, qty, parent.type, parent.limit_price), views,
                          Policy.BEST_EXECUTION)
        return ChildPlan(decision.venue, qty, parent.type, parent.tif, parent.limit_price)

    def _views(self, venues: Sequence[VenueId], symbol: Symbol, side: Side) -> list[VenueView]:
        taken = Side.SELL if side is Side.BUY else Side.BUY
        return [self._view(venue, symbol, taken) for venue in venues]

    def _view(self, venue: VenueId, symbol: Symbol, taken: Side) -> VenueView:
        routed = self.venues[venue]
        health = self.health(venue)
        figures = self.stats.figures(venue)
        return VenueView(
            venue=venue, levels=routed.book(symbol, taken, DEPTH) if health is not Health.DOWN else (),
            fees=routed.fees, health=health, ack_latency_ms=figures.ack_ewma_ms, fill_rate=figures.fill_rate(),
            reject_rate=figures.reject_rate(), slippage_bps=figures.slippage_bps(),
        )


def _swept(cmd: SubmitOrder, request: RouteRequest, decision: RouteDecision) -> tuple[ChildPlan, ...] | None:
    """Return the children of a sweep across the venues the decision could use, or None if one venue takes it.

    Each slice's child is a limit at the worst price its venue showed (immediate or cancel for a market
    order, so it never rests); what no venue shows goes with the best venue's child on the order's own terms.
    """
    usable = [c.view for c in decision.candidates if c.eligible]
    pool = [v for v in usable if v.health is Health.READY] or usable
    if not needs_sweep(request, pool):
        return None
    slices, rest = sweep(request, pool)
    if len(slices) < 2:
        return None
    tif = TimeInForce.IOC if cmd.type is OrderType.MARKET else cmd.tif
    children = []
    for piece in slices:
        if rest and piece.venue == decision.venue:
            children.append(ChildPlan(piece.venue, piece.qty + rest, cmd.type, cmd.tif, cmd.limit_price))
            rest = ZERO
        else:
            children.append(ChildPlan(piece.venue, piece.qty, OrderType.LIMIT, tif, piece.price))
    if rest:
        children.append(ChildPlan(decision.venue, rest, cmd.type, cmd.tif, cmd.limit_price))
    return tuple(children)


def _recorded(c: Candidate) -> RouteCandidate:
    v = c.view
    return RouteCandidate(
        venue=v.venue, health=str(v.health), eligible=c.eligible, fillable=c.fillable, avg_price=c.avg_price,
        fees=c.fees, all_in=c.all_in, ack_latency_ms=v.ack_latency_ms, fill_rate=v.fill_rate,
        reject_rate=v.reject_rate, slippage_bps=v.slippage_bps, levels=list(v.levels), note=c.note,
    )


def venue_summaries(router: Router, now: datetime) -> list[dict[str, Any]]:
    """Return each running venue's state, fees, the instruments routed among venues there, and statistics."""
    out = []
    for venue, routed in sorted(router.venues.items()):
        fees = routed.fees
        out.append({
            "id": venue, "state": str(router.health(venue)),
            "fees": {"per_share": str(fees.per_share), "bps": str(fees.bps), "minimum": str(fees.minimum)},
            "symbols": sorted(s for s, vs in router.lists.items() if venue in vs),
            "stats": router.stats.summary(venue, now),
        })
    return out
