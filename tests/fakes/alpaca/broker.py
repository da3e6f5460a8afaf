"""FakeBroker: the fake's orders and their lifecycle (accepted -> new -> partially_filled -> filled, cancels,
replaces with a new id), positions, cash and fills. REST handlers and tests call it on the server's loop."""

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tests.fakes.alpaca.book import FakeQuote, executable
from tests.fakes.alpaca.events import TradeUpdates
from tests.fakes.alpaca.faults import Faults
from tests.fakes.alpaca.model import NOT_REPLACEABLE, TERMINAL, FakeFill, FakeOrder, FakePosition
from tests.fakes.alpaca.orders_in import order_from_body, replacement_terms
from tests.fakes.alpaca.wire import AlpacaError, new_id, now_ts


class FakeBroker:
    """One Alpaca account: its orders, fills, positions and cash, and the market they trade against."""

    def __init__(self, cash: Decimal = Decimal(100_000), faults: Faults | None = None) -> None:
        self.cash = cash
        self.faults = faults or Faults()
        self.orders: dict[str, FakeOrder] = {}
        self.by_client_id: dict[str, FakeOrder] = {}
        self.quotes: dict[str, FakeQuote] = {}
        self.positions: dict[str, FakePosition] = {}
        self.fills: list[FakeFill] = []
        self.updates = TradeUpdates()
        self.posts = 0  # order-creating requests seen (for duplicate checks)
        self.market_listeners: list[Callable[[str, str, dict[str, Any]], None]] = []  # the data streams
        # the market's session: "regular" fills every order, "extended" (pre-market, after hours) only those
        # with extended_hours, "closed" none (they wait, working, for the next session)
        self.session = "regular"

    # -- orders ---------------------------------------------------------------------------------------------

    def submit(self, body: Any) -> FakeOrder:
        """Create an order from a POST body (answer ``accepted``; ``new`` and fills follow on the stream)."""
        self.posts += 1
        order = order_from_body(body)
        if order.client_order_id in self.by_client_id:
            raise AlpacaError(422, 40010001, "client_order_id must be unique")
        self._check_buying_power(order)
        if self.faults.refuse_out_of_session and not self._trades_now(order):
            raise AlpacaError(403, 40310000, f"market is closed for this order ({self.session} session)")
        self._add(order)
        self._later(self.faults.ack_delay, self._acknowledge, order)
        return order

    def get(self, order_id: str) -> FakeOrder:
        """Return an order by Alpaca id (404 when unknown)."""
        order = self.orders.get(order_id)
        if order is None:
            raise AlpacaError(404, 40410000, "order not found")
        return order

    def by_client_order_id(self, client_order_id: str) -> FakeOrder:
        """Return an order by its client order id (404 when unknown)."""
        order = self.by_client_id.get(client_order_id)
        if order is None:
            raise AlpacaError(404, 40410000, "order not found")
        return order

    def replace(self, order_id: str, body: Any) -> FakeOrder:
        """Replace an order: a new order with a new id that ``replaces`` the old, which becomes ``replaced``."""
        old = self.get(order_id)
        if old.status in TERMINAL:
            raise AlpacaError(422, 42210000, f'order is already in "{old.status}" state')
        if old.status in NOT_REPLACEABLE:
            raise AlpacaError(422, 42210000, f'order is not replaceable in "{old.status}" state')
        new = replacement_terms(old, body)
        if new.client_order_id in self.by_client_id:
            raise AlpacaError(422, 40010001, "client_order_id must be unique")
        old.touch("pending_replace")
        self._add(new)
        self._later(self.faults.ack_delay, self._complete_replace, old, new)
        return new

    def cancel(self, order_id: str) -> None:
        """Accept a cancel (the caller answers 204); ``canceled`` follows on the stream."""
        order = self.get(order_id)
        if order.status in TERMINAL:
            raise AlpacaError(422, 42210000, f'order is already in "{order.status}" state')
        if order.status == "pending_cancel":
            return
        order.touch("pending_cancel")
        self.updates.emit("pending_cancel", order)
        self._later(self.faults.ack_delay, self._complete_cancel, order)

    def cancel_all(self) -> list[dict[str, Any]]:
        """Cancel every open order; return the 207 body (one line per order)."""
        lines = []
        for order in self.open_orders():
            self.cancel(order.id)
            lines.append({"id": order.id, "status": 200, "body": order.to_json()})
        return lines

    def open_orders(self) -> list[FakeOrder]:
        """Return the orders still working."""
        return [o for o in self.orders.values() if o.status not in TERMINAL]

    # -- the market -----------------------------------------------------------------------------------------

    def set_quote(self, quote: FakeQuote) -> None:
        """Move the market for one symbol; working orders that become marketable fill."""
        quote.ts = quote.ts or now_ts()
        self.quotes[quote.symbol] = quote
        self._publish("q", quote.symbol, quote.to_wire())
        for order in self.open_orders():
            if order.symbol == quote.symbol and order.status in ("new", "partially_filled"):
                self._match(order)

    def set_session(self, session: str) -> None:
        """Open or close the market (regular, extended, closed); working orders that may trade now match."""
        if session not in ("regular", "extended", "closed"):
            raise ValueError(f"unknown session {session!r}")
        self.session = session
        for order in self.open_orders():
            self._match(order)

    def fill(self, order: FakeOrder, qty: Decimal, price: Decimal) -> None:
        """Execute ``qty`` of ``order`` at ``price`` now (positions, cash, a FILL activity, a stream event)."""
        order.filled_qty += qty
        order.filled_notional += qty * price
        done = order.filled_qty == order.qty
        order.touch("filled" if done else "partially_filled")
        if done:
            order.filled_at = order.updated_at
        position = self.positions.setdefault(order.symbol, FakePosition(order.symbol))
        position.apply(order.side, qty, price)
        self.cash -= qty * price if order.side == "buy" else -qty * price
        execution = new_id()
        self._publish("t", order.symbol, {"t": order.updated_at, "x": "V", "p": price, "s": qty, "c": ["@"],
                                          "i": len(self.fills), "z": "C"})
        self.fills.append(FakeFill(execution, order, qty, price, order.filled_qty, order.updated_at))
        self.updates.emit("fill" if done else "partial_fill", order, price=price, qty=qty,
                          position_qty=position.qty, execution_id=execution)

    # -- lifecycle steps ------------------------------------------------------------------------------------

    def _publish(self, kind: str, symbol: str, message: dict[str, Any]) -> None:
        for listener in list(self.market_listeners):
            listener(kind, symbol, message)

    def _add(self, order: FakeOrder) -> None:
        self.orders[order.id] = order
        self.by_client_id[order.client_order_id] = order

    def _later(self, delay: float, step: Any, *args: Any) -> None:
        asyncio.get_running_loop().call_later(delay, step, *args)

    def _acknowledge(self, order: FakeOrder) -> None:
        if order.status != "accepted":
            return  # canceled (or replaced) before it was routed
        order.touch("new")
        self.updates.emit("new", order)
        self._match(order)

    def _match(self, order: FakeOrder) -> None:
        if order.status not in ("new", "partially_filled"):
            return
        if not self._trades_now(order):  # outside its session: it waits, unless it had to trade at once
            if order.time_in_force in ("ioc", "fok"):
                self._end(order, "canceled")
            return
        quote = self.quotes.get(order.symbol)
        chance = executable(order, quote) if quote is not None else None
        if order.time_in_force == "fok" and (chance is None or min(chance[1], self._chunk(order)) < order.leaves):
            self._end(order, "canceled")
            return
        if chance is not None:
            price, size = chance
            self.fill(order, min(order.leaves, size, self._chunk(order)), price)
            if order.leaves and order.time_in_force not in ("ioc", "fok"):
                self._later(self.faults.fill_delay, self._match, order)
        if order.leaves and order.time_in_force == "ioc":
            self._end(order, "canceled")

    def _trades_now(self, order: FakeOrder) -> bool:
        return self.session == "regular" or (self.session == "extended" and order.extended_hours)

    def _chunk(self, order: FakeOrder) -> Decimal:
        return Decimal(self.faults.fill_chunk) if self.faults.fill_chunk else order.leaves

    def _end(self, order: FakeOrder, status: str) -> None:
        order.touch(status)
        if status == "canceled":
            order.canceled_at = order.updated_at
        self.updates.emit(status, order)

    def _complete_cancel(self, order: FakeOrder) -> None:
        if order.status == "pending_cancel":
            self._end(order, "canceled")

    def _complete_replace(self, old: FakeOrder, new: FakeOrder) -> None:
        old.touch("replaced")
        old.replaced_at, old.replaced_by = old.updated_at, new.id
        self.updates.emit("replaced", old)
        self._acknowledge(new)

    def _check_buying_power(self, order: FakeOrder) -> None:
        if order.side != "buy":
            return
        quote = self.quotes.get(order.symbol)
        price = order.limit_price or order.stop_price or (quote.ask if quote else Decimal(0))
        working = sum((o.leaves * (o.limit_price or o.stop_price or Decimal(0))
                       for o in self.open_orders() if o.side == "buy"), Decimal(0))
        buying_power = self.cash - working
        if order.qty * price > buying_power:
            raise AlpacaError(403, 40310000, "insufficient buying power",
                              buying_power=str(buying_power), cost_basis=str(order.qty * price))
