"""A scripted Venue for engine tests: records what it is asked and sends the reports the test scripts."""

from collections.abc import Sequence
from decimal import Decimal

from ordergate.domain.enums import OrderStatus
from ordergate.domain.ids import FillId, OrderId, VenueId, VenueOrderId
from ordergate.domain.reports import FillReport, OrderStatusReport, Report
from ordergate.service.ports import Clock, ReportSink, VenueBalance, VenueOrder, VenueOrderState, VenuePosition


class ScriptedVenue:
    """A Venue that answers only when told to (or acks at once with ``auto_ack``)."""

    def __init__(self, clock: Clock, venue_id: str = "paper", auto_ack: bool = False) -> None:
        self.id = VenueId(venue_id)
        self._clock = clock
        self.auto_ack = auto_ack
        self.sink: ReportSink | None = None
        self.submitted: list[VenueOrder] = []
        self.canceled: list[VenueOrder] = []
        self.replaced: list[tuple[VenueOrder, VenueOrder]] = []
        self.status_answers: dict[OrderId, list[Report]] = {}
        self.status_asked: list[OrderId] = []
        self.ready = True
        self.open_answer: list[VenueOrderState] = []
        self.positions_answer: list[VenuePosition] | None = None
        self.balances_answer: list[VenueBalance] | None = None
        self._fills = 0

    async def start(self, sink: ReportSink) -> None:
        """Remember where reports go."""
        self.sink = sink

    async def stop(self) -> None:
        """Forget the sink."""
        self.sink = None

    def submit(self, order: VenueOrder) -> None:
        """Record the order; ack it at once when ``auto_ack`` is on."""
        self.submitted.append(order)
        if self.auto_ack:
            self.ack(order.order_id)

    def cancel(self, order: VenueOrder) -> None:
        """Record the cancel request."""
        self.canceled.append(order)

    def replace(self, order: VenueOrder, new: VenueOrder) -> None:
        """Record the replace request."""
        self.replaced.append((order, new))

    async def status(self, order: VenueOrder) -> Sequence[Report]:
        """Return the scripted answer for this order (none by default)."""
        self.status_asked.append(order.order_id)
        return list(self.status_answers.get(order.order_id, []))

    async def open_orders(self) -> Sequence[VenueOrderState]:
        """Return the scripted open orders (none by default)."""
        return list(self.open_answer)

    async def positions(self) -> Sequence[VenuePosition] | None:
        """Return the scripted positions (None by default: the venue keeps none)."""
        return self.positions_answer

    async def balances(self) -> Sequence[VenueBalance] | None:
        """Return the scripted cash (None by default: the venue keeps none)."""
        return self.balances_answer

    def is_ready(self) -> bool:
        """Return whether the test says the venue is up."""
        return self.ready

    # -- helpers that play the venue's part -----------------------------------------------------------

    def ack(self, order_id: OrderId) -> OrderStatusReport:
        """Send an acknowledgement (status new) for an order."""
        report = OrderStatusReport(order_id=order_id, venue=self.id, ts=self._clock.now(), status=OrderStatus.NEW,
                                   venue_order_id=VenueOrderId(f"v-{order_id}"))
        self._send(report)
        return report

    def fill(self, order_id: OrderId, qty: Decimal, price: Decimal, fill_id: str | None = None,
             commission: Decimal = Decimal(0)) -> FillReport:
        """Send one execution for an order."""
        self._fills += 1
        report = FillReport(order_id=order_id, venue=self.id, ts=self._clock.now(),
                            fill_id=FillId(fill_id or f"f{self._fills}"), qty=qty, price=price, commission=commission)
        self._send(report)
        return report

    def _send(self, report: Report) -> None:
        if self.sink is None:
            raise RuntimeError("venue not started")
        self.sink(report)
