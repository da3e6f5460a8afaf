"""The fake Upstox as the conformance kit's oracle (``VenueTruth``): its orders by tag, and its trades."""

from collections.abc import Iterable
from decimal import Decimal

from ordergate.adapters.venues.upstox.parse import STATUSES, Phase
from ordergate.domain.enums import OrderStatus, Side
from ordergate.domain.ids import AccountId, FillId, OrderId, Symbol, VenueOrderId
from tests.conformance.truth import Execution, OrderTruth
from tests.fakes.upstox.exchange import FakeExchange
from tests.fakes.upstox.orders import FakeOrder


class UpstoxTruth:
    """What the fake Upstox did, in the kit's terms (every order's tag is our order id)."""

    def __init__(self, exchange: FakeExchange, account: AccountId, symbols: dict[str, Symbol]) -> None:
        self.exchange, self.account, self.symbols = exchange, account, symbols

    def _status(self, order: FakeOrder) -> OrderStatus:
        status, phase = STATUSES[order.status]
        if phase is Phase.WORKING and order.filled_quantity > 0:
            return OrderStatus.PARTIALLY_FILLED
        return status

    def orders(self) -> Iterable[OrderTruth]:
        """Return every order the fake holds, in its final state."""
        with self.exchange.lock:
            return [OrderTruth(
                order_id=OrderId(str(o.tag)), account=self.account, symbol=self.symbols[o.instrument.key],
                side=Side.BUY if o.transaction_type == "BUY" else Side.SELL, status=self._status(o),
                filled_qty=Decimal(o.filled_quantity), venue_order_id=VenueOrderId(o.order_id),
            ) for o in self.exchange.orders.values()]

    def executions(self) -> Iterable[Execution]:
        """Return every trade the fake made."""
        with self.exchange.lock:
            return [Execution(
                order_id=OrderId(str(t.order.tag)), fill_id=FillId(t.trade_id), account=self.account,
                symbol=self.symbols[t.order.instrument.key],
                side=Side.BUY if t.order.transaction_type == "BUY" else Side.SELL, qty=Decimal(t.quantity),
                price=t.price, commission=Decimal(0),
            ) for t in self.exchange.trades]

    def duplicates(self) -> dict[str, int]:
        """Return the tags carried by more than one order (each is a duplicate order at Upstox)."""
        with self.exchange.lock:
            counts: dict[str, int] = {}
            for o in self.exchange.orders.values():
                counts[str(o.tag)] = counts.get(str(o.tag), 0) + 1
        return {tag: n for tag, n in counts.items() if n > 1}
