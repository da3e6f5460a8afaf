"""The fake broker's order book: Upstox's order lifecycle, fills against a last price, modify and cancel.

Every transition goes to the portfolio stream, as Upstox sends an update on each. A marketable order fills
against the instrument's last price in ``fill_parts`` trades (more than one: partial fills on the way).
"""

import itertools
import threading
from decimal import Decimal

from tests.fakes.upstox.envelopes import UpstoxError
from tests.fakes.upstox.faults import Faults
from tests.fakes.upstox.gtt import GttBook
from tests.fakes.upstox.instruments import INSTRUMENTS
from tests.fakes.upstox.orders import FakeOrder, FakeTrade
from tests.fakes.upstox.requests import ModifyRequest, PlaceRequest
from tests.fakes.upstox.tokens import FakeClock, Tokens
from tests.fakes.upstox.updates import UpdateHub

NOT_ALLOWED = "UDAPI100040"
AMO_WAITING = "after market order req received"
AMO_MODIFIED = "modify after market order req received"


class FakeExchange:
    """Orders, trades and prices at the fake broker (thread-safe)."""

    def __init__(self, cash: Decimal = Decimal("10000000"), fill_parts: int = 1) -> None:
        self.clock = FakeClock()
        self.tokens = Tokens(self.clock.now)
        self.faults = Faults()
        self.hub = UpdateHub(self.faults)
        self.orders: dict[str, FakeOrder] = {}
        self.trades: list[FakeTrade] = []
        self.last_price = {key: i.last_price for key, i in INSTRUMENTS.items()}
        self.cash = cash
        self.fill_parts = fill_parts
        self.auto_fill = True  # marketable orders fill at once; off: only ``fill`` fills
        self.market_open = True  # in a session; closed: only after-market orders are taken
        self.gtt = GttBook(self)
        self.lock = threading.RLock()
        self._order_ids = itertools.count(260_000_000_000_001)
        self._trade_ids = itertools.count(50_000_001)

    # -- requests -----------------------------------------------------------------------------------------

    def place(self, req: PlaceRequest) -> FakeOrder:
        """Create an order and take it through validation to open (or rejected), filling what is marketable.

        While the market is closed only after-market orders (``is_amo``) are taken: they wait, in ``after
        market order req received``, for ``open_market``; any other order is refused ("Market is closed",
        UDAPI100057 as users report it). What Upstox answers to an after-market order sent while the market
        is open is not documented: the fake queues it as well, until the next ``open_market``.
        """
        with self.lock:
            if not req.is_amo and not self.market_open:
                raise UpstoxError(400, "UDAPI100057", "Market is closed", "is_amo", False)
            now = self.clock.now()
            order = FakeOrder(
                order_id=str(next(self._order_ids)), instrument=req.instrument, tag=req.tag, product=req.product,
                order_type=req.order_type, validity=req.validity, transaction_type=req.transaction_type,
                quantity=req.quantity, price=req.price, trigger_price=req.trigger_price,
                disclosed_quantity=req.disclosed_quantity, is_amo=req.is_amo, placed_at=now,
            )
            self.orders[order.order_id] = order
            if req.is_amo:
                self._move(order, AMO_WAITING)
                return order
            self._admit(order)
            return order

    def open_market(self) -> None:
        """Start a session: after-market orders waiting go to the exchange (validated, opened, matched)."""
        with self.lock:
            self.market_open = True
            for order in list(self.orders.values()):
                if order.status in (AMO_WAITING, AMO_MODIFIED):
                    self._admit(order)

    def close_market(self) -> None:
        """End the session: from now on only after-market orders are taken."""
        with self.lock:
            self.market_open = False

    def modify(self, req: ModifyRequest) -> FakeOrder:
        """Change a working order's terms; the order id stays, ``order_request_id`` goes up by one."""
        with self.lock:
            order = self._get(req.order_id)
            if order.terminal:
                raise UpstoxError(400, NOT_ALLOWED, "Modify of a cancelled/rejected/completed order is not allowed",
                                  "order_id", req.order_id)
            if req.quantity is not None and req.quantity <= order.filled_quantity:
                raise UpstoxError(400, "UDAPI100038", "Quantity must exceed the filled quantity", "quantity",
                                  req.quantity)
            waiting = order.status in (AMO_WAITING, AMO_MODIFIED)
            if not waiting:
                self._move(order, "modify validation pending")
                self._move(order, "modify pending")
            order.quantity = req.quantity or order.quantity
            order.price, order.trigger_price = req.price, req.trigger_price
            order.order_type, order.validity = req.order_type, req.validity
            order.order_request_id += 1
            if waiting:  # an after-market order still waits for the session, with its new terms
                self._move(order, AMO_MODIFIED)
                return order
            self._move(order, "modified")
            self._move(order, "trigger pending" if order.order_type in ("SL", "SL-M") else "open")
            self._match(order)
            return order

    def cancel(self, order_id: str) -> FakeOrder:
        """Cancel a working order (what it filled stays filled)."""
        with self.lock:
            order = self._get(order_id)
            if order.terminal:
                raise UpstoxError(400, NOT_ALLOWED, "Cancel of a cancelled/rejected/completed order is not allowed",
                                  "order_id", order_id)
            self._move(order, "cancel pending")
            self._move(order, "cancelled after market order" if order.is_amo else "cancelled")
            return order

    # -- the market -------------------------------------------------------------------------------------------

    def fill(self, order_id: str, quantity: int, price: Decimal | None = None) -> FakeTrade:
        """Execute part (or the rest) of a working order now, at ``price`` or the last price."""
        with self.lock:
            order = self._get(order_id)
            if order.terminal or quantity <= 0 or quantity > order.quantity - order.filled_quantity:
                raise ValueError(f"cannot fill {quantity} of order {order_id} ({order.status})")
            return self._execute(order, quantity, price if price is not None else self._fill_price(order))

    def set_price(self, key: str, price: Decimal) -> None:
        """Move an instrument's last price; triggered stops and marketable limits fill."""
        with self.lock:
            self.last_price[key] = price
            for order in list(self.orders.values()):
                if order.instrument.key == key and not order.terminal:
                    self._match(order)
            self.gtt.on_price(key, price)

    # -- reads ---------------------------------------------------------------------------------------------

    def by_tag(self, tag: str) -> list[FakeOrder]:
        """Return every order carrying ``tag`` (tags are not unique at Upstox)."""
        with self.lock:
            return [o for o in self.orders.values() if o.tag == tag]

    def trades_of(self, order_id: str | None = None) -> list[FakeTrade]:
        """Return the day's trades, or one order's."""
        with self.lock:
            return [t for t in self.trades if order_id is None or t.order.order_id == order_id]

    def get(self, order_id: str) -> FakeOrder:
        """Return an order, or raise UDAPI100010 (order not found)."""
        with self.lock:
            return self._get(order_id)

    # -- internals ------------------------------------------------------------------------------------------

    def _get(self, order_id: str) -> FakeOrder:
        order = self.orders.get(order_id)
        if order is None:
            raise UpstoxError(400, "UDAPI100010", "Order not found", "order_id", order_id)
        return order

    def _admit(self, order: FakeOrder) -> None:
        self._move(order, "put order req received")
        self._move(order, "validation pending")
        shortfall = self._shortfall(order)
        if shortfall > 0:
            order.status_message = f"You need to add Rs. {shortfall:.2f} in your account to place this order"
            self._move(order, "rejected")
            return
        self._move(order, "open pending")
        order.exchange_order_id = f"1100000{order.order_id[-8:]}"
        order.exchange_at = self.clock.now()
        self._move(order, "trigger pending" if order.order_type in ("SL", "SL-M") else "open")
        self._match(order)

    def _move(self, order: FakeOrder, status: str) -> None:
        order.status = status
        snapshot = order.wire()
        order.history.append(snapshot)
        self.hub.publish(order.update())

    def _shortfall(self, order: FakeOrder) -> Decimal:
        if order.transaction_type != "BUY":
            return Decimal(0)
        price = order.price or self.last_price[order.instrument.key]
        spent = sum((t.price * t.quantity * (1 if t.order.transaction_type == "BUY" else -1) for t in self.trades),
                    Decimal(0))
        return max(Decimal(0), price * order.quantity - (self.cash - spent))

    def _fill_price(self, order: FakeOrder) -> Decimal:
        last = self.last_price[order.instrument.key]
        return order.price if order.order_type in ("LIMIT", "SL") and order.price else last

    def _triggered(self, order: FakeOrder, last: Decimal) -> bool:
        buy = order.transaction_type == "BUY"
        return last >= order.trigger_price if buy else last <= order.trigger_price

    def _match(self, order: FakeOrder) -> None:
        last = self.last_price[order.instrument.key]
        if order.status == "trigger pending":
            if not self._triggered(order, last):
                return
            self._move(order, "open")
        if not self.auto_fill or order.status != "open":
            return
        limited = order.order_type in ("LIMIT", "SL")
        buy = order.transaction_type == "BUY"
        marketable = not limited or (last <= order.price if buy else last >= order.price)
        if marketable:
            left = order.quantity - order.filled_quantity
            parts = max(1, min(self.fill_parts, left))
            for i in range(parts):
                qty = left // parts + (1 if i < left % parts else 0)
                self._execute(order, qty, last if not limited else min(last, order.price) if buy
                              else max(last, order.price))
        elif order.validity == "IOC":
            self._move(order, "cancelled")

    def _execute(self, order: FakeOrder, quantity: int, price: Decimal) -> FakeTrade:
        trade = FakeTrade(str(next(self._trade_ids)), order, quantity, price, self.clock.now())
        self.trades.append(trade)
        total = order.average_price * order.filled_quantity + price * quantity
        order.filled_quantity += quantity
        order.average_price = total / order.filled_quantity
        self._move(order, "complete" if order.filled_quantity == order.quantity else "open")
        return trade
