"""The paper exchange's synchronous core: requests in, venue reports and market data out."""

from decimal import Decimal
from typing import Any

import pytest

from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.venues.paper.exchange import PaperExchange
from ordergate.config import PaperConfig
from ordergate.domain.enums import Liquidity, OrderStatus, OrderType, Side, TimeInForce
from ordergate.domain.ids import AccountId, ClientOrderId, OrderId, Symbol, VenueId
from ordergate.domain.reports import (
    CancelRejectReport,
    FillReport,
    OrderStatusReport,
    ReplaceReport,
    Report,
    TriggerReport,
)
from ordergate.service.marketdata import MarketDataHub
from ordergate.service.ports import VenueOrder
from tests.fakes.clock import FakeClock

D = Decimal
AAPL = Symbol("AAPL")


class Rig:
    """An exchange over the packaged instruments, a real market data hub, and the reports it sent."""

    def __init__(self, **config: Any) -> None:
        self.clock = FakeClock()
        self.hub = MarketDataHub(self.clock, stale_after=30)
        self.exchange = PaperExchange(VenueId("paper"), PaperConfig(**config), load_instruments(), self.clock,
                                      self.hub)
        self.reports: list[Report] = []
        self.exchange.emit = self.reports.append
        self.exchange.open()

    def of(self, order_id: str, kind: type[Report] = Report) -> list[Any]:
        return [r for r in self.reports if r.order_id == order_id and isinstance(r, kind)]

    def best(self) -> tuple[Decimal, Decimal]:
        book = self.exchange.markets[AAPL].book
        return book.best_bid(), book.best_ask()  # type: ignore[return-value]


def vo(order_id: str = "o1", side: Side = Side.BUY, qty: str = "10", type: OrderType = OrderType.MARKET,
       limit: str | None = None, stop: str | None = None, tif: TimeInForce = TimeInForce.DAY,
       **over: Any) -> VenueOrder:
    terms: dict[str, Any] = {
        "order_id": OrderId(order_id), "client_order_id": ClientOrderId(order_id), "account": AccountId("ACC"),
        "symbol": AAPL, "side": side, "type": type, "qty": D(qty), "filled_qty": D(0),
        "limit_price": None if limit is None else D(limit), "stop_price": None if stop is None else D(stop),
        "tif": tif, "expire_at": None, **over}
    return VenueOrder(**terms)


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_open_when_started_then_every_instrument_has_a_quoted_book_on_its_tick_grid(rig: Rig) -> None:
    for symbol, instrument in load_instruments().items():
        quote = rig.hub.quote(symbol)
        assert quote is not None and quote.bid is not None and quote.ask is not None
        assert quote.bid < instrument.reference_price < quote.ask
        assert instrument.is_on_tick(quote.bid) and instrument.is_on_tick(quote.ask)
        assert (quote.ask - quote.bid) / quote.mid * 10_000 <= 2 * PaperConfig().spread_bps  # type: ignore[operator]
    for side in Side:
        assert len(rig.exchange.markets[AAPL].book.depth(side, 100)) == PaperConfig().depth_levels


def test_market_buy_when_larger_than_top_level_then_ack_then_taker_fills_walking_up(rig: Rig) -> None:
    ask_size = rig.exchange.markets[AAPL].book.depth(Side.SELL, 1)[0][1]
    rig.exchange.submit(vo(qty=str(ask_size + 5)))
    ack, *fills = rig.of("o1")
    assert isinstance(ack, OrderStatusReport) and ack.status is OrderStatus.NEW and ack.venue_order_id
    assert [f.qty for f in fills] == [ask_size, D(5)]
    assert fills[0].price < fills[1].price and all(f.liquidity is Liquidity.TAKER for f in fills)
    assert len({f.fill_id for f in fills}) == 2
    assert rig.hub.reference_price(AAPL) == fills[1].price


def test_commission_when_order_fills_in_parts_then_totals_the_per_order_schedule(rig: Rig) -> None:
    rig.exchange.submit(vo(qty="1000"))  # walks several levels: 1000 x 0.005 = 5.00 over the whole order
    fills = rig.of("o1", FillReport)
    assert len(fills) > 1 and sum(f.commission for f in fills) == D("5.00")


@pytest.mark.parametrize(("field", "over"), [
    ("qty", {"qty": D(0)}), ("qty", {"qty": D(-10)}), ("qty", {"qty": D("NaN")}), ("qty", {"qty": "10"}),
    ("qty", {"qty": D("1e13")}), ("symbol", {"symbol": Symbol("NOPE")}), ("side", {"side": "up"}),
    ("limit_price", {"type": OrderType.LIMIT}), ("limit_price", {"type": OrderType.LIMIT, "limit_price": D("1.001")}),
    ("limit_price", {"type": OrderType.LIMIT, "limit_price": D(-1)}), ("stop_price", {"type": OrderType.STOP}),
    ("limit_price", {"limit_price": D(230)}), ("filled_qty", {"filled_qty": D(10)}),
])
def test_submit_when_terms_hostile_then_rejected_naming_field_and_book_unchanged(
        rig: Rig, field: str, over: dict[str, Any]) -> None:
    before = rig.exchange.markets[AAPL].book.depth(Side.SELL, 50)
    order = vo()
    for name, value in over.items():
        setattr(order, name, value)  # raw, unchecked values, as a buggy or hostile caller might send
    rig.exchange.submit(order)
    (report,) = rig.of("o1")
    assert isinstance(report, OrderStatusReport) and report.status is OrderStatus.REJECTED
    assert report.reason.startswith(f"{field}:")
    assert rig.exchange.markets[AAPL].book.depth(Side.SELL, 50) == before
    assert rig.exchange.status(vo()) == []


def test_limit_inside_spread_when_market_trades_through_then_fills_as_maker_at_limit(rig: Rig) -> None:
    bid, _ = rig.best()
    limit = bid + D("0.01")
    rig.exchange.submit(vo(type=OrderType.LIMIT, limit=str(limit), tif=TimeInForce.GTC))
    assert rig.of("o1", FillReport) == [] and rig.best()[0] == limit
    for _ in range(500):
        rig.exchange.tick()
        if rig.of("o1", FillReport):
            break
    fill = rig.of("o1", FillReport)[0]
    assert fill.liquidity is Liquidity.MAKER and fill.price == limit


def test_cancel_when_working_then_canceled_and_gone_from_book(rig: Rig) -> None:
    rig.exchange.submit(vo(type=OrderType.LIMIT, limit="200.00", tif=TimeInForce.GTC))
    rig.exchange.cancel(vo())
    done = rig.of("o1", OrderStatusReport)[-1]
    assert done.status is OrderStatus.CANCELED and rig.exchange.working_order(OrderId("o1")) is None
    assert D("200.00") not in [p for p, _ in rig.exchange.markets[AAPL].book.depth(Side.BUY, 1000)]


def test_cancel_when_order_already_filled_then_cancel_reject_too_late(rig: Rig) -> None:
    rig.exchange.submit(vo())
    rig.exchange.cancel(vo())
    reject = rig.of("o1", CancelRejectReport)[0]
    assert reject.response_to == "cancel" and reject.reason == "too late to cancel: order is filled"


def test_cancel_when_order_unknown_then_cancel_reject(rig: Rig) -> None:
    rig.exchange.cancel(vo("ghost"))
    assert "unknown" in rig.of("ghost", CancelRejectReport)[0].reason


def test_replace_when_qty_reduced_then_replace_report_and_book_shrinks(rig: Rig) -> None:
    rig.exchange.submit(vo(qty="50", type=OrderType.LIMIT, limit="200.00", tif=TimeInForce.GTC))
    rig.exchange.replace(vo(qty="50"), vo(qty="20", type=OrderType.LIMIT, limit="200.00", tif=TimeInForce.GTC))
    report = rig.of("o1", ReplaceReport)[0]
    assert report.qty == D(20) and rig.exchange.working_order(OrderId("o1")).leaves == D(20)  # type: ignore[union-attr]


def test_replace_when_new_price_crosses_then_replace_report_comes_before_its_fills(rig: Rig) -> None:
    rig.exchange.submit(vo(type=OrderType.LIMIT, limit="200.00", tif=TimeInForce.GTC))
    ask = rig.best()[1]
    rig.exchange.replace(vo(), vo(type=OrderType.LIMIT, limit=str(ask), tif=TimeInForce.GTC))
    kinds = [type(r) for r in rig.of("o1")]
    assert kinds[:3] == [OrderStatusReport, ReplaceReport, FillReport]


@pytest.mark.parametrize(("new", "reason"), [
    ({"qty": "5"}, "qty: must be above the filled quantity"),
    ({"qty": "0"}, "qty:"),
    ({"limit": "200.001"}, "limit_price:"),
])
def test_replace_when_terms_refused_then_cancel_reject_names_field_and_order_unchanged(
        rig: Rig, new: dict[str, str], reason: str) -> None:
    book = rig.exchange.markets[AAPL].book
    ahead = book.depth(Side.BUY, 1)[0][1]  # the makers' size at the best bid, ahead of o1 in time
    rig.exchange.submit(vo(qty="100", type=OrderType.LIMIT, limit=str(book.best_bid()), tif=TimeInForce.GTC))
    rig.exchange.submit(vo("t", side=Side.SELL, qty=str(ahead + 5)))  # fills the makers, then 5 of o1
    assert sum(f.qty for f in rig.of("o1", FillReport)) == D(5)
    terms = {"qty": "100", "limit": str(book.best_bid()), **new}
    rig.exchange.replace(vo(qty="100"), vo(type=OrderType.LIMIT, tif=TimeInForce.GTC, **terms))  # type: ignore[arg-type]
    reject = rig.of("o1", CancelRejectReport)[0]
    assert reject.response_to == "replace" and reject.reason.startswith(reason)
    assert rig.exchange.working_order(OrderId("o1")).leaves == D(95)  # type: ignore[union-attr]


def test_stop_when_market_trades_through_stop_then_trigger_report_then_fills(rig: Rig) -> None:
    ask = rig.best()[1]
    rig.exchange.submit(vo("s", qty="10", type=OrderType.STOP, stop=str(ask + D("0.02"))))
    assert rig.of("s", TriggerReport) == [] and rig.of("s", FillReport) == []
    through = sum(size for _, size in rig.exchange.markets[AAPL].book.depth(Side.SELL, 3))
    rig.exchange.submit(vo("big", qty=str(through)))  # prints at ask + 0.02: the stop triggers
    kinds = [type(r) for r in rig.of("s")]
    assert kinds[:3] == [OrderStatusReport, TriggerReport, FillReport]
    assert sum(f.qty for f in rig.of("s", FillReport)) == D(10)


def test_status_when_known_then_ack_fills_and_end_in_order_when_unknown_then_empty(rig: Rig) -> None:
    rig.exchange.submit(vo(qty="5"))
    assert [type(r) for r in rig.exchange.status(vo(qty="5"))] == [OrderStatusReport, FillReport]
    rig.exchange.submit(vo("c", type=OrderType.LIMIT, limit="200.00", tif=TimeInForce.GTC))
    rig.exchange.cancel(vo("c"))
    statuses = [getattr(r, "status", None) for r in rig.exchange.status(vo("c"))]
    assert statuses == [OrderStatus.NEW, OrderStatus.CANCELED]
    assert rig.exchange.status(vo("never")) == []


def test_submit_when_resent_after_partial_fills_then_works_only_the_remaining_qty(rig: Rig) -> None:
    rig.exchange.submit(vo(qty="100", type=OrderType.LIMIT, limit="200.00", tif=TimeInForce.GTC, filled_qty=D(30)))
    assert rig.exchange.working_order(OrderId("o1")).leaves == D(70)  # type: ignore[union-attr]


def test_ioc_and_fok_when_not_fully_fillable_then_canceled_by_venue_with_reason(rig: Rig) -> None:
    _, ask = rig.best()
    rig.exchange.submit(vo("i", qty="100000", type=OrderType.LIMIT, limit=str(ask), tif=TimeInForce.IOC))
    rig.exchange.submit(vo("f", qty="100000", type=OrderType.LIMIT, limit=str(ask), tif=TimeInForce.FOK))
    assert rig.of("i", FillReport) and rig.of("i", OrderStatusReport)[-1].status is OrderStatus.CANCELED
    assert rig.of("f", FillReport) == [] and "fill or kill" in rig.of("f", OrderStatusReport)[-1].reason


def test_market_when_seeded_the_same_then_books_evolve_identically() -> None:
    a, b = Rig(seed=11), Rig(seed=11)
    for _ in range(50):
        a.exchange.tick()
        b.exchange.tick()
    depth = [r.exchange.markets[AAPL].book.depth(side, 10) for r in (a, b) for side in Side]
    assert depth[:2] == depth[2:]
    assert Rig(seed=12).exchange.markets[AAPL].book.depth(Side.BUY, 10) != Rig(seed=11).exchange.markets[
        AAPL].book.depth(Side.BUY, 10)


def test_fill_ids_when_exchange_restarted_then_never_repeat_for_the_same_order() -> None:
    first, second = Rig(), Rig()
    first.exchange.submit(vo(qty="5"))
    second.exchange.submit(vo(qty="5"))
    assert {f.fill_id for f in first.of("o1", FillReport)}.isdisjoint(f.fill_id for f in second.of("o1", FillReport))


def test_done_orders_when_more_than_kept_then_oldest_forgotten_and_working_ones_kept(
        rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ordergate.adapters.venues.paper.exchange.KEEP_DONE", 2)
    rig.exchange.submit(vo("rest", type=OrderType.LIMIT, limit="200.00", tif=TimeInForce.GTC))
    for n in range(3):
        rig.exchange.submit(vo(f"m{n}", qty="1"))
    assert rig.exchange.status(vo("m0")) == [] and rig.exchange.status(vo("m2")) != []
    assert rig.exchange.status(vo("rest")) != [] and rig.exchange.working_order(OrderId("rest")) is not None
