"""A test engine whose AAPL trades at two venues (thin and deep) with books set by the test."""

from collections.abc import Callable, Sequence
from decimal import Decimal

from ordergate.adapters.instruments_file import load_instruments
from ordergate.domain.commands import OpenAccount
from ordergate.domain.enums import OrderStatus, Side
from ordergate.domain.events import Event, OrderSubmitted
from ordergate.domain.ids import AccountId, FillId, OrderId, Symbol, VenueId, VenueOrderId
from ordergate.domain.ledger import Ledger
from ordergate.domain.reports import FillReport, OrderStatusReport
from ordergate.domain.routing import Fees, Level
from ordergate.service.engine import OrderEngine
from ordergate.service.route_log import RouteLog
from ordergate.service.router import RoutedVenue, Router
from ordergate.service.venue_stats import BreakerSettings, VenueStats
from tests.fakes.clock import FakeClock
from tests.fakes.prices import FixedPrices
from tests.unit.builders import ACCOUNT, Counter, buy

D = Decimal
THIN, DEEP = VenueId("thin"), VenueId("deep")
AAPL = Symbol("AAPL")


class Rig:
    """An engine whose AAPL trades at two venues with books set by the test; MSFT only at ``paper``."""

    def __init__(self, routes: dict[AccountId, str] | None = None) -> None:
        self.clock = FakeClock()
        self.ledger = Ledger()
        self.events: list[Event] = []
        self.ledger.subscribe(lambda e, o: self.events.append(e))
        self.stats = VenueStats(self.ledger, BreakerSettings(window=4, min_orders=2, reject_rate=0.5, cooldown=30))
        self.log = RouteLog(self.ledger)
        self.asks: dict[VenueId, list[Level]] = {THIN: [(D("230.00"), D("10"))], DEEP: [(D("230.02"), D("1000"))],
                                                 VenueId("paper"): []}
        self.up = {THIN: True, DEEP: True, VenueId("paper"): True}
        self.router = Router(VenueId("paper"), {}, {AAPL: [THIN, DEEP]}, self.stats, self.clock,
                             account_routes=routes)
        self.router.attach({v: RoutedVenue(self._book(v), Fees(per_share=D("0.005")), self._ready(v))
                            for v in self.asks})
        self.engine = OrderEngine(self.ledger, load_instruments(), FixedPrices({"AAPL": D("230.00")}), self.clock,
                                  self.router, Counter())
        self.engine.handle(OpenAccount(account=ACCOUNT, balances={"USD": D("10000000")}))

    def _book(self, venue: VenueId) -> Callable[[Symbol, Side, int], Sequence[Level]]:
        return lambda symbol, side, n: self.asks[venue][:n] if side is Side.SELL else []

    def _ready(self, venue: VenueId) -> Callable[[], bool]:
        return lambda: self.up[venue]

    def submit(self, qty: str, route: str | None = None) -> OrderSubmitted:
        order = self.engine.handle(buy(qty, limit=None, route=route)).reply.order  # type: ignore[attr-defined]
        return next(e for e in self.events if isinstance(e, OrderSubmitted) and e.order_id == order.id)

    def child(self, order_id: OrderId) -> OrderId:
        """Return the last child of a parent order (what its venue knows)."""
        return self.ledger.orders[order_id].children[-1]

    def report(self, child_id: OrderId, status: OrderStatus) -> OrderStatusReport:
        """Return a status report from a child's venue."""
        venue = self.ledger.orders[child_id].venue
        return OrderStatusReport(order_id=child_id, venue=venue, ts=self.clock.now(), status=status,
                                 venue_order_id=VenueOrderId("v-" + child_id), reason="venue says so")

    def fill_report(self, child_id: OrderId, fill_id: str, qty: str, price: str) -> FillReport:
        """Return a fill report from a child's venue."""
        venue = self.ledger.orders[child_id].venue
        return FillReport(order_id=child_id, venue=venue, ts=self.clock.now(), fill_id=FillId(fill_id),
                          qty=D(qty), price=D(price), commission=D("0"))

    def answer(self, order_id: OrderId, status: OrderStatus, venue_fault: bool = False) -> None:
        child = self.ledger.orders[self.child(order_id)]
        self.engine.handle(OrderStatusReport(order_id=child.id, venue=child.venue, ts=self.clock.now(), status=status,
                                             venue_order_id=VenueOrderId("v-" + child.id), reason="no",
                                             venue_fault=venue_fault))

    def fill(self, order_id: OrderId, fill_id: str, qty: str, price: str) -> None:
        child = self.ledger.orders[self.child(order_id)]
        self.engine.handle(FillReport(order_id=child.id, venue=child.venue, ts=self.clock.now(),
                                      fill_id=FillId(fill_id), qty=D(qty), price=D(price), commission=D("0")))
