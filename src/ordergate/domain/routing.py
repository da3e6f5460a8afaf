"""Pure venue scoring for the smart order router: which venue an order should go to, and why.

Given the order's terms and, for each venue where its instrument trades, that venue's own displayed
depth, its fees, its health and what was learned of it (ack latency, fill and reject rates, slippage),
``choose`` scores every venue under a policy and returns the chosen one with every candidate's inputs
and score, so the decision can be explained later. No I/O and no clock: round robin is given its turn.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from ordergate.domain.enums import OrderType, Side
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.ids import VenueId

ZERO = Decimal(0)
INFINITY = Decimal("Infinity")
BPS = Decimal(10000)
Level = tuple[Decimal, Decimal]


class Policy(StrEnum):
    """How the router ranks venues (a route that is none of these pins a venue by its id)."""

    BEST_EXECUTION = "best_execution"
    LOWEST_COST = "lowest_cost"
    FASTEST = "fastest"
    ROUND_ROBIN = "round_robin"


POLICIES = frozenset(p.value for p in Policy)


class Health(StrEnum):
    """A venue's state for routing: ready takes orders; degraded only when no venue is ready; down none."""

    READY = "ready"
    DEGRADED = "degraded"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class Fees:
    """A venue's commission schedule: per share plus basis points of notional, at least a minimum."""

    per_share: Decimal = ZERO
    bps: Decimal = ZERO
    minimum: Decimal = ZERO

    def commission(self, qty: Decimal, price: Decimal) -> Decimal:
        """Return the commission for ``qty`` at ``price`` (zero for nothing traded)."""
        if qty <= 0:
            return ZERO
        fee = self.per_share * qty
        if self.bps:
            fee += self.bps * qty * price / BPS
        return fee if fee > self.minimum else self.minimum


@dataclass(frozen=True, slots=True)
class RouteRequest:
    """The order terms routing needs."""

    side: Side
    qty: Decimal
    type: OrderType
    limit_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class VenueView:
    """What the router knows of one venue for one order: ``levels`` is the side the order takes, best first."""

    venue: VenueId
    levels: Sequence[Level]
    fees: Fees
    health: Health = Health.READY
    ack_latency_ms: float | None = None  # expected (EWMA); None until learned
    fill_rate: float | None = None
    reject_rate: float | None = None
    slippage_bps: Decimal = ZERO  # learned average, positive = worse than arrival


@dataclass(slots=True)
class Candidate:
    """One venue's score: what it could fill from its depth, at what all-in cost, and whether it may be used.

    ``total`` is the all-in cost of the whole quantity: the depth walked (the limit, or the worst level shown,
    for what it cannot fill), plus fees and expected slippage; for a sell it is what is received. ``score``
    orders candidates, lower first. (Not frozen: a frozen dataclass is slower to make, and a decision makes
    one per venue on the submit path; treat it as immutable.)
    """

    view: VenueView
    eligible: bool
    qty: Decimal
    fillable: Decimal
    cost: Decimal  # of the fillable part, at the displayed prices
    fees: Decimal
    total: Decimal | None
    score: tuple[object, ...]
    note: str = ""

    @property
    def avg_price(self) -> Decimal | None:
        """Return the average price of the part the venue's depth fills, or None if it fills nothing."""
        return self.cost / self.fillable if self.fillable else None

    @property
    def all_in(self) -> Decimal | None:
        """Return the all-in price per share (what a buy pays, what a sell receives), or None if unknown."""
        return self.total / self.qty if self.total is not None else None


@dataclass(frozen=True, slots=True)
class RouteDecision:
    """The venue chosen, under which policy, and every candidate considered (chosen one first)."""

    policy: str
    venue: VenueId
    candidates: Sequence[Candidate]


def choose(request: RouteRequest, views: Sequence[VenueView], route: str, turn: int = 0,
           must_send: bool = False) -> RouteDecision:
    """Score ``views`` for ``request`` under ``route`` (a Policy value or a venue id) and pick one.

    Raise ValidationFailed naming ``route`` when no venue may take the order: an unknown or down pinned
    venue, or every venue down. With ``must_send`` (an order that must not be refused, such as a kill
    switch's flatten), every venue down sends it to the first venue anyway (a down pinned venue: to that
    one), to be sent again when the venue is back, as an instrument with one venue does.
    """
    if route not in POLICIES:
        return _pinned(request, views, route, must_send)
    scored = [_candidate(request, view, route) for view in views]
    usable = [c for c in scored if c.eligible]
    if not usable:
        if must_send and scored:
            scored[0].note = "every venue is down: sent to the first, to be sent again when it is back"
            return RouteDecision(route, scored[0].view.venue, scored)
        raise ValidationFailed("route", "venue_available",
                               f"no venue can take the order now ({_states(views)})")
    ready = [c for c in usable if c.view.health is Health.READY]
    pool = ready or usable  # degraded venues are routed around while a ready one exists
    if route == Policy.ROUND_ROBIN:
        pool = sorted(pool, key=lambda c: c.view.venue)
        chosen = pool[turn % len(pool)]
    else:
        chosen = min(pool, key=lambda c: c.score)
    rest = sorted((c for c in scored if c is not chosen), key=lambda c: (not c.eligible, c.score))
    return RouteDecision(route, chosen.view.venue, [chosen, *rest])


def _pinned(request: RouteRequest, views: Sequence[VenueView], venue: str, must_send: bool) -> RouteDecision:
    for view in views:
        if view.venue == venue:
            candidate = _candidate(request, view, Policy.BEST_EXECUTION)
            if not candidate.eligible and not must_send:
                raise ValidationFailed("route", "venue_available", f"venue {venue!r} is {view.health} now")
            return RouteDecision(venue, view.venue, [candidate])
    known = ", ".join(sorted(v.venue for v in views))
    raise ValidationFailed("route", "known_route", f"{venue!r} is neither a routing policy "
                           f"({', '.join(sorted(POLICIES))}) nor a venue of this instrument ({known})")


def _candidate(request: RouteRequest, view: VenueView, policy: str) -> Candidate:
    limit = _limit(request)
    qty = request.qty
    fillable, cost = walk(view.levels, qty, request.side, limit)
    fees = view.fees.commission(qty, cost / fillable if fillable else limit or ZERO)
    total = _total(request, view, fillable, cost, fees, limit)
    eligible = view.health is not Health.DOWN
    latency = view.ack_latency_ms if view.ack_latency_ms is not None else 0.0
    signed = INFINITY if total is None else (total if request.side is Side.BUY else -total)
    if policy == Policy.LOWEST_COST:
        score: tuple[object, ...] = (fees, signed, latency, view.venue)
    elif policy == Policy.FASTEST:
        score = (latency, signed, view.venue)
    else:
        score = (qty - fillable, signed, latency, view.venue)
    return Candidate(view, eligible, qty, fillable, cost, fees, total, score,
                     "" if eligible else f"venue is {view.health}")


def walk(levels: Sequence[Level], qty: Decimal, side: Side, limit: Decimal | None) -> tuple[Decimal, Decimal]:
    """Return how much of ``qty`` the ``levels`` fill within ``limit``, and what that costs (price x size)."""
    left, cost = qty, ZERO
    buy = side is Side.BUY
    for price, size in levels:
        if left <= 0 or (limit is not None and (price > limit if buy else price < limit)):
            break
        take = size if size < left else left
        cost += take * price
        left -= take
    return qty - left, cost


def _limit(request: RouteRequest) -> Decimal | None:
    return request.limit_price if request.type in (OrderType.LIMIT, OrderType.STOP_LIMIT) else None


def _total(request: RouteRequest, view: VenueView, fillable: Decimal, cost: Decimal, fees: Decimal,
           limit: Decimal | None) -> Decimal | None:
    # What the depth cannot fill is priced at the limit (where it would rest); a market order's rest at the
    # worst displayed level. With no depth and no limit there is no price to expect.
    rest = request.qty - fillable
    if rest:
        at = limit if limit is not None else (view.levels[-1][0] if view.levels else None)
        if at is None:
            return None
        cost += rest * at
    if view.slippage_bps:
        cost += cost * view.slippage_bps / BPS if request.side is Side.BUY else -cost * view.slippage_bps / BPS
    return cost + fees if request.side is Side.BUY else cost - fees


def _states(views: Sequence[VenueView]) -> str:
    return ", ".join(f"{v.venue}: {v.health}" for v in sorted(views, key=lambda v: v.venue)) or "no venues"
