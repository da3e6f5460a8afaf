"""Place, modify and cancel at Upstox, never making two Upstox orders for one of ours.

Upstox has no idempotency. A place whose answer is lost (timeout, dropped connection, 5xx) may or may not
have made an order, so before any resend the order is looked up by its tag (our order id) in the order
history; only when none is found is it sent again. 429 means Upstox did nothing: it is simply retried.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

import structlog

from ordergate.adapters.venues.upstox.apply import UpdateApplier
from ordergate.adapters.venues.upstox.http import UpstoxApiError, UpstoxHttp, UpstoxLost
from ordergate.adapters.venues.upstox.parse import UpstoxOrder, order
from ordergate.adapters.venues.upstox.requests import Unsupported, modify_body, place_body
from ordergate.adapters.venues.upstox.tracking import Tracked, TrackedOrders
from ordergate.domain.enums import OrderStatus
from ordergate.domain.ids import VenueId
from ordergate.domain.reports import CancelRejectReport, OrderStatusReport, Report
from ordergate.service.ports import VenueOrder

log = structlog.get_logger(__name__)
PLACE_ATTEMPTS = 3
NOT_ALLOWED = "UDAPI100040"  # cancel/modify of a done order


class OrderActions:
    """The request flows of the Upstox venue (each runs holding the order's lock)."""

    def __init__(self, venue: VenueId, http: UpstoxHttp, tracked: TrackedOrders, applier: UpdateApplier,
                 emit: Callable[[Report], None], now: Callable[[], datetime],
                 check_token: Callable[[], Awaitable[str | None]]) -> None:
        self.venue, self.http, self.tracked, self.applier = venue, http, tracked, applier
        self.emit, self.now, self.check_token = emit, now, check_token
        self.lookups = 0  # places looked up by tag after a lost answer (metrics)
        self.resends = 0

    async def latest_by_tag(self, tag: str) -> UpstoxOrder | None:
        """Return the newest state of the Upstox order tagged ``tag`` (the first made, if several)."""
        rows = await self.http.call("GET", "/v2/order/history", params={"tag": tag})
        states: dict[str, UpstoxOrder] = {}
        for raw in rows or []:
            if raw.get("tag") == tag:
                states[str(raw["order_id"])] = order(raw)  # history is oldest first: the last one wins
        if len(states) > 1:
            log.error("upstox_duplicate_tag", tag=tag, orders=sorted(states))
        return states[min(states)] if states else None

    async def place(self, t: Tracked, key: str, product: str, amo: bool = False) -> None:
        """Place ``t.order`` (as an after-market order when ``amo``); on a lost answer look it up by tag, and
        resend only when Upstox has none."""
        assert t.order is not None
        if t.upstox_id is not None:
            await self.refresh(t)  # a resend of an order Upstox has: say where it is instead
            return
        try:
            body = place_body(t.order, key, product, amo)
        except Unsupported as e:
            self._reject(t, str(e))
            return
        if t.sent and await self._found(t, 0):
            return  # a resend (the engine asked while our place was unanswered): Upstox had it after all
        t.sent = True
        for attempt in range(1, PLACE_ATTEMPTS + 1):
            try:
                data = await self.http.call("POST", "/v3/order/place", body=body, repeat_ok=False)
                self.tracked.link(t, str(data["order_ids"][0]))
                return
            except UpstoxApiError as e:
                if e.unauthorized:
                    self._reject(t, await self.check_token() or f"upstox refused the order: {e}")
                    return
                if not e.transient:
                    self._reject(t, f"upstox: {e.message or e.code}")
                    return
                if e.status == 429:
                    continue  # refused for rate: nothing was made
            except UpstoxLost:
                pass
            if await self._found(t, attempt):
                return
        self._reject(t, "venue_unavailable: upstox did not answer; the order was not placed")

    async def _found(self, t: Tracked, attempt: int) -> bool:
        """After a lost answer: adopt the order Upstox made, or say it made none (then we may resend)."""
        self.lookups += 1
        await asyncio.sleep(min(0.05 * attempt, 1.0))  # let a slow place land before asking
        try:
            found = await self.latest_by_tag(str(t.order_id))
        except (UpstoxApiError, UpstoxLost):
            found = None
            # Unknown whether it exists: sending again could make a second order. Reconciliation finds it.
            log.error("upstox_place_unknown", order_id=t.order_id)
            return True
        if found is None:
            self.resends += 1
            return False
        self.tracked.link(t, found.order_id)
        await self.applier.apply(t, found)
        return True

    async def cancel(self, t: Tracked) -> None:
        """Cancel at Upstox; a cancel of a done order reports what the order became."""
        if t.upstox_id is None:
            self._cancel_reject(t, "cancel", "the order is not at upstox")
            return
        try:
            await self.http.call("DELETE", "/v3/order/cancel", params={"order_id": t.upstox_id})
        except UpstoxApiError as e:
            await self._refused(t, "cancel", e)
        except UpstoxLost:
            self._cancel_reject(t, "cancel", "upstox did not answer the cancel")

    async def modify(self, t: Tracked, new: VenueOrder) -> None:
        """Modify at Upstox (the order id stays); the stream's ``modified`` brings the replace report."""
        if t.upstox_id is None:
            self._cancel_reject(t, "replace", "the order is not at upstox")
            return
        try:
            body = modify_body(t.upstox_id, new)
        except Unsupported as e:
            self._cancel_reject(t, "replace", str(e))
            return
        t.replacing = new
        try:
            await self.http.call("PUT", "/v3/order/modify", body=body)
        except UpstoxApiError as e:
            t.replacing = None
            await self._refused(t, "replace", e)
        except UpstoxLost:
            t.replacing = None
            self._cancel_reject(t, "replace", "upstox did not answer the modify")

    async def _refused(self, t: Tracked, response_to: str, e: UpstoxApiError) -> None:
        if e.unauthorized:
            reason = await self.check_token() or f"upstox refused: {e}"
        else:
            reason = f"upstox: {e.message or e.code}"
        self._cancel_reject(t, response_to, reason)
        if e.code == NOT_ALLOWED and t.upstox_id is not None:
            await self.refresh(t)  # the order is done: say how (filled, cancelled) now rather than later

    async def refresh(self, t: Tracked) -> None:
        """Fetch the order's latest state and apply it."""
        try:
            raw = await self.http.call("GET", "/v2/order/details", params={"order_id": str(t.upstox_id)})
        except (UpstoxApiError, UpstoxLost):
            return
        await self.applier.apply(t, order(raw))

    def _reject(self, t: Tracked, reason: str) -> None:
        t.done = True
        self.emit(OrderStatusReport(order_id=t.order_id, venue=self.venue, ts=self.now(),
                                    status=OrderStatus.REJECTED, reason=reason))

    def _cancel_reject(self, t: Tracked, response_to: str, reason: str) -> None:
        self.emit(CancelRejectReport(order_id=t.order_id, venue=self.venue, ts=self.now(),
                                     response_to=response_to, reason=reason))

