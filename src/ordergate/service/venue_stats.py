"""What the router learns of each venue, kept from the ledger's events (so a replay at restart rebuilds it).

Per venue: ack latency (submitted to accepted: EWMA, p50, p99 of the recent acks), fill rate (orders with a
fill / orders routed), reject rate (the venue's refusals / orders answered), cancel latency (cancel asked to
canceled), average slippage of fills against the arrival price (bps of the arrival notional, positive =
worse), and the orders and notional routed on the current UTC day. A circuit breaker marks a venue degraded
when, among its recent answers, the reject share or the ack latency crosses a threshold; it is tried again
after a cooldown.

Only the child orders the router places (for instruments routed among venues) teach it anything: the orders
of a one-venue instrument take the fast path and pay nothing here.
"""

from collections import deque
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from ordergate.domain.enums import Side
from ordergate.domain.events import (
    ChildOrderRouted,
    OrderAccepted,
    OrderCanceled,
    OrderFilled,
    OrderPendingCancel,
    OrderRejected,
)
from ordergate.domain.ids import OrderId, VenueId
from ordergate.domain.ledger import Ledger
from ordergate.domain.order import Order
from ordergate.domain.routing import Health

BUY = Side.BUY
MILLISECOND = timedelta(milliseconds=1)
EWMA_WEIGHT = 0.2  # of each new ack: recent acks count most, one slow ack does not swing it
SAMPLES = 1000  # recent ack latencies kept per venue for the percentiles
BPS = Decimal(10000)
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class BreakerSettings:
    """When a venue is degraded: over ``window`` recent answers (at least ``min_orders``), a reject share of
    ``reject_rate`` or more, or an ack latency EWMA above ``ack_latency`` seconds; for ``cooldown`` seconds."""

    window: int = 20
    min_orders: int = 5
    reject_rate: float = 0.5
    ack_latency: float = 2.0
    cooldown: float = 30.0


@dataclass(slots=True)
class VenueFigures:
    """One venue's running figures."""

    routed: int = 0
    filled_orders: int = 0
    accepted: int = 0
    rejected: int = 0
    ack_ewma_ms: float | None = None
    acks_ms: deque[float] = field(default_factory=lambda: deque(maxlen=SAMPLES))
    cancels: int = 0
    cancel_ms: float = 0.0
    slip_worse: Decimal = ZERO  # sum over fills of qty x (price - arrival), signed so that worse is positive
    slip_notional: Decimal = ZERO  # sum over fills of qty x arrival
    day: date | None = None
    day_end: datetime | None = None
    orders_today: int = 0
    notional_today: Decimal = ZERO
    answers: deque[bool] = field(default_factory=deque)  # recent answers, True = rejected
    answers_rejected: int = 0  # how many of ``answers`` are True
    tripped_at: datetime | None = None
    tripped_why: str = ""

    def slippage_bps(self) -> Decimal:
        """Return the average slippage against arrival, in basis points of the arrival notional."""
        return self.slip_worse * BPS / self.slip_notional if self.slip_notional else ZERO

    def fill_rate(self) -> float | None:
        """Return the share of routed orders that had a fill."""
        return self.filled_orders / self.routed if self.routed else None

    def reject_rate(self) -> float | None:
        """Return the share of the venue's answers that were refusals."""
        answered = self.accepted + self.rejected
        return self.rejected / answered if answered else None


# VenueFigures' fields in order, the two deques as lists
FiguresState = tuple[int, int, int, int, float | None, list[float], int, float, Decimal, Decimal, date | None,
                     datetime | None, int, Decimal, list[bool], int, datetime | None, str]
_FIGURES = tuple(f.name for f in fields(VenueFigures))


def _figures_state(f: VenueFigures) -> FiguresState:
    values = [getattr(f, name) for name in _FIGURES]
    values[5], values[14] = list(f.acks_ms), list(f.answers)
    return tuple(values)


def _figures(values: FiguresState) -> VenueFigures:
    f = VenueFigures(**dict(zip(_FIGURES, values, strict=True)))  # type: ignore[arg-type]
    f.acks_ms, f.answers = deque(values[5], maxlen=SAMPLES), deque(values[14])
    return f


class VenueStats:
    """Per-venue statistics and circuit breaker, fed by the ledger's events."""

    def __init__(self, ledger: Ledger, breaker: BreakerSettings | None = None, learn: bool = True) -> None:
        """Learn from ``ledger``'s child orders; with ``learn`` False (no instrument is routed among venues),
        subscribe to nothing, so orders of one-venue instruments pay nothing for statistics."""
        self.breaker = breaker or BreakerSettings()
        self._slow_ms = self.breaker.ack_latency * 1000
        self.venues: dict[VenueId, VenueFigures] = {}
        self._cancel_asked: dict[OrderId, datetime] = {}
        if not learn:
            return
        ledger.subscribe(self._on_submitted, (ChildOrderRouted,))
        ledger.subscribe(self._on_accepted, (OrderAccepted,))
        ledger.subscribe(self._on_rejected, (OrderRejected,))
        ledger.subscribe(self._on_filled, (OrderFilled,))
        ledger.subscribe(self._on_pending_cancel, (OrderPendingCancel,))
        ledger.subscribe(self._on_canceled, (OrderCanceled,))
        ledger.keep_state("venue_stats", self)

    STATE_TYPE = tuple[list[tuple[str, FiguresState]], list[tuple[str, datetime]]]

    def snapshot_state(self) -> tuple[list[tuple[str, FiguresState]], list[tuple[str, datetime]]]:
        """Return every venue's figures and the cancels still waiting for their confirmation."""
        return ([(venue, _figures_state(f)) for venue, f in self.venues.items()], list(self._cancel_asked.items()))

    def restore_state(self, state: tuple[list[tuple[str, FiguresState]], list[tuple[str, datetime]]]) -> None:
        """Take the figures a snapshot kept."""
        venues, asked = state
        self.venues = {VenueId(venue): _figures(values) for venue, values in venues}
        self._cancel_asked = {OrderId(order): ts for order, ts in asked}

    def figures(self, venue: VenueId) -> VenueFigures:
        """Return a venue's figures (empty ones for a venue not seen yet)."""
        found = self.venues.get(venue)
        if found is None:
            found = self.venues[venue] = VenueFigures()
        return found

    def health(self, venue: VenueId, now: datetime) -> Health:
        """Return READY, or DEGRADED while the venue's breaker is open (down is the venue's own to say)."""
        figures = self.venues.get(venue)
        if figures is None or figures.tripped_at is None:
            return Health.READY
        if (now - figures.tripped_at).total_seconds() < self.breaker.cooldown:
            return Health.DEGRADED
        return Health.READY  # half open: the next answers decide again

    def summary(self, venue: VenueId, now: datetime) -> dict[str, Any]:
        """Return a venue's statistics as a JSON-ready dict."""
        f = self.figures(venue)
        ordered = sorted(f.acks_ms)
        today = f.day == now.date()
        return {
            "orders_routed": f.routed, "orders_today": f.orders_today if today else 0,
            "notional_today": str(f.notional_today if today else ZERO),
            "ack_latency_ms": {"ewma": _ms(f.ack_ewma_ms), "p50": _ms(_percentile(ordered, 0.5)),
                               "p99": _ms(_percentile(ordered, 0.99)), "samples": len(ordered)},
            "fill_rate": _rate(f.fill_rate()), "reject_rate": _rate(f.reject_rate()),
            "cancel_latency_ms": _ms(f.cancel_ms / f.cancels if f.cancels else None),
            "avg_slippage_bps": str(round(f.slippage_bps(), 4)),
            "breaker": {"open": self.health(venue, now) is Health.DEGRADED, "reason": f.tripped_why or None,
                        "since": f.tripped_at.isoformat() if f.tripped_at else None},
        }

    # -- events -------------------------------------------------------------------------------------------

    def _on_submitted(self, event: ChildOrderRouted, order: Order) -> None:
        f = self.venues.get(event.venue) or self.figures(event.venue)
        f.routed += 1
        if f.day_end is None or event.ts >= f.day_end:  # a datetime comparison: cheaper than date() each time
            day = event.ts.date()
            f.day, f.orders_today, f.notional_today = day, 0, ZERO
            f.day_end = datetime.combine(day, time(), UTC) + timedelta(days=1)
        f.orders_today += 1
        price = event.limit_price or order.arrival_price
        if price is not None:
            f.notional_today += event.qty * price

    def _on_accepted(self, event: OrderAccepted, order: Order) -> None:
        ts = event.ts
        if order.parent_id is None or order.accepted_at is not ts or order.filled_qty:
            return  # a later ack (after a replace) or one after fills says nothing of the venue's speed
        f = self.venues.get(order.venue) or self.figures(order.venue)
        f.accepted += 1
        ms = (ts - order.created_at) / MILLISECOND
        f.acks_ms.append(ms)
        ewma = f.ack_ewma_ms = ms if f.ack_ewma_ms is None else f.ack_ewma_ms + EWMA_WEIGHT * (ms - f.ack_ewma_ms)
        answers = f.answers
        if f.answers_rejected or ewma > self._slow_ms or len(answers) >= self.breaker.window:
            self._answer(f, rejected=False, ts=event.ts)
        else:  # the common case, inlined: nothing can trip
            answers.append(False)

    def _on_rejected(self, event: OrderRejected, order: Order) -> None:
        if order.parent_id is None:
            return
        f = self.figures(order.venue)
        f.rejected += 1
        self._answer(f, rejected=True, ts=event.ts)

    def _on_filled(self, event: OrderFilled, order: Order) -> None:
        if order.parent_id is None:
            return
        f = self.venues.get(order.venue) or self.figures(order.venue)
        if order.filled_qty == event.qty:  # the order's first fill
            f.filled_orders += 1
        arrival = order.arrival_price
        if arrival:
            qty = event.qty
            f.slip_worse += (event.price - arrival) * qty if event.side is BUY else (arrival - event.price) * qty
            f.slip_notional += arrival * qty

    def _on_pending_cancel(self, event: OrderPendingCancel, order: Order) -> None:
        if order.parent_id is not None:
            self._cancel_asked.setdefault(event.order_id, event.ts)

    def _on_canceled(self, event: OrderCanceled, order: Order) -> None:
        asked = self._cancel_asked.pop(event.order_id, None)
        if asked is not None:
            f = self.figures(order.venue)
            f.cancels += 1
            f.cancel_ms += (event.ts - asked).total_seconds() * 1000

    def _answer(self, f: VenueFigures, rejected: bool, ts: datetime) -> None:
        b, answers = self.breaker, f.answers
        answers.append(rejected)
        f.answers_rejected += rejected
        if len(answers) > b.window:
            f.answers_rejected -= answers.popleft()
        why = ""
        if f.answers_rejected and len(answers) >= b.min_orders and f.answers_rejected >= b.reject_rate * len(answers):
            why = f"reject rate {f.answers_rejected}/{len(answers)} of recent orders"
        elif not rejected and f.ack_ewma_ms is not None and f.ack_ewma_ms > self._slow_ms:
            why = f"ack latency {f.ack_ewma_ms:.0f} ms (EWMA)"
        if why:
            f.tripped_at, f.tripped_why = ts, why
            answers.clear()  # after the cooldown the venue starts afresh (half open)
            f.answers_rejected = 0


def _percentile(ordered: list[float], q: float) -> float | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
