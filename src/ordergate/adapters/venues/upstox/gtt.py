"""GTT at Upstox: a good-till-cancelled stop order of ours goes as a GTT (good till triggered) order.

Upstox's orders last a day (DAY, IOC); what waits longer is a GTT. The reference describes GTT only by its
stream update (``gtt_order``, with ``rules[{strategy, status, trigger_type, trigger_price, order_id}]``) and
as one of the order APIs; the official SDK's models give the rest: ``POST /v3/order/gtt/place`` (``type``
SINGLE, ``quantity``, ``product``, ``instrument_token``, ``transaction_type``, ``rules``) answering
``gtt_order_ids``, ``DELETE /v3/order/gtt/cancel`` and ``GET /v3/order/gtt``. The safer readings taken where
that is unsure:

- Only a GTC stop (trigger, then market) goes as a GTT: one ENTRY rule, ABOVE the stop for a buy, BELOW for
  a sell. A rule has no price, so a GTC stop-limit or limit is refused, never sent as something else.
- A GTT carries no tag. A place whose answer is lost is looked up among the account's GTTs (same instrument,
  side, quantity and trigger, made since we sent it, not already ours) before any resend.
- Rule statuses are not documented: a rule with an ``order_id`` has triggered (that order, which has no tag
  either, is followed from then on like any other); one whose status reads cancelled, expired or
  failed/rejected ends our order so; any other status leaves it working.
- A modify is refused (cancel and send a new one): what a GTT modify does to a triggered rule is unknown.
"""

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import structlog

from ordergate.adapters.venues.upstox.http import UpstoxApiError, UpstoxHttp, UpstoxLost
from ordergate.adapters.venues.upstox.parse import dec
from ordergate.adapters.venues.upstox.requests import Unsupported, quantity
from ordergate.adapters.venues.upstox.tracking import Tracked, TrackedOrders
from ordergate.domain.enums import OrderStatus, OrderType, TimeInForce
from ordergate.domain.ids import Symbol, VenueId, VenueOrderId
from ordergate.domain.reports import CancelRejectReport, OrderStatusReport, Report, TriggerReport
from ordergate.service.ports import VenueOrder

log = structlog.get_logger(__name__)
PLACE_ATTEMPTS = 3
NOT_FOUND = "UDAPI100010"
OfOrder = Callable[[VenueOrder, str], Awaitable[list[Report]]]
CLOCK_MARGIN = timedelta(minutes=5)
ENDED = (("cancel", OrderStatus.CANCELED), ("expir", OrderStatus.EXPIRED), ("fail", OrderStatus.REJECTED),
         ("reject", OrderStatus.REJECTED))


def goes_as_gtt(order: VenueOrder) -> bool:
    """Return whether ``order`` is a good-till-cancelled one, which only a GTT can hold at Upstox."""
    return order.tif is TimeInForce.GTC


def gtt_body(order: VenueOrder, instrument_key: str, product: str) -> dict[str, Any]:
    """Return the GTT place body for a GTC stop order (raise Unsupported for any other GTC order)."""
    if order.type is not OrderType.STOP or order.stop_price is None:
        raise Unsupported(f"upstox keeps only stop orders past the day (as GTT), not a gtc {order.type} order")
    buy = order.side == "buy"
    return {"type": "SINGLE", "quantity": quantity(order.qty), "product": product, "instrument_token": instrument_key,
            "transaction_type": "BUY" if buy else "SELL",
            "rules": [{"strategy": "ENTRY", "trigger_type": "ABOVE" if buy else "BELOW",
                       "trigger_price": float(order.stop_price)}]}


class GttActions:
    """Place, cancel and follow the GTTs that stand for our GTC stop orders."""

    def __init__(self, venue: VenueId, http: UpstoxHttp, tracked: TrackedOrders, emit: Callable[[Report], None],
                 now: Callable[[], datetime], follow: Callable[[Tracked], Awaitable[None]],
                 keys: Mapping[Symbol, str]) -> None:
        self.venue, self.http, self.tracked, self.emit, self.now = venue, http, tracked, emit, now
        self.keys = keys  # our symbol -> instrument key
        self.follow = follow  # fetch and apply the state of the order a GTT placed
        self.by_gtt: dict[str, Tracked] = {}

    async def place(self, t: Tracked, key: str, product: str) -> None:
        """Place the GTT; on a lost answer look for it among the account's GTTs before any resend."""
        assert t.order is not None
        try:
            body = gtt_body(t.order, key, product)
        except Unsupported as e:
            self._ended(t, OrderStatus.REJECTED, str(e))
            return
        sent_at = self.now()
        for _ in range(PLACE_ATTEMPTS):
            try:
                data = await self.http.call("POST", "/v3/order/gtt/place", body=body, repeat_ok=False)
                self._link(t, str(data["gtt_order_ids"][0]))
                return
            except UpstoxApiError as e:
                if not e.transient or e.unauthorized:
                    self._ended(t, OrderStatus.REJECTED, f"upstox: {e.message or e.code}")
                    return
                if e.status == 429:
                    continue  # refused for rate: nothing was made
            except UpstoxLost:
                pass
            try:
                found = await self._find(body, sent_at)
            except (UpstoxApiError, UpstoxLost):
                log.error("upstox_gtt_place_unknown", order_id=t.order_id)  # never resend blind
                return
            if found is not None:
                self._link(t, found)
                return
        self._ended(t, OrderStatus.REJECTED, "venue_unavailable: upstox did not answer; the GTT was not placed")

    async def cancel(self, t: Tracked) -> bool:
        """Cancel the GTT; return False when it has triggered (its order is then cancelled as any other)."""
        if t.gtt_id is None or t.upstox_id is not None:
            return False
        try:
            await self.http.call("DELETE", "/v3/order/gtt/cancel", body={"gtt_order_id": t.gtt_id})
        except (UpstoxApiError, UpstoxLost) as e:
            reason = f"upstox: {e.message or e.code}" if isinstance(e, UpstoxApiError) else \
                "upstox did not answer the cancel"
            self.emit(CancelRejectReport(order_id=t.order_id, venue=self.venue, ts=self.now(), response_to="cancel",
                                         reason=reason))
            await self.refresh(t)  # it may have triggered or ended meanwhile: say so
            return True
        self._ended(t, OrderStatus.CANCELED, "")
        return True

    async def refresh(self, t: Tracked) -> None:
        """Fetch the GTT and apply what it says."""
        rows = await self.http.call("GET", "/v3/order/gtt", params={"gtt_order_id": str(t.gtt_id)})
        for row in rows or []:
            await self.apply(t, row)

    async def apply(self, t: Tracked, row: dict[str, Any]) -> None:
        """Apply a GTT's state (a stream update or a listing row) to our order."""
        rule = (row.get("rules") or [{}])[0]
        if rule.get("order_id") and t.upstox_id is None:
            self.tracked.link(t, str(rule["order_id"]))  # triggered: its order's updates are ours now
            self.emit(TriggerReport(order_id=t.order_id, venue=self.venue, ts=self.now(),
                                    trigger_price=dec(rule.get("trigger_price"))))
            await self.follow(t)
            return
        status = str(rule.get("status") or "").lower()
        for word, ours in ENDED:
            if word in status and t.upstox_id is None and not t.done:
                self._ended(t, ours, str(rule.get("message") or ""))
                return

    async def status(self, t: Tracked, order: VenueOrder, of_order: OfOrder) -> list[Report]:
        """Return what Upstox holds for our GTC order (reconciliation): the GTT's state, or once it triggered
        the state and fills of the order it placed; empty when Upstox has no such GTT."""
        if t.upstox_id is not None:
            return await of_order(order, t.upstox_id)
        row = await self._lookup(t.gtt_id or order.venue_order_id, order)
        if row is None:
            # an id that is no GTT is the order one placed (our order took that id when it triggered)
            return await of_order(order, order.venue_order_id) if order.venue_order_id else []
        gtt_id = str(row["gtt_order_id"])
        t.gtt_id, t.accepted = gtt_id, True
        self.by_gtt[gtt_id] = t
        rule = (row.get("rules") or [{}])[0]
        if rule.get("order_id"):
            self.tracked.link(t, str(rule["order_id"]))
            return await of_order(order, str(rule["order_id"]))
        status = str(rule.get("status") or "").lower()
        ours = next((s for word, s in ENDED if word in status), OrderStatus.NEW)
        return [OrderStatusReport(order_id=t.order_id, venue=self.venue, ts=self.now(), status=ours,
                                  venue_order_id=VenueOrderId(gtt_id), reason=str(rule.get("message") or ""))]

    async def _lookup(self, gtt_id: str | None, order: VenueOrder) -> dict[str, Any] | None:
        if gtt_id is None:  # never acknowledged: look for it by its terms
            key = self.keys.get(order.symbol)
            if key is None:
                return None
            found = await self._find(gtt_body(order, key, "I"), order.created_at or self.now())
            if found is None:
                return None
            gtt_id = found
        try:
            rows = await self.http.call("GET", "/v3/order/gtt", params={"gtt_order_id": gtt_id})
        except UpstoxApiError as e:
            if e.code == NOT_FOUND:
                return None
            raise
        return rows[0] if rows else None

    def find(self, row: dict[str, Any]) -> Tracked | None:
        """Return our order a GTT update is about, if any."""
        return self.by_gtt.get(str(row.get("gtt_order_id")))

    async def _find(self, body: dict[str, Any], since: datetime) -> str | None:
        rows = await self.http.call("GET", "/v3/order/gtt")
        rule = body["rules"][0]
        earliest = (since - CLOCK_MARGIN).timestamp() * 1000
        candidates = sorted(
            (r for r in rows or [] if str(r.get("gtt_order_id")) not in self.by_gtt
             and r.get("instrument_token") == body["instrument_token"] and r.get("quantity") == body["quantity"]
             and (r.get("rules") or [{}])[0].get("transaction_type") == body["transaction_type"]
             and dec((r.get("rules") or [{}])[0].get("trigger_price")) == dec(rule["trigger_price"])
             and (r.get("created_at") or 0) >= earliest),
            key=lambda r: r.get("created_at") or 0)
        return str(candidates[0]["gtt_order_id"]) if candidates else None

    def _link(self, t: Tracked, gtt_id: str) -> None:
        t.gtt_id, t.accepted = gtt_id, True
        self.by_gtt[gtt_id] = t
        self.emit(OrderStatusReport(order_id=t.order_id, venue=self.venue, ts=self.now(), status=OrderStatus.NEW,
                                    venue_order_id=VenueOrderId(gtt_id)))

    def _ended(self, t: Tracked, status: OrderStatus, reason: str) -> None:
        t.done = True
        self.emit(OrderStatusReport(order_id=t.order_id, venue=self.venue, ts=self.now(), status=status,
                                    reason=reason, venue_order_id=VenueOrderId(t.gtt_id) if t.gtt_id else None))
