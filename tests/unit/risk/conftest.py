"""A trading desk for risk tests: the real engine and risk gate, a fake clock and prices set by hand."""

from decimal import Decimal
from itertools import count
from typing import Any

import pytest

from ordergate.adapters.instruments_file import load_instruments
from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from ordergate.domain.events import Denial, Event
from ordergate.domain.ids import AccountId, FillId, OrderId, Symbol, VenueId
from ordergate.domain.ledger import Ledger
from ordergate.domain.order import Order
from ordergate.domain.reports import FillReport, OrderStatusReport
from ordergate.domain.risk.pricing import MarketPricing
from ordergate.service.engine import OrderEngine
from ordergate.service.outcome import Outcome
from ordergate.service.risk_gate import BookSource, RiskGate
from tests.fakes.clock import FakeClock
from tests.fakes.prices import FixedPrices

ACC = AccountId("ACC")
VENUE = VenueId("paper")


class Desk:
    """One funded account trading through the real OrderEngine with the real RiskGate."""

    def __init__(self, cash: str = "1000000", margin: bool = False, books: BookSource | None = None,
                 pricing: MarketPricing | None = None) -> None:
        self.clock = FakeClock()
        self.prices = FixedPrices({"AAPL": Decimal("230.00"), "MSFT": Decimal("420.00"), "INFY": Decimal("1600")})
        self.ledger = Ledger()
        instruments = load_instruments()
        self.gate = RiskGate(self.ledger, instruments, self.prices, self.clock, books=books, pricing=pricing)
        ids = count(1)
        self.engine = OrderEngine(self.ledger, instruments, self.prices, self.clock, VENUE,
                                  lambda: OrderId(f"o{next(ids)}"), risk=self.gate)
        self._fills = count(1)
        self.events: list[Event] = []
        self.handle(cmds.OpenAccount(account=ACC, balances={"USD": Decimal(cash), "INR": Decimal(cash)},
                                     margin=margin))
        self.last: Outcome = Outcome()

    def handle(self, message: object) -> Any:
        """Handle a command or report; return its reply (its events are kept, as a journal would)."""
        self.last = self.engine.handle(message)
        self.events.extend(self.last.events)
        return self.last.reply

    def limits(self, account: AccountId | None = ACC, **changes: object) -> None:
        """Set limits through the engine, as the API does (loose values, e.g. strings)."""
        self.handle(cmds.SetRiskLimits(account=account, changes=dict(changes), requested_by="test"))

    def order_cmd(self, symbol: str = "AAPL", side: str = "buy", type: str = "limit", qty: str = "10",
                  price: str | None = "230.00", stop: str | None = None) -> cmds.SubmitOrder:
        """Return a SubmitOrder (a limit buy of 10 AAPL at 230 unless told otherwise)."""
        order_type = OrderType(type)
        return cmds.SubmitOrder(
            account=ACC, symbol=Symbol(symbol), side=Side(side), type=order_type, qty=Decimal(qty),
            limit_price=Decimal(price) if price is not None and order_type.needs_limit_price else None,
            stop_price=Decimal(stop) if stop is not None else None, tif=TimeInForce.GTC,
        )

    def check(self, **terms: Any) -> list[Denial]:
        """Return the denials an order would get, recording nothing."""
        cmd = self.order_cmd(**terms)
        return self.gate.check_submit(cmd, self.engine.instruments[cmd.symbol], self.prices.reference_price(cmd.symbol))

    def submit(self, **terms: Any) -> Order:
        """Submit an order through the engine and acknowledge it; return it (rejected if risk denied it)."""
        order: Order = self.handle(self.order_cmd(**terms)).order
        if order.status is OrderStatus.PENDING_NEW:
            self.handle(OrderStatusReport(order_id=order.id, venue=VENUE, ts=self.clock.now(), status=OrderStatus.NEW))
        return order

    def fill(self, order: Order, qty: str | None = None, price: str | None = None, commission: str = "0") -> None:
        """Fill an order (all its leaves at its limit price unless told otherwise)."""
        self.handle(FillReport(
            order_id=order.id, venue=VENUE, ts=self.clock.now(), fill_id=FillId(f"f{next(self._fills)}"),
            qty=Decimal(qty) if qty is not None else order.leaves_qty,
            price=Decimal(price) if price is not None else (order.limit_price or Decimal("230.00")),
            commission=Decimal(commission),
        ))

    def cancel(self, order: Order) -> None:
        """Cancel an order and confirm it as the venue would."""
        self.handle(cmds.CancelOrder(order_id=order.id))
        self.handle(OrderStatusReport(order_id=order.id, venue=VENUE, ts=self.clock.now(), status=OrderStatus.CANCELED))

    def trade(self, side: str, qty: str, price: str, symbol: str = "AAPL", commission: str = "0") -> Order:
        """Submit a limit order and fill it completely."""
        order = self.submit(symbol=symbol, side=side, qty=qty, price=price)
        self.fill(order, commission=commission)
        return order


def only(denials: list[Denial]) -> Denial:
    """Return the one denial of a list (failing when there is not exactly one)."""
    assert len(denials) == 1, denials
    return denials[0]


@pytest.fixture
def desk() -> Desk:
    """A cash account ACC with 1,000,000 USD and INR, every limit off; AAPL at 230, MSFT at 420."""
    return Desk()
