"""Small builders of orders, events and engines for the unit tests (plain functions: hypothesis-friendly)."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ordergate.adapters.instruments_file import load_instruments
from ordergate.domain.commands import OpenAccount, SubmitOrder
from ordergate.domain.enums import Liquidity, OrderStatus, OrderType, Side, TimeInForce
from ordergate.domain.events import (
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderExpired,
    OrderFilled,
    OrderPendingCancel,
    OrderPendingReplace,
    OrderRejected,
    OrderReplaced,
    OrderSubmitted,
)
from ordergate.domain.ids import AccountId, ClientOrderId, FillId, OrderId, Symbol, VenueId, VenueOrderId
from ordergate.domain.ledger import Ledger
from ordergate.domain.order import Order, order_from_submitted
from ordergate.domain.reports import FillReport, OrderStatusReport, ReplaceReport
from ordergate.service.engine import OrderEngine
from tests.fakes.clock import FakeClock
from tests.fakes.prices import FixedPrices

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
ACCOUNT = AccountId("ACC")
OID = OrderId("o-1")
AAPL = Symbol("AAPL")
D = Decimal


def submitted(order_id: str = "o-1", qty: str = "100", side: Side = Side.BUY, account: str = "ACC",
              limit: str | None = "10.00", reserve_qty: str = "0", reserve_price: str = "0",
              tif: TimeInForce = TimeInForce.GTC) -> OrderSubmitted:
    """Return an OrderSubmitted for a limit order on AAPL."""
    return OrderSubmitted(
        ts=T0, account=AccountId(account), order_id=OrderId(order_id), client_order_id=ClientOrderId(order_id),
        symbol=AAPL, side=side, type=OrderType.LIMIT if limit else OrderType.MARKET, qty=D(qty),
        limit_price=D(limit) if limit else None, stop_price=None, tif=tif, expire_at=None, currency="USD",
        venue=VenueId("paper"), reserve_qty=D(reserve_qty), reserve_price=D(reserve_price),
    )


def new_order(qty: str = "100", side: Side = Side.BUY) -> Order:
    """Return a pending-new limit order."""
    return order_from_submitted(submitted(qty=qty, side=side))


def _base(order_id: str, account: str) -> dict[str, Any]:
    return {"ts": T0, "account": AccountId(account), "order_id": OrderId(order_id)}


def accepted(order_id: str = "o-1", account: str = "ACC") -> OrderAccepted:
    """Return a venue acknowledgement."""
    return OrderAccepted(**_base(order_id, account), venue_order_id=VenueOrderId("v-" + order_id))


def filled(qty: str, price: str = "10.00", fill_id: str = "f1", order_id: str = "o-1", side: Side = Side.BUY,
           commission: str = "0", account: str = "ACC") -> OrderFilled:
    """Return one execution."""
    return OrderFilled(
        **_base(order_id, account), fill_id=FillId(fill_id), symbol=AAPL, side=side, qty=D(qty), price=D(price),
        commission=D(commission), currency="USD", liquidity=Liquidity.TAKER, venue=VenueId("paper"), venue_ts=T0,
    )


def pending_cancel(order_id: str = "o-1", account: str = "ACC") -> OrderPendingCancel:
    """Return a cancel request."""
    return OrderPendingCancel(**_base(order_id, account), reason="requested")


def canceled(order_id: str = "o-1", account: str = "ACC") -> OrderCanceled:
    """Return a venue cancel confirmation."""
    return OrderCanceled(**_base(order_id, account), reason="requested")


def rejected(order_id: str = "o-1", account: str = "ACC") -> OrderRejected:
    """Return a venue reject."""
    return OrderRejected(**_base(order_id, account), reason="venue says no")


def expired(order_id: str = "o-1", account: str = "ACC") -> OrderExpired:
    """Return an expiry."""
    return OrderExpired(**_base(order_id, account), reason="day ended")


def pending_replace(qty: str = "150", limit: str = "10.50", order_id: str = "o-1") -> OrderPendingReplace:
    """Return a cancel-replace request."""
    return OrderPendingReplace(**_base(order_id, "ACC"), qty=D(qty), limit_price=D(limit), stop_price=None,
                               tif=TimeInForce.GTC, expire_at=None)


def replaced(qty: str = "150", limit: str = "10.50", order_id: str = "o-1") -> OrderReplaced:
    """Return a venue replace confirmation."""
    return OrderReplaced(**_base(order_id, "ACC"), qty=D(qty), limit_price=D(limit), stop_price=None,
                         tif=TimeInForce.GTC, expire_at=None, venue_order_id=VenueOrderId("v2-" + order_id))


def cancel_rejected(order_id: str = "o-1", response_to: str = "cancel") -> OrderCancelRejected:
    """Return a venue cancel reject."""
    return OrderCancelRejected(**_base(order_id, "ACC"), response_to=response_to, reason="too late")


class Counter:
    """Order ids o-1, o-2, ... in sequence."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> OrderId:
        """Return the next id."""
        self.n += 1
        return OrderId(f"o-{self.n}")


def make_engine(clock: FakeClock | None = None, prices: FixedPrices | None = None,
                cash: str = "1000000") -> OrderEngine:
    """Return an engine over the packaged instruments with account ACC funded in USD and INR."""
    engine = OrderEngine(
        Ledger(), load_instruments(), prices or FixedPrices({"AAPL": D("230.00"), "MSFT": D("420.00")}),
        clock or FakeClock(T0), VenueId("paper"), Counter(),
    )
    engine.handle(OpenAccount(account=ACCOUNT, balances={"USD": D(cash), "INR": D(cash)}))
    return engine


def buy(qty: str = "10", limit: str | None = "230.00", symbol: str = "AAPL", side: Side = Side.BUY,
        client_order_id: str | None = None, tif: TimeInForce = TimeInForce.DAY, **terms: Any) -> SubmitOrder:
    """Return a SubmitOrder (a limit buy of AAPL unless told otherwise)."""
    order_type = terms.pop("type", OrderType.LIMIT if limit is not None else OrderType.MARKET)
    return SubmitOrder(
        account=ACCOUNT, symbol=Symbol(symbol), side=side, type=order_type, qty=D(qty),
        limit_price=D(limit) if limit is not None else None, tif=tif,
        client_order_id=ClientOrderId(client_order_id) if client_order_id else None, **terms,
    )


def fill_report(order_id: str, qty: str, price: str = "230.00", fill_id: str = "f1",
                commission: str = "0") -> FillReport:
    """Return a venue execution report."""
    return FillReport(order_id=OrderId(order_id), venue=VenueId("paper"), ts=T0, fill_id=FillId(fill_id),
                      qty=D(qty), price=D(price), commission=D(commission))


def status_report(order_id: str, status: OrderStatus, reason: str = "") -> OrderStatusReport:
    """Return a venue status report (new = ack, canceled, rejected, expired)."""
    return OrderStatusReport(order_id=OrderId(order_id), venue=VenueId("paper"), ts=T0, status=status,
                             venue_order_id=VenueOrderId("v-" + order_id), reason=reason)


def replace_report(order: Order, qty: str, limit: str, tif: TimeInForce | None = None,
                   expire_at: datetime | None = None) -> ReplaceReport:
    """Return a venue confirmation of a cancel-replace with these terms."""
    return ReplaceReport(order_id=order.id, venue=VenueId("paper"), ts=T0, venue_order_id=VenueOrderId("v2"),
                         qty=D(qty), limit_price=D(limit), stop_price=None, tif=tif or order.tif, expire_at=expire_at)
