"""ScriptableVenue: a Venue (the port) whose behaviour a test or a schedule scripts, report by report.

Requests from the engine (submit, cancel, replace) are recorded and reach the venue's book at once; what
the venue then does (ack, fill, cancel, replace, reject, expire, tell its status) happens only when
scripted, and every report it makes waits in an outbox. Delivery is scripted too: any report in the outbox
can go next (a reorder), go and stay for another delivery (a duplicate), wait (a delay), or be dropped (then
the engine learns it only from ``status``, as from a broker that lost a message).
"""

from collections.abc import Iterable, Sequence
from decimal import Decimal

from ordergate.domain.ids import OrderId, VenueId
from ordergate.domain.reports import ConnectionReport, Report
from ordergate.service.ports import Clock, ReportSink, VenueBalance, VenueOrder, VenueOrderState, VenuePosition
from tests.conformance.book import VenueBook
from tests.conformance.truth import Execution, OrderTruth

DEFAULT_REFERENCE = {"AAPL": Decimal("230.00"), "MSFT": Decimal("420.00")}


class ScriptableVenue:
    """A Venue port implementation that holds its own truth and delivers reports only as scripted."""

    def __init__(self, clock: Clock, venue_id: str = "kit", commission: Decimal = Decimal(0),
                 reference: dict[str, Decimal] | None = None, cumulative_in_events: bool = True) -> None:
        self.id = VenueId(venue_id)
        self.book = VenueBook(self.id, clock, dict(reference or DEFAULT_REFERENCE), commission, cumulative_in_events)
        self.sink: ReportSink | None = None
        self.outbox: list[Report] = []
        self.delivered: list[Report] = []
        self.dropped: list[Report] = []
        self.requests: list[tuple[str, VenueOrder]] = []  # (action, order) in the order they came
        self.status_asked: list[OrderId] = []
        self.lose_requests = 0  # how many of the next cancel/replace requests get lost on the way
        self.lost: list[tuple[str, VenueOrder]] = []
        self.ready = True

    # -- the Venue port -------------------------------------------------------------------------------

    async def start(self, sink: ReportSink) -> None:
        """Remember where reports go."""
        self.sink = sink

    async def stop(self) -> None:
        """Forget the sink (reports still in the outbox stay there)."""
        self.sink = None

    def submit(self, order: VenueOrder) -> None:
        """Record a new order at the venue (not yet acknowledged)."""
        self.requests.append(("submit", order))
        self.book.receive(order)

    def cancel(self, order: VenueOrder) -> None:
        """Record a cancel request; the venue answers it when scripted (unless it is lost on the way)."""
        if self._lost("cancel", order):
            return
        self.requests.append(("cancel", order))
        held = self.book.orders.get(order.order_id)
        if held is not None:
            held.cancel_asked = True

    def replace(self, order: VenueOrder, new: VenueOrder) -> None:
        """Record a replace request (the newest one wins); the venue answers it when scripted (unless lost)."""
        if self._lost("replace", new):
            return
        self.requests.append(("replace", new))
        held = self.book.orders.get(order.order_id)
        if held is not None:
            held.replace_asked = new

    def _lost(self, action: str, order: VenueOrder) -> bool:
        if self.lose_requests <= 0:
            return False
        self.lose_requests -= 1
        self.lost.append((action, order))
        return True

    async def status(self, order: VenueOrder) -> Sequence[Report]:
        """Return the venue's reports for one order: every fill, then its status with the cumulative quantity."""
        self.status_asked.append(order.order_id)
        return self.book.status_answer(order.order_id)

    async def open_orders(self) -> Sequence[VenueOrderState]:
        """Return every order the venue holds open."""
        return [
            VenueOrderState(
                venue=self.id, venue_order_id=held.venue_order_id, client_order_id=held.terms.client_order_id,
                order_id=held.terms.order_id, account=held.terms.account, symbol=held.terms.symbol,
                side=held.terms.side, qty=held.terms.qty, filled_qty=held.filled, avg_price=held.avg_price,
                status=held.status,
            )
            for held in self.book.orders.values() if not held.status.is_terminal
        ]

    async def positions(self) -> Sequence[VenuePosition] | None:
        """Return the positions the venue's fills add up to, per account and symbol."""
        net: dict[tuple[str, str], Decimal] = {}
        for e in self.executions():
            key = (e.account, e.symbol)
            net[key] = net.get(key, Decimal(0)) + e.side.sign * e.qty
        return [VenuePosition(venue=self.id, account=account, symbol=symbol, qty=qty)  # type: ignore[arg-type]
                for (account, symbol), qty in net.items()]

    async def balances(self) -> Sequence[VenueBalance] | None:
        """Return None: the scriptable venue keeps no cash (its fills are what the kit checks)."""
        return None

    def is_ready(self) -> bool:
        """Return whether the script says the venue is up."""
        return self.ready

    # -- scripting: venue actions put reports in the outbox --------------------------------------------

    def act(self, reports: Iterable[Report]) -> list[Report]:
        """Put the reports of a venue action in the outbox; return them."""
        made = list(reports)
        self.outbox.extend(made)
        return made

    def deliver(self, index: int = 0, keep: bool = False) -> Report | None:
        """Send the outbox's report at ``index`` (clamped) to the engine; ``keep`` leaves it for a duplicate."""
        if not self.outbox:
            return None
        index = min(max(index, 0), len(self.outbox) - 1)
        report = self.outbox[index] if keep else self.outbox.pop(index)
        self.send(report)
        return report

    def drop(self, index: int = 0) -> Report | None:
        """Lose the outbox's report at ``index`` (clamped): only a status query will tell of it."""
        if not self.outbox:
            return None
        report = self.outbox.pop(min(max(index, 0), len(self.outbox) - 1))
        self.dropped.append(report)
        return report

    def flush(self) -> int:
        """Deliver everything in the outbox, oldest first; return how many."""
        count = 0
        while self.outbox:
            self.deliver(0)
            count += 1
        return count

    def send(self, report: Report) -> None:
        """Send one report to the engine now, past the outbox (a hand-made hostile report, a status answer)."""
        if self.sink is None:
            raise RuntimeError("venue not started")
        self.delivered.append(report)
        self.sink(report)

    def reconnect(self) -> None:
        """Tell the engine the session dropped and came back."""
        if self.sink is None:
            raise RuntimeError("venue not started")
        now = self.book.clock.now()
        self.sink(ConnectionReport(venue=self.id, ts=now, connected=False, reason="kit: session dropped"))
        self.sink(ConnectionReport(venue=self.id, ts=now, connected=True, reason="kit: session back"))

    def answer_everything(self) -> int:
        """Acknowledge every order received and answer every request waiting (accepting it); return how many."""
        made = 0
        for order_id, held in self.book.orders.items():
            if held.cancel_asked:
                made += len(self.act(self.book.answer_cancel(order_id)))
            if held.replace_asked is not None:
                made += len(self.act(self.book.answer_replace(order_id)))
            made += len(self.act(self.book.ack(order_id)))
        return made

    # -- VenueTruth ------------------------------------------------------------------------------------

    def orders(self) -> list[OrderTruth]:
        """Return every order the venue received, as it is now."""
        return [
            OrderTruth(order_id=order_id, account=held.terms.account, symbol=held.terms.symbol, side=held.terms.side,
                       status=held.status, filled_qty=held.filled,
                       venue_order_id=held.venue_order_id if held.acked else None)
            for order_id, held in self.book.orders.items()
        ]

    def executions(self) -> list[Execution]:
        """Return every fill the venue made."""
        return [
            Execution(order_id=order_id, fill_id=f.fill_id, account=held.terms.account, symbol=held.terms.symbol,
                      side=held.terms.side, qty=f.qty, price=f.price,
                      commission=f.commission)
            for order_id, held in self.book.orders.items() for f in held.fills
        ]
