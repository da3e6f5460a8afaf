"""Reading the Upstox account for reconciliation: one order's reports, the open day book, positions, funds
(and the cash figure compared with ours)."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from ordergate.adapters.venues.upstox.actions import OrderActions
from ordergate.adapters.venues.upstox.http import UpstoxHttp
from ordergate.adapters.venues.upstox.parse import Phase, UpstoxOrder, dec, order, trade
from ordergate.adapters.venues.upstox.tracking import TrackedOrders
from ordergate.domain.enums import OrderStatus
from ordergate.domain.ids import ClientOrderId, FillId, OrderId, Symbol, VenueId, VenueOrderId
from ordergate.domain.reports import FillReport, OrderStatusReport, Report
from ordergate.service.ports import VenueBalance, VenueOrder, VenueOrderState, VenuePosition


class AccountReads:
    """What Upstox holds, in our terms."""

    def __init__(self, venue: VenueId, http: UpstoxHttp, tracked: TrackedOrders, actions: OrderActions,
                 symbols: Mapping[str, Symbol], now: Callable[[], datetime]) -> None:
        self.venue, self.http, self.tracked, self.actions = venue, http, tracked, actions
        self.symbols = symbols  # instrument key -> our symbol
        self.now = now

    async def status(self, venue_order: VenueOrder) -> list[Report]:
        """Return the order's status (cumulative filled, average price) and every fill, looked up by tag."""
        found = await self.actions.latest_by_tag(str(venue_order.order_id))
        if found is None:
            return []
        return await self.reports(venue_order, found)

    async def statuses(self, sent: Sequence[VenueOrder]) -> dict[OrderId, list[Report]]:
        """Return the reports of many orders from two requests: the day book and the day's trades.

        An order not in the day book (placed before today, or never) is asked about on its own: absence from
        the list is not taken to mean that Upstox lacks it.
        """
        book: dict[str, UpstoxOrder] = {}
        for raw in await self.http.call("GET", "/v2/order/retrieve-all") or []:
            uo = order(raw)
            if uo.tag and (uo.tag not in book or uo.order_id < book[uo.tag].order_id):
                book[uo.tag] = uo  # tags are not unique: the first made is ours, as latest_by_tag says
        trades: dict[str, list[FillReport]] = {}
        for raw in await self.http.call("GET", "/v2/order/trades/get-trades-for-day") or []:
            t = trade(raw)
            if t.quantity > 0:
                trades.setdefault(t.order_id, []).append(FillReport(
                    order_id=OrderId(""), venue=self.venue, ts=t.ts or self.now(), fill_id=FillId(t.trade_id),
                    qty=t.quantity, price=t.price))
        out: dict[OrderId, list[Report]] = {}
        for venue_order in sent:
            found = book.get(str(venue_order.order_id))
            if found is None:
                out[venue_order.order_id] = await self.status(venue_order)
                continue
            fills = [replace(f, order_id=venue_order.order_id) for f in trades.get(found.order_id, [])]
            out[venue_order.order_id] = self._reports(venue_order, found, fills)
        return out

    async def of_order(self, venue_order: VenueOrder, upstox_id: str) -> list[Report]:
        """Return the reports of our order from the Upstox order ``upstox_id`` (one without our tag)."""
        raw = await self.http.call("GET", "/v2/order/details", params={"order_id": upstox_id})
        return await self.reports(venue_order, order(raw))

    async def reports(self, venue_order: VenueOrder, found: UpstoxOrder) -> list[Report]:
        """Return the status of the Upstox order that is ours, and every fill of it."""
        return self._reports(venue_order, found, await self._every_fill(venue_order.order_id, found.order_id))

    def _reports(self, venue_order: VenueOrder, found: UpstoxOrder, fills: list[FillReport]) -> list[Report]:
        t = self.tracked.get(venue_order.order_id)
        t.order = t.order or venue_order
        if t.upstox_id is None:
            self.tracked.link(t, found.order_id)
        t.trade_ids.update(f.fill_id for f in fills)  # the stream need not report these again
        status, phase = found.mapped
        if phase is Phase.WORKING and found.filled > 0:
            status = OrderStatus.PARTIALLY_FILLED
        report = OrderStatusReport(order_id=venue_order.order_id, venue=self.venue, ts=self.now(), status=status,
                                   venue_order_id=VenueOrderId(found.order_id), reason=found.message,
                                   filled_qty=found.filled, avg_price=found.avg_price)
        return [*fills, report]

    async def _every_fill(self, order_id: OrderId, upstox_id: str) -> list[FillReport]:
        # every fill, not only those not yet emitted; the tracked set is left alone while the request is out,
        # since the stream's updates of the same order add to it meanwhile
        rows = await self.http.call("GET", "/v2/order/trades", params={"order_id": upstox_id})
        fills = []
        for raw in rows or []:
            t = trade(raw)
            if t.quantity > 0:
                fills.append(FillReport(order_id=order_id, venue=self.venue, ts=t.ts or self.now(),
                                        fill_id=FillId(t.trade_id), qty=t.quantity, price=t.price))
        return fills

    async def open_orders(self) -> Sequence[VenueOrderState]:
        """Return every order of the day book still working at Upstox, ours (tagged) or not."""
        rows = await self.http.call("GET", "/v2/order/retrieve-all")
        out = []
        for raw in rows or []:
            uo = order(raw)
            status, phase = uo.mapped
            if phase is Phase.DONE:
                continue
            if phase is Phase.WORKING and uo.filled > 0:
                status = OrderStatus.PARTIALLY_FILLED
            out.append(VenueOrderState(
                venue=self.venue, venue_order_id=VenueOrderId(uo.order_id),
                client_order_id=ClientOrderId(uo.tag or ""), order_id=OrderId(uo.tag) if uo.tag else None,
                account=None, symbol=self.symbols.get(uo.instrument_key, Symbol(uo.instrument_key)), side=uo.side,
                qty=uo.quantity, filled_qty=uo.filled, avg_price=uo.avg_price, status=status,
            ))
        return out

    async def positions(self) -> Sequence[VenuePosition]:
        """Return the day's positions (net quantity, average price) per instrument, all products together."""
        rows = await self.http.call("GET", "/v2/portfolio/short-term-positions")
        net: dict[Symbol, tuple[Decimal, Decimal | None]] = {}
        for raw in rows or []:
            key = str(raw.get("instrument_token") or "")
            symbol = self.symbols.get(key, Symbol(str(raw.get("trading_symbol") or key)))
            qty = dec(raw.get("quantity"))
            held, _ = net.get(symbol, (Decimal(0), None))
            net[symbol] = (held + qty, dec(raw.get("average_price")) if qty else None)
        return [VenuePosition(venue=self.venue, account=None, symbol=s, qty=q, avg_price=p)
                for s, (q, p) in net.items()]

    async def funds(self) -> dict[str, Decimal]:
        """Return the equity segment's available and used margin."""
        data = await self.http.call("GET", "/v2/user/get-funds-and-margin", params={"segment": "SEC"})
        equity = (data or {}).get("equity") or {}
        return {"available_margin": dec(equity.get("available_margin")), "used_margin": dec(equity.get("used_margin"))}

    async def balances(self) -> Sequence[VenueBalance]:
        """Return the equity segment's money in INR, for the cash comparison.

        Upstox gives no cash balance: ``available_margin`` (money free to trade: cash less what positions and
        working orders block) is the nearest figure, so it is compared with our cash less our reservations.
        Intraday (``I``) positions block only their margin, not their full value: with the intraday product
        a difference can be leverage, not lost money (the docs say so).
        """
        funds = await self.funds()
        free = funds["available_margin"]
        return [VenueBalance(venue=self.venue, currency="INR", cash=free, buying_power=free, net_of_orders=True)]
