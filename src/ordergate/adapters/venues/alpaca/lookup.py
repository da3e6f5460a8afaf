"""What Alpaca holds, for reconciliation: one order's chain with its fills (account activities), the open
orders, the positions. Also the look-up by client order id that keeps a lost submit from being sent twice."""

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

import structlog

from ordergate.adapters.venues.alpaca.http import AlpacaHttp, AlpacaUnavailable
from ordergate.adapters.venues.alpaca.orders import Tracked, TrackedOrders
from ordergate.adapters.venues.alpaca.parse import as_ours, decimal, fill_id, our_status, timestamp
from ordergate.domain.enums import OrderStatus, Side, TimeInForce
from ordergate.domain.ids import Symbol, VenueId, VenueOrderId
from ordergate.domain.reports import FillReport, OrderStatusReport, ReplaceReport, Report
from ordergate.service.ports import VenueBalance, VenueOrderState, VenuePosition

PAGE = 100  # account activities per page (Alpaca's most)
LIST_PAGE = 500  # orders per page (Alpaca's most)
MICROSECOND = timedelta(microseconds=1)
log = structlog.get_logger(__name__)


class AlpacaLookup:
    """Ask Alpaca what it holds (every request retried through 429/5xx/timeouts)."""

    def __init__(self, venue: VenueId, http: AlpacaHttp, orders: TrackedOrders, symbols: Mapping[str, Symbol],
                 now: Callable[[], datetime]) -> None:
        self.venue, self.http, self.orders, self.symbols, self.now = venue, http, orders, symbols, now

    async def by_client_order_id(self, client_order_id: str) -> dict[str, Any] | None:
        """Return Alpaca's order with this client order id, None when it has none; raise when unsure."""
        answer = await self.http.request("GET", "/v2/orders:by_client_order_id",
                                         params={"client_order_id": client_order_id})
        if answer.status == 404:
            return None
        if not answer.ok or not isinstance(answer.body, dict):
            raise AlpacaUnavailable(f"order lookup answered {answer.status}: {answer.message}")
        return answer.body

    async def order(self, alpaca_id: str) -> dict[str, Any]:
        """Return one Alpaca order by id (raise when it cannot be had)."""
        answer = await self.http.request("GET", f"/v2/orders/{alpaca_id}")
        if not answer.ok or not isinstance(answer.body, dict):
            raise AlpacaUnavailable(f"order {alpaca_id} answered {answer.status}: {answer.message}")
        return answer.body

    async def chain(self, first: dict[str, Any]) -> list[dict[str, Any]]:
        """Return ``first`` and every order that replaced it, in order."""
        chain = [first]
        while chain[-1].get("replaced_by") and len(chain) < 1000:
            chain.append(await self.order(str(chain[-1]["replaced_by"])))
        return chain

    async def reports(self, tracked: Tracked, first: dict[str, Any]) -> list[Report]:
        """Return the status of our order (following replaces), then its fills, and learn its chain."""
        chain = await self.chain(first)
        return self.assemble(tracked, chain, await self.fills(tracked, chain))

    def assemble(self, tracked: Tracked, chain: list[dict[str, Any]], fills: list[FillReport]) -> list[Report]:
        """Return the reports of our order from its chain of Alpaca orders and their fills; learn the chain."""
        self._learn(tracked, chain)
        last = chain[-1]
        ts = self.now()
        filled = sum((decimal(o.get("filled_qty")) or Decimal(0) for o in chain), Decimal(0))
        notional = sum(((decimal(o.get("filled_qty")) or Decimal(0)) * (decimal(o.get("filled_avg_price")) or 0)
                        for o in chain), Decimal(0))
        status = our_status(str(last.get("status")), filled)  # what filled on replaced links counts too
        report = OrderStatusReport(
            order_id=tracked.order.order_id, venue=self.venue, ts=ts,
            status=status or OrderStatus.PENDING_REPLACE, venue_order_id=VenueOrderId(str(last["id"])),
            filled_qty=filled, avg_price=(notional / filled) if filled else None,
        )
        replaced: list[Report] = [self._replace_report(tracked, last)] if len(chain) > 1 else []
        if report.status.is_terminal:
            return [*replaced, *fills, report]  # fills first: a filled status then follows its fills
        return [*replaced, report, *fills]

    async def fills(self, tracked: Tracked, chain: list[dict[str, Any]]) -> list[FillReport]:
        """Return the executions of the chain's orders, from the FILL account activities since the first."""
        since = timestamp(chain[0].get("created_at"), self.now()) - timedelta(seconds=1)
        return [self.fill(tracked, a) for a in await self.activities(since, chain)]

    async def activities(self, since: datetime, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Return the FILL activities of these Alpaca orders since ``since``, oldest first.

        The activities list every fill of the account: paging stops as soon as the orders' fills are all found
        (none to find when nothing filled), rather than going through everything traded since.
        """
        ids = {str(o["id"]) for o in orders}
        wanted = sum((decimal(o.get("filled_qty")) or Decimal(0) for o in orders), Decimal(0))
        params = {"after": since.isoformat(), "direction": "asc", "page_size": str(PAGE)}
        found: list[dict[str, Any]] = []
        while sum((decimal(a.get("qty")) or Decimal(0) for a in found), Decimal(0)) < wanted:
            answer = await self.http.request("GET", "/v2/account/activities/FILL", params=params)
            if not answer.ok or not isinstance(answer.body, list):
                raise AlpacaUnavailable(f"fill activities answered {answer.status}: {answer.message}")
            found += [a for a in answer.body if str(a.get("order_id")) in ids]
            if len(answer.body) < PAGE:
                break
            params = {**params, "page_token": str(answer.body[-1]["id"])}
        return found

    async def open_orders(self) -> list[VenueOrderState]:
        """Return every order open at Alpaca, however many pages of 500 they take."""
        return [self._state(o) for o in await self.listed("open")]

    async def listed(self, status: str, after: datetime | None = None) -> list[dict[str, Any]]:
        """Return every order of ``status`` (open, closed, all) submitted after ``after``, oldest first.

        Alpaca pages by submission time: up to 500 a page, ``after`` exclusive. Orders can share a time to
        the microsecond (and ours are cut to microseconds), so each next page starts a microsecond before the
        last order seen and repeats are dropped by id; a full page that brings nothing new ends the listing
        (more than 500 orders in one microsecond), logged, rather than looping.
        """
        found: dict[str, dict[str, Any]] = {}
        while True:
            params = {"status": status, "limit": str(LIST_PAGE), "direction": "asc"}
            if after is not None:
                params["after"] = after.isoformat()
            answer = await self.http.request("GET", "/v2/orders", params=params)
            if not answer.ok or not isinstance(answer.body, list):
                raise AlpacaUnavailable(f"{status} orders answered {answer.status}: {answer.message}")
            fresh = [o for o in answer.body if str(o["id"]) not in found]
            found.update((str(o["id"]), o) for o in fresh)
            if len(answer.body) < LIST_PAGE:
                return list(found.values())
            if not fresh:
                log.error("alpaca_order_listing_stuck", status=status, after=params.get("after"), seen=len(found))
                return list(found.values())
            last = answer.body[-1]
            after = timestamp(last.get("submitted_at") or last.get("created_at"), self.now()) - MICROSECOND

    async def positions(self) -> list[VenuePosition]:
        """Return Alpaca's positions (short ones negative)."""
        answer = await self.http.request("GET", "/v2/positions")
        if not answer.ok or not isinstance(answer.body, list):
            raise AlpacaUnavailable(f"positions answered {answer.status}: {answer.message}")
        positions = []
        for p in answer.body:
            qty = abs(decimal(p.get("qty")) or Decimal(0))
            positions.append(VenuePosition(
                venue=self.venue, account=None, symbol=self.symbols.get(str(p["symbol"]), Symbol(str(p["symbol"]))),
                qty=-qty if p.get("side") == "short" else qty, avg_price=decimal(p.get("avg_entry_price")),
            ))
        return positions

    async def balances(self) -> list[VenueBalance]:
        """Return the account's cash and buying power (``GET /v2/account``), in its currency."""
        answer = await self.http.request("GET", "/v2/account")
        if not answer.ok or not isinstance(answer.body, dict):
            raise AlpacaUnavailable(f"account answered {answer.status}: {answer.message}")
        cash = decimal(answer.body.get("cash"))
        if cash is None:
            raise AlpacaUnavailable("account answered without cash")
        return [VenueBalance(venue=self.venue, currency=str(answer.body.get("currency") or "USD"), cash=cash,
                             buying_power=decimal(answer.body.get("buying_power")))]

    def _learn(self, tracked: Tracked, chain: list[dict[str, Any]]) -> None:
        tracked.prior_filled = Decimal(0)
        for old, new in pairwise(chain):
            tracked.replacements[str(old["id"])] = new
            tracked.replaced.add(str(old["id"]))
            tracked.prior_filled += decimal(old.get("filled_qty")) or Decimal(0)
        for order in chain:
            self.orders.link(tracked, str(order["id"]))

    def _replace_report(self, tracked: Tracked, last: dict[str, Any]) -> ReplaceReport:
        tif = str(last.get("time_in_force"))
        return ReplaceReport(
            order_id=tracked.order.order_id, venue=self.venue, ts=self.now(),
            venue_order_id=VenueOrderId(str(last["id"])),
            qty=tracked.prior_filled + (decimal(last.get("qty")) or Decimal(0)),
            limit_price=as_ours(tracked.order.limit_price, decimal(last.get("limit_price"))),
            stop_price=as_ours(tracked.order.stop_price, decimal(last.get("stop_price"))),
            tif=TimeInForce(tif) if tif in set(TimeInForce) else tracked.order.tif, expire_at=tracked.order.expire_at,
        )

    def fill(self, tracked: Tracked, activity: dict[str, Any]) -> FillReport:
        """Return one FILL activity as a fill of our order."""
        return FillReport(
            order_id=tracked.order.order_id, venue=self.venue, ts=timestamp(activity.get("transaction_time"),
                                                                             self.now()),
            fill_id=fill_id(str(activity["order_id"]), decimal(activity.get("cum_qty")) or Decimal(0)),
            qty=decimal(activity.get("qty")) or Decimal(0), price=decimal(activity.get("price")) or Decimal(0),
        )

    def _state(self, o: dict[str, Any]) -> VenueOrderState:
        order_id = self.orders.order_id_of(str(o["id"]), str(o.get("client_order_id")))
        tracked = self.orders.by_order.get(order_id) if order_id else None
        prior = tracked.prior_filled if tracked else Decimal(0)
        filled = decimal(o.get("filled_qty")) or Decimal(0)
        return VenueOrderState(
            venue=self.venue, venue_order_id=VenueOrderId(str(o["id"])), client_order_id=str(o.get("client_order_id")),
            order_id=order_id, account=tracked.order.account if tracked else None,
            symbol=self.symbols.get(str(o["symbol"]), Symbol(str(o["symbol"]))),
            side=Side(str(o["side"])), qty=prior + (decimal(o.get("qty")) or Decimal(0)), filled_qty=prior + filled,
            avg_price=decimal(o.get("filled_avg_price")),
            status=our_status(str(o.get("status")), prior + filled) or OrderStatus.PENDING_REPLACE,
        )
