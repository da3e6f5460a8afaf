"""A sweep: a marketable order split across venues, taking the best displayed levels of all of them.

Each venue's own book is walked with what a share there really costs: the level's price plus the venue's
per-share fee, its basis-point fee and its learned slippage (for a sell, less them), and its minimum
commission where that is more than the fees: a venue's child pays at least the minimum, so what a level
adds to the venue's commission (up to the minimum for its first shares) is spread over the shares it would
take there. Levels are taken
best first across every venue until the order's quantity is reached, never beyond its limit. What a venue
gets is a slice: its quantity, and the worst price taken there (the limit its child is sent with, so a
child never trades at a price the venue did not show). Pure: no I/O, no clock.
"""

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ordergate.domain.enums import OrderType, Side
from ordergate.domain.ids import VenueId
from ordergate.domain.routing import BPS, RouteRequest, VenueView

ZERO = Decimal(0)


@dataclass(slots=True)
class Slice:
    """What one venue takes of a sweep: ``qty`` at prices up to ``price`` (the worst level taken there)."""

    venue: VenueId
    qty: Decimal
    price: Decimal


def needs_sweep(request: RouteRequest, views: Sequence[VenueView]) -> bool:
    """Return whether a marketable order is larger than the best venue shows at its best level (best all-in:
    the price with that venue's fees and slippage)."""
    if request.type not in (OrderType.MARKET, OrderType.LIMIT):
        return False  # a stop waits for its trigger at one venue
    buy = request.side is Side.BUY
    best: tuple[Decimal, Decimal, Decimal] | None = None  # (signed all-in, price, size)
    for view in views:
        if view.levels:
            price, size = view.levels[0]
            cost = _signed_all_in(view, price, buy, min(size, request.qty), None)
            if best is None or cost < best[0]:
                best = (cost, price, size)
    if best is None:
        return False
    _, price, size = best
    limit = request.limit_price if request.type is OrderType.LIMIT else None
    if limit is not None and (price > limit if buy else price < limit):
        return False  # not marketable: it rests at its one venue
    return request.qty > size


def _signed_all_in(view: VenueView, price: Decimal, buy: bool, take: Decimal, owed: Decimal | None) -> Decimal:
    """Return what one share at ``price`` really costs at ``view`` (a sell: minus what it brings), lower better,
    taking ``take`` shares there when the venue's slice so far owes ``owed`` in fees before any minimum (None:
    the venue is not taken yet, so its minimum commission is still to pay)."""
    fees = view.fees
    extra = price * (fees.bps + view.slippage_bps) / BPS + fees.per_share
    minimum = fees.minimum
    if minimum and take > 0 and (owed is None or owed < minimum):  # the minimum, not the fees, is what it pays
        fee = _linear_fees(view, price, take)
        if owed is None:
            if fee < minimum:
                extra += (minimum - fee) / take
        else:  # the minimum paid already covers part of these fees
            extra -= min(fee, minimum - owed) / take
    return price + extra if buy else extra - price


def _linear_fees(view: VenueView, price: Decimal, qty: Decimal) -> Decimal:
    """Return the per-share and basis-point fees of ``qty`` at ``price`` at ``view`` (no minimum)."""
    fees = view.fees
    return qty * (fees.per_share + price * fees.bps / BPS) if fees.bps else qty * fees.per_share


def sweep(request: RouteRequest, views: Sequence[VenueView]) -> tuple[list[Slice], Decimal]:
    """Split ``request`` over ``views``' displayed depth, best all-in level first; return the slices (in the
    order their venues were first taken) and the quantity no level could take within the limit.

    A merge of the venues' books: only the levels taken (and one more per venue) are priced.
    """
    buy = request.side is Side.BUY
    limit = request.limit_price if request.type is OrderType.LIMIT else None
    left = request.qty
    heap: list[tuple[Decimal, float, VenueId, int, VenueView]] = []
    for view in views:
        if view.levels:
            price, size = view.levels[0]
            heap.append((_signed_all_in(view, price, buy, min(size, left), None), view.ack_latency_ms or 0.0,
                         view.venue, 0, view))
    heapq.heapify(heap)
    slices: dict[VenueId, Slice] = {}
    owed: dict[VenueId, Decimal] = {}  # each venue's fees so far, before its minimum
    while heap and left > 0:
        cost, latency, venue, k, view = heapq.heappop(heap)
        price, size = view.levels[k]
        take = size if size < left else left
        if take < size and view.fees.minimum:  # less left than priced: the minimum weighs on fewer shares
            now = _signed_all_in(view, price, buy, take, owed.get(venue))
            if now != cost and heap and now > heap[0][0]:
                heapq.heappush(heap, (now, latency, venue, k, view))
                continue
        if limit is not None and (price > limit if buy else price < limit):
            continue  # this venue's next levels are further still
        left -= take
        _take(slices, venue, take, price)
        if view.fees.minimum:  # what a venue owes matters only until it reaches the minimum
            so_far = owed.get(venue, ZERO)
            owed[venue] = so_far + _linear_fees(view, price, take) if so_far < view.fees.minimum else so_far
        if k + 1 < len(view.levels):
            price, size = view.levels[k + 1]
            heapq.heappush(heap, (_signed_all_in(view, price, buy, min(size, left), owed.get(venue)), latency, venue,
                                  k + 1, view))
    return list(slices.values()), left


def _take(slices: dict[VenueId, Slice], venue: VenueId, qty: Decimal, price: Decimal) -> None:
    """Add ``qty`` at ``price`` to ``venue``'s slice (each venue's levels come best first: ``price`` is its
    worst so far)."""
    found = slices.get(venue)
    if found is None:
        slices[venue] = Slice(venue, qty, price)
    else:
        found.qty += qty
        found.price = price
