"""The three requests, each safe against a lost answer: submit (never two orders at Alpaca for one of ours),
cancel (asynchronous at Alpaca: 204, then a ``canceled`` event), replace (a new Alpaca order that
``replaces`` the old; our order id stays)."""

import asyncio
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import structlog

from ordergate.adapters.venues.alpaca.http import AlpacaAnswer, AlpacaHttp, AlpacaUnavailable
from ordergate.adapters.venues.alpaca.lookup import AlpacaLookup
from ordergate.adapters.venues.alpaca.orders import Tracked, TrackedOrders
from ordergate.adapters.venues.alpaca.parse import ORDER_TYPES, TIME_IN_FORCE, decimal, qty_text
from ordergate.adapters.venues.alpaca.refusals import venue_side_refusal
from ordergate.adapters.venues.alpaca.updates import UpdateReader
from ordergate.domain.enums import OrderStatus, OrderType, TimeInForce
from ordergate.domain.ids import Symbol, VenueId, VenueOrderId
from ordergate.domain.reports import CancelRejectReport, OrderStatusReport, Report
from ordergate.service.ports import VenueOrder

log = structlog.get_logger(__name__)
Emit = Callable[[list[Report]], None]


class Unsupported(Exception):
    """An order Alpaca cannot take as asked (e.g. a time in force it lacks)."""


class AlpacaRequests:
    """Carry out submit, cancel and replace for one order at a time (the venue runs them in order)."""

    def __init__(self, venue: VenueId, http: AlpacaHttp, lookup: AlpacaLookup, orders: TrackedOrders,
                 reader: UpdateReader, symbols: Mapping[Symbol, str], emit: Emit,
                 now: Callable[[], datetime]) -> None:
        self.venue, self.http, self.lookup, self.orders = venue, http, lookup, orders
        self.reader, self.symbols, self.emit, self.now = reader, symbols, emit, now
        self.attempts = http.config.max_attempts

    async def submit(self, order: VenueOrder) -> None:
        """Create the order at Alpaca; when the answer is lost, look it up before any resend."""
        tracked = self.orders.track(order)
        try:
            body = self.body(order)
        except Unsupported as e:
            self.emit([self._status(order, OrderStatus.REJECTED, str(e))])
            return
        for attempt in range(1, self.attempts + 1):
            try:
                answer = await self.http.request("POST", "/v2/orders", json=body, retry=False)
            except AlpacaUnavailable as e:
                if await self._found(tracked, e):
                    return
                await asyncio.sleep(max(self.http.backoff(attempt), e.wait or 0))
                continue
            if answer.ok and isinstance(answer.body, dict):
                self._created(tracked, answer.body)
            elif answer.status == 422 and "client_order_id" in answer.message:
                await self._found(tracked, AlpacaUnavailable("client_order_id already used"))
            else:
                self.emit([self._status(order, OrderStatus.REJECTED, _reason(answer),
                                        venue_fault=venue_side_refusal(answer.status, answer.body))])
            return
        await self._gave_up(tracked)

    async def cancel(self, order: VenueOrder) -> None:
        """Ask Alpaca to cancel the live order of the chain (its ``canceled`` event ends ours)."""
        tracked = self.orders.track(order)
        alpaca_id = await self._live_id(tracked)
        if alpaca_id is None:
            self.emit([self._cancel_reject(order, "cancel", "order not known at Alpaca")])
            return
        answer = await self.http.request("DELETE", f"/v2/orders/{alpaca_id}")
        if not answer.ok:
            self.emit([self._cancel_reject(order, "cancel", _reason(answer))])

    async def replace(self, order: VenueOrder, new: VenueOrder) -> None:
        """Replace the live Alpaca order with ``new``'s terms; the ``replaced`` event completes it."""
        tracked = self.orders.track(order)
        alpaca_id = await self._live_id(tracked)
        if alpaca_id is None:
            self.emit([self._cancel_reject(order, "replace", "order not known at Alpaca")])
            return
        live = await self.lookup.order(alpaca_id)
        # A replacement starts at zero filled, so it is sent for what is left to fill (the safer reading of
        # Alpaca's replace: never more than the new total).
        remaining = new.qty - tracked.prior_filled - (decimal(live.get("filled_qty")) or Decimal(0))
        if new.tif not in TIME_IN_FORCE or remaining <= 0:
            reason = "new quantity is not above the filled quantity" if remaining <= 0 else \
                f"time in force {new.tif} is not supported by Alpaca"
            self.emit([self._cancel_reject(order, "replace", reason)])
            return
        # A PATCH carries no extended_hours: the replacement is taken to keep the old order's (the reference lists
        # only qty, time_in_force, limit/stop price, trail and client_order_id as replace fields; unsure)
        body: dict[str, Any] = {"qty": qty_text(remaining), "time_in_force": TIME_IN_FORCE[new.tif]}
        if new.limit_price is not None:
            body["limit_price"] = qty_text(new.limit_price)
        if new.stop_price is not None:
            body["stop_price"] = qty_text(new.stop_price)
        tracked.asked = new
        try:
            answer = await self.http.request("PATCH", f"/v2/orders/{alpaca_id}", json=body, retry=False)
        except AlpacaUnavailable:
            await self._replace_answer_lost(tracked, alpaca_id)
            return
        if answer.ok and isinstance(answer.body, dict):
            self.emit(self.reader.replacement_known(tracked, alpaca_id, answer.body, self.now()))
        else:
            tracked.asked = None
            self.emit([self._cancel_reject(order, "replace", _reason(answer))])

    def body(self, order: VenueOrder) -> dict[str, Any]:
        """Return the POST /v2/orders body for ``order`` (our client order id is Alpaca's)."""
        if order.tif not in TIME_IN_FORCE:
            raise Unsupported(f"time in force {order.tif} is not supported by Alpaca")
        body: dict[str, Any] = {
            "symbol": self.symbols.get(order.symbol, order.symbol), "qty": qty_text(order.qty - order.filled_qty),
            "side": order.side.value, "type": ORDER_TYPES[order.type], "time_in_force": TIME_IN_FORCE[order.tif],
            "client_order_id": order.client_order_id,
        }
        if order.limit_price is not None:
            body["limit_price"] = qty_text(order.limit_price)
        if order.stop_price is not None:
            body["stop_price"] = qty_text(order.stop_price)
        if order.extended_hours:
            if order.type is not OrderType.LIMIT or order.tif not in (TimeInForce.DAY, TimeInForce.GTC):
                raise Unsupported("Alpaca takes extended_hours only on limit orders with time in force day or gtc")
            body["extended_hours"] = True
        return body

    async def _gave_up(self, tracked: Tracked) -> None:
        """After every try went unanswered: once Alpaca confirms it has no such order, refuse it as the
        venue's own fault (the router may send it elsewhere); while unsure, leave it to reconciliation."""
        log.error("alpaca_submit_gave_up", order_id=tracked.order.order_id, attempts=self.attempts)
        if await self._found(tracked, AlpacaUnavailable("gave up")):
            return
        reason = f"alpaca unavailable: no answer to the order after {self.attempts} tries"
        self.emit([self._status(tracked.order, OrderStatus.REJECTED, reason, venue_fault=True)])

    async def _found(self, tracked: Tracked, lost: AlpacaUnavailable) -> bool:
        """After a lost submit answer, return whether Alpaca has the order (adopting it); raise when unsure."""
        log.info("alpaca_submit_answer_lost", order_id=tracked.order.order_id, reason=lost.reason)
        found = await self._look_up_patiently(tracked.order.client_order_id)
        if found is None:
            return False
        self.emit(await self.lookup.reports(tracked, found))
        return True

    async def _look_up_patiently(self, client_order_id: str) -> dict[str, Any] | None:
        """Look the order up until Alpaca answers for sure (the order, or 404), rounds of retries apart;
        raise only when it never does. Nothing is sent again before that answer."""
        for attempt in range(1, self.attempts + 1):
            try:
                return await self.lookup.by_client_order_id(client_order_id)
            except AlpacaUnavailable as e:
                if attempt == self.attempts:
                    raise
                await asyncio.sleep(max(self.http.backoff(attempt), e.wait or 0))
        raise AssertionError("unreachable")  # pragma: no cover

    def _created(self, tracked: Tracked, alpaca_order: dict[str, Any]) -> None:
        self.orders.link(tracked, str(alpaca_order["id"]))
        if alpaca_order.get("status") == "new":  # else ``accepted``: the stream's ``new`` acks it
            self.emit([self._status(tracked.order, OrderStatus.NEW, "", VenueOrderId(str(alpaca_order["id"])))])

    async def _live_id(self, tracked: Tracked) -> str | None:
        """Return the Alpaca id to act on: the replacement asked for if any, else the live link."""
        current = tracked.current
        if current is None:
            found = await self.lookup.by_client_order_id(tracked.order.client_order_id)
            if found is None:
                return None
            self.emit(await self.lookup.reports(tracked, found))
            current = tracked.current
        if current is not None and current in tracked.replacements:
            return str(tracked.replacements[current]["id"])
        return current

    async def _replace_answer_lost(self, tracked: Tracked, alpaca_id: str) -> None:
        old = await self.lookup.order(alpaca_id)
        if old.get("replaced_by"):
            new = await self.lookup.order(str(old["replaced_by"]))
            self.emit(self.reader.replacement_known(tracked, alpaca_id, new, self.now()))
        elif old.get("status") != "pending_replace":  # Alpaca never took it: say so; the engine may ask again
            tracked.asked = None
            self.emit([self._cancel_reject(tracked.order, "replace", "replace answer lost; not applied")])
        # pending_replace: the replacement's ``new`` event (it names what it replaces) completes it

    def _status(self, order: VenueOrder, status: OrderStatus, reason: str,
                venue_order_id: VenueOrderId | None = None, venue_fault: bool = False) -> OrderStatusReport:
        return OrderStatusReport(order_id=order.order_id, venue=self.venue, ts=self.now(), status=status,
                                 reason=reason, venue_order_id=venue_order_id, venue_fault=venue_fault)

    def _cancel_reject(self, order: VenueOrder, response_to: str, reason: str) -> CancelRejectReport:
        return CancelRejectReport(order_id=order.order_id, venue=self.venue, ts=self.now(),
                                  response_to=response_to, reason=reason)


def _reason(answer: AlpacaAnswer) -> str:
    return f"alpaca {answer.status}: {answer.message}"
