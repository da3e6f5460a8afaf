"""Stale prices end to end: the real MarketDataHub on a hand-moved clock feeds the real RiskGate and OrderEngine."""

from decimal import Decimal
from itertools import count

import pytest

from ordergate.adapters.instruments_file import load_instruments
from ordergate.config import MarketDataConfig
from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from ordergate.domain.events import Denial
from ordergate.domain.ids import AccountId, OrderId, Symbol, VenueId
from ordergate.domain.ledger import Ledger
from ordergate.domain.order import Order
from ordergate.service.engine import OrderEngine
from ordergate.service.marketdata import MarketDataHub, MarketEvent, MarketKind
from ordergate.service.risk_gate import RiskGate
from tests.fakes.clock import FakeClock
from tests.fakes.feed import FakeFeed

ACC = AccountId("ACC")
AAPL = Symbol("AAPL")
D = Decimal
STALE_AFTER = MarketDataConfig(stale_after=10).stale_after


class Market:
    """One funded cash account trading AAPL, priced by a real hub that only this test writes to."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.hub = MarketDataHub(self.clock, stale_after=STALE_AFTER)
        ledger, instruments, ids = Ledger(), load_instruments(), count(1)
        self.engine = OrderEngine(ledger, instruments, self.hub, self.clock, VenueId("paper"),
                                  lambda: OrderId(f"o{next(ids)}"), risk=RiskGate(ledger, instruments, self.hub,
                                                                                  self.clock))
        self.engine.handle(cmds.OpenAccount(account=ACC, balances={"USD": D(1_000_000)}))

    def limits(self, **changes: object) -> None:
        """Set the account's limits as the API does."""
        self.engine.handle(cmds.SetRiskLimits(account=ACC, changes=dict(changes), requested_by="test"))

    def book(self, bid: str = "229.95", ask: str = "230.05") -> None:
        """Publish a fresh AAPL book, as the paper market does on each tick."""
        self.hub.on_book(AAPL, [(D(bid), D(500))], [(D(ask), D(500))], self.clock.now())

    def submit(self, limit: str | None = None) -> Order:
        """Submit a buy of 10 AAPL (a market order unless ``limit`` is given) and return the order."""
        order_type = OrderType.LIMIT if limit is not None else OrderType.MARKET
        cmd = cmds.SubmitOrder(account=ACC, symbol=AAPL, side=Side.BUY, type=order_type, qty=D(10),
                               limit_price=D(limit) if limit is not None else None, tif=TimeInForce.DAY)
        order: Order = self.engine.handle(cmd).reply.order
        return order


@pytest.fixture
def market() -> Market:
    return Market()


def only(order: Order) -> Denial:
    assert order.status is OrderStatus.REJECTED and len(order.denials) == 1, order.denials
    return order.denials[0]


def test_market_order_when_the_price_is_fresh_then_accepted_and_when_older_than_stale_after_then_denied(
        market: Market) -> None:
    market.limits(enforce_buying_power=True)
    market.book()
    assert market.submit().status is OrderStatus.PENDING_NEW
    market.clock.advance(STALE_AFTER)
    assert market.submit().status is OrderStatus.PENDING_NEW  # exactly stale_after old is still fresh
    market.clock.advance(0.001)
    denial = only(market.submit())
    assert denial.rule == "enforce_buying_power"
    assert denial.message == "cannot value the buy of AAPL: the reference price is stale"
    market.book()
    assert market.submit().status is OrderStatus.PENDING_NEW


def test_limit_order_with_price_collar_when_the_price_goes_stale_then_denied_naming_the_collar(
        market: Market) -> None:
    market.limits(price_collar_pct="5")
    market.book()
    market.hub.on_trade(AAPL, D("230.00"), D(100), market.clock.now())
    assert market.submit(limit="230.10").status is OrderStatus.PENDING_NEW
    market.clock.advance(STALE_AFTER + 1)
    denial = only(market.submit(limit="230.10"))
    assert denial.rule == "price_collar_pct"
    assert "reference price of AAPL is stale" in denial.message and "price collar" in denial.message


def test_order_when_the_book_lost_data_its_feed_cannot_resend_then_denied_as_stale_at_once(
        market: Market) -> None:
    market.limits(price_collar_pct="5")
    market.hub.attach_feed(FakeFeed(["AAPL"], answer=lambda symbol: False))  # e.g. a file with no snapshot ahead
    now = market.clock.now()
    market.hub.apply(MarketEvent(MarketKind.SNAPSHOT, AAPL, now, seq=1, bids=[(D("229.95"), D(500))],
                                 asks=[(D("230.05"), D(500))]))
    assert market.submit(limit="230.00").status is OrderStatus.PENDING_NEW
    market.hub.apply(MarketEvent(MarketKind.ADD, AAPL, now, Side.BUY, D("229.90"), D(100), seq=3))
    assert "is stale" in only(market.submit(limit="230.00")).message
