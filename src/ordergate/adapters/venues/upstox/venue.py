"""UpstoxVenue: the Venue port over Upstox (v3 place/modify/cancel, v2 reads, the portfolio stream).

Requests return at once; each runs in the background holding its order's lock, so a cancel never overtakes
the place it cancels and updates of one order are applied in arrival order. While the token is missing or
expired (03:30 IST), orders are refused with the reason and working orders are left alone; a new token in
the token file is taken without a restart.
"""

import asyncio
from collections.abc import Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import structlog

from ordergate.adapters.venue_metrics import VenueObserver
from ordergate.adapters.venues.upstox.actions import OrderActions
from ordergate.adapters.venues.upstox.apply import UpdateApplier
from ordergate.adapters.venues.upstox.config import UpstoxConfig
from ordergate.adapters.venues.upstox.gtt import GttActions, goes_as_gtt
from ordergate.adapters.venues.upstox.http import UpstoxApiError, UpstoxHttp, UpstoxLost
from ordergate.adapters.venues.upstox.parse import order
from ordergate.adapters.venues.upstox.reads import AccountReads
from ordergate.adapters.venues.upstox.session import after_market
from ordergate.adapters.venues.upstox.stream import PortfolioStream
from ordergate.adapters.venues.upstox.token import EXPIRED_REASON, TokenKeeper
from ordergate.adapters.venues.upstox.tracking import Tracked, TrackedOrders
from ordergate.domain.enums import OrderStatus
from ordergate.domain.ids import OrderId, Symbol, VenueId
from ordergate.domain.instruments import Instrument
from ordergate.domain.reports import CancelRejectReport, ConnectionReport, OrderStatusReport, Report
from ordergate.service.ports import Clock, ReportSink, VenueBalance, VenueOrder, VenueOrderState, VenuePosition

log = structlog.get_logger(__name__)
TOKEN_CHECK_SECONDS = 1.0


class UpstoxVenue:
    """Orders for NSE/BSE instruments through one Upstox account."""

    id = VenueId("upstox")

    def __init__(self, config: UpstoxConfig, data_dir: Path, instruments: Mapping[Symbol, Instrument],
                 clock: Clock, client: httpx.AsyncClient | None = None, observer: VenueObserver | None = None) -> None:
        self.config = config
        self.clock = clock
        configured = config.access_token.get_secret_value() if config.access_token is not None else None
        self.token = TokenKeeper(configured, config.token_path(data_dir), clock.now)
        self.observer = observer
        self.http = UpstoxHttp(config, self.token, client, observer)
        self.keys = {s: i.venue_symbols["upstox"] for s, i in instruments.items() if "upstox" in i.venue_symbols}
        self.tracked = TrackedOrders()
        self.applier = UpdateApplier(self.id, self.http, self._emit, clock.now)
        self.actions = OrderActions(self.id, self.http, self.tracked, self.applier, self._emit, clock.now,
                                    self._check_token)
        self.reads = AccountReads(self.id, self.http, self.tracked, self.actions,
                                  {k: s for s, k in self.keys.items()}, clock.now)
        self.gtt = GttActions(self.id, self.http, self.tracked, self._emit, clock.now, self.actions.refresh, self.keys)
        self.stream = PortfolioStream(config, self.token, self._on_update, self._on_connection)
        self._sink: ReportSink | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._watcher: asyncio.Task[None] | None = None

    async def start(self, sink: ReportSink) -> None:
        """Connect the portfolio stream and start watching the token."""
        self._sink = sink
        self.stream.start()
        self._watcher = asyncio.create_task(self._watch_token(), name="upstox-token")

    async def stop(self) -> None:
        """Stop the stream, the watcher and requests in flight."""
        self._sink = None
        if self._watcher is not None:
            self._watcher.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, *([self._watcher] if self._watcher else []), return_exceptions=True)
        await self.stream.stop()
        await self.http.close()

    def is_ready(self) -> bool:
        """Return whether orders can go to Upstox now (started, with a live token)."""
        return self._sink is not None and self.token.unavailable_reason() is None

    def unavailable_reason(self) -> str | None:
        """Return why orders cannot go to Upstox now, or None."""
        return self.token.unavailable_reason()

    # -- requests ------------------------------------------------------------------------------------------

    def submit(self, order: VenueOrder) -> None:
        """Place an order in the background; refuse it at once while the token is unusable."""
        t = self.tracked.get(order.order_id)
        t.order = order
        reason = self.token.unavailable_reason()
        key = self.keys.get(order.symbol)
        if reason is None and key is None:
            reason = f"no upstox instrument key for {order.symbol}"
        if reason is not None:
            t.done = True
            report = OrderStatusReport(order_id=order.order_id, venue=self.id, ts=self.clock.now(),
                                       status=OrderStatus.REJECTED, reason=reason, venue_fault=key is not None)
            asyncio.get_running_loop().call_soon(self._emit, report)  # reports never re-enter the engine
            return
        assert key is not None
        if goes_as_gtt(order):  # a GTC order outlives Upstox's day orders only as a GTT
            self._spawn(t, self.gtt.place(t, key, self.config.product))
            return
        amo = self.config.amo == "auto" and after_market(self.clock.now())
        self._spawn(t, self.actions.place(t, key, self.config.product, amo))

    def cancel(self, order: VenueOrder) -> None:
        """Cancel in the background (working orders are never touched otherwise)."""
        t = self.tracked.get(order.order_id)
        t.order = t.order or order
        self._spawn(t, self._cancel(t))

    async def _cancel(self, t: Tracked) -> None:
        if not await self.gtt.cancel(t):  # a GTT not triggered yet is cancelled as a GTT
            await self.actions.cancel(t)

    def replace(self, order: VenueOrder, new: VenueOrder) -> None:
        """Modify in the background: Upstox keeps the order id."""
        t = self.tracked.get(order.order_id)
        t.order = t.order or order
        if goes_as_gtt(order):
            report = CancelRejectReport(order_id=order.order_id, venue=self.id, ts=self.clock.now(),
                                        response_to="replace", reason="upstox GTT orders are not modified here; "
                                        "cancel it and send a new one")
            asyncio.get_running_loop().call_soon(self._emit, report)  # reports never re-enter the engine
            return
        self._spawn(t, self.actions.modify(t, new))

    # -- reconciliation ------------------------------------------------------------------------------------

    async def status(self, order: VenueOrder) -> Sequence[Report]:
        """Return the order's status and every fill Upstox lists (empty when Upstox never had it)."""
        if goes_as_gtt(order):
            t = self.tracked.get(order.order_id)
            t.order = t.order or order
            return await self.gtt.status(t, order, self.reads.of_order)
        return await self.reads.status(order)

    async def statuses(self, orders: Sequence[VenueOrder]) -> dict[OrderId, Sequence[Report]]:
        """Return the reports of many orders: day orders from the day book and the day's trades (two requests
        whatever the count), GTC orders (GTTs) one by one."""
        gtts = [o for o in orders if goes_as_gtt(o)]
        out: dict[OrderId, Sequence[Report]] = {o.order_id: await self.status(o) for o in gtts}
        day = [o for o in orders if not goes_as_gtt(o)]
        if day:
            out.update(await self.reads.statuses(day))
        return out

    async def open_orders(self) -> Sequence[VenueOrderState]:
        """Return every working order in Upstox's day book."""
        return await self.reads.open_orders()

    async def positions(self) -> Sequence[VenuePosition] | None:
        """Return Upstox's day positions."""
        return await self.reads.positions()

    async def balances(self) -> Sequence[VenueBalance] | None:
        """Return the INR free to trade at Upstox (its funds and margin)."""
        return await self.reads.balances()

    # -- background ----------------------------------------------------------------------------------------

    def _spawn(self, t: Tracked, work: Coroutine[Any, Any, None]) -> None:
        async def locked() -> None:
            try:
                async with t.lock:
                    await work
            except (UpstoxApiError, UpstoxLost, PermissionError) as e:
                log.warning("upstox_request_failed", order_id=t.order_id, error=str(e))
            except Exception:  # a bug must not stop the venue: leave a trace, keep serving
                log.exception("upstox_request_crashed", order_id=t.order_id)
            finally:
                work.close()  # stopped while waiting for the lock: the work never started, and never will
        task = asyncio.create_task(locked())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _emit(self, report: Report | ConnectionReport) -> None:
        if self._sink is not None:
            self._sink(report)

    def _on_update(self, raw: dict[str, Any]) -> None:
        if raw.get("update_type") == "gtt_order":
            held = self.gtt.find(raw)
            if held is not None:
                self._spawn(held, self.gtt.apply(held, raw))
            return
        try:
            uo = order(raw)
        except (KeyError, ValueError, TypeError):
            log.warning("upstox_update_unreadable")
            return
        t = self.tracked.by_upstox.get(uo.order_id) or (
            self.tracked.by_order.get(OrderId(uo.tag)) if uo.tag else None)
        if t is None:
            return  # not an order we sent (or from before a restart: reconciliation asks for those)
        if t.upstox_id is None:
            self.tracked.link(t, uo.order_id)
        self._spawn(t, self.applier.apply(t, uo))

    async def _on_connection(self, connected: bool, reason: str) -> None:
        log.info("upstox_stream", connected=connected, reason=reason)
        if connected and self.observer is not None:
            self.observer.reconnected("portfolio")
        self._emit(ConnectionReport(venue=self.id, ts=self.clock.now(), connected=connected, reason=reason))

    async def _check_token(self) -> str | None:
        """After a 401 on an order call: ask a read call whether the token itself is dead."""
        try:
            await self.reads.funds()
        except UpstoxApiError as e:
            if e.unauthorized:
                return EXPIRED_REASON
        except UpstoxLost:
            pass
        return self.token.unavailable_reason()

    async def _watch_token(self) -> None:
        expired = False
        while True:
            if self.token.refresh():
                log.info("upstox_token_renewed")
                self.stream.token_changed.set()
                # Orders may have moved while we could not trade: a cue to reconcile, as a reconnect is.
                self._emit(ConnectionReport(venue=self.id, ts=self.clock.now(), connected=True,
                                            reason="new upstox token"))
            reason = self.token.unavailable_reason()
            if (reason is not None) != expired:
                expired = reason is not None
                log.warning("upstox_token_state", usable=not expired, reason=reason)
            await asyncio.sleep(TOKEN_CHECK_SECONDS)

