"""The paper exchange on an outside market: the follower writes to the hub, paper re-centres and trades."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.venues.paper.exchange import PaperExchange
from ordergate.adapters.venues.paper.follow import PaperFollower
from ordergate.config import PaperConfig
from ordergate.domain.enums import Liquidity, OrderType, Side, TimeInForce
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.ids import Symbol, VenueId
from ordergate.domain.reports import FillReport, Report
from ordergate.service.marketdata import MarketDataHub, MarketEvent, MarketKind
from tests.fakes.clock import FakeClock
from tests.unit.test_paper_exchange import vo

D = Decimal
AAPL, MSFT = Symbol("AAPL"), Symbol("MSFT")
BIDS = [(D("150.00"), D("100")), (D("149.99"), D("200"))]
ASKS = [(D("150.02"), D("100")), (D("150.03"), D("300"))]


class Rig:
    """A paper exchange following AAPL through a follower into a real hub."""

    def __init__(self, **config: Any) -> None:
        self.clock = FakeClock()
        self.hub = MarketDataHub(self.clock, stale_after=30)
        self.exchange = PaperExchange(VenueId("paper"), PaperConfig(**config), load_instruments(), self.clock,
                                      self.hub)
        self.reports: list[Report] = []
        self.exchange.emit = self.reports.append
        self.followed = self.exchange.follow([AAPL, Symbol("NOT-AN-INSTRUMENT")], self.hub)
        self.exchange.open()
        self.follower = PaperFollower(self.hub, self.exchange)
        self.seq = 0

    def event(self, kind: MarketKind, **fields: Any) -> MarketEvent:
        self.seq += 1
        self.clock.advance(0.1)
        return MarketEvent(kind, fields.pop("symbol", AAPL), self.clock.now(), seq=self.seq, **fields)

    def snapshot(self, bids: list[tuple[Decimal, Decimal]] = BIDS,
                 asks: list[tuple[Decimal, Decimal]] = ASKS) -> bool:
        return self.follower.apply(self.event(MarketKind.SNAPSHOT, bids=list(bids), asks=list(asks)))

    def fills(self, order_id: str) -> list[FillReport]:
        return [r for r in self.reports if isinstance(r, FillReport) and r.order_id == order_id]

    def paper_depth(self, side: Side) -> list[tuple[Decimal, Decimal]]:
        return self.exchange.markets[AAPL].book.depth(side, 100)


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_follow_when_started_then_only_known_instruments_are_followed_and_their_book_not_published(
        rig: Rig) -> None:
    assert rig.followed == [AAPL]
    assert not rig.hub.has(AAPL)  # paper published nothing for it
    assert rig.hub.quote(MSFT) is not None  # a symbol outside the file keeps its random walk


def test_snapshot_when_applied_then_hub_shows_it_and_paper_makers_quote_the_same_levels(rig: Rig) -> None:
    assert rig.snapshot()
    book = rig.hub.book(AAPL)
    assert book is not None and book.depth() == (BIDS, ASKS)
    assert rig.paper_depth(Side.BUY) == BIDS and rig.paper_depth(Side.SELL) == ASKS


def test_incremental_update_when_applied_then_paper_re_centres_on_the_new_book(rig: Rig) -> None:
    rig.snapshot()
    rig.follower.apply(rig.event(MarketKind.DELETE, side=Side.SELL, price=D("150.02")))
    rig.follower.apply(rig.event(MarketKind.ADD, side=Side.BUY, price=D("150.01"), size=D("40")))
    assert rig.paper_depth(Side.SELL) == ASKS[1:]
    assert rig.paper_depth(Side.BUY)[0] == (D("150.01"), D("40"))


def test_market_buy_when_following_then_fills_walk_the_replayed_asks_and_print_on_the_hub(rig: Rig) -> None:
    rig.snapshot()
    rig.exchange.submit(vo(qty="150"))
    assert [(f.price, f.qty) for f in rig.fills("o1")] == [(D("150.02"), D("100")), (D("150.03"), D("50"))]
    assert [t.price for t in rig.hub.trades(AAPL)] == [D("150.03"), D("150.02")]
    book = rig.hub.book(AAPL)
    assert book is not None and book.depth() == (BIDS, ASKS)  # the hub keeps showing the replayed book


def test_replayed_print_when_through_a_resting_user_bid_then_user_fills_as_maker_and_no_double_print(
        rig: Rig) -> None:
    rig.snapshot()
    rig.exchange.submit(vo(type=OrderType.LIMIT, limit="150.01", tif=TimeInForce.GTC))
    assert rig.fills("o1") == []
    rig.follower.apply(rig.event(MarketKind.TRADE, price=D("150.01"), size=D("25")))
    (fill,) = rig.fills("o1")
    assert (fill.price, fill.qty, fill.liquidity) == (D("150.01"), D("10"), Liquidity.MAKER)
    assert [(t.price, t.size) for t in rig.hub.trades(AAPL)] == [(D("150.01"), D("25"))]  # the file's print only


def test_tick_when_following_then_no_random_walk_and_no_simulated_prints(rig: Rig) -> None:
    rig.snapshot()
    for _ in range(200):
        rig.exchange.tick()
    assert rig.paper_depth(Side.BUY) == BIDS and rig.hub.trades(AAPL) == []


def test_consumed_quote_when_market_ticks_then_replenished_to_the_replayed_size(rig: Rig) -> None:
    rig.snapshot()
    rig.exchange.submit(vo(qty="100"))
    assert rig.paper_depth(Side.SELL) == ASKS[1:]
    rig.exchange.tick()
    assert rig.paper_depth(Side.SELL) == ASKS


@pytest.mark.parametrize("fields", [
    {"kind": MarketKind.TRADE, "price": D("-1"), "size": D("5")},
    {"kind": MarketKind.TRADE, "price": None, "size": D("5")},
    {"kind": MarketKind.ADD, "side": None, "price": D("150"), "size": D("5")},
    {"kind": MarketKind.ADD, "side": Side.BUY, "price": D("NaN"), "size": D("5")},
    {"kind": MarketKind.SNAPSHOT, "bids": [(D("150"), D("-3"))]},
    {"kind": MarketKind.TRADE, "symbol": Symbol(""), "price": D("1"), "size": D("1")},
])
def test_hostile_event_when_applied_then_rejected_naming_field_and_nothing_changes(
        rig: Rig, fields: dict[str, Any]) -> None:
    rig.snapshot()
    before = (rig.paper_depth(Side.BUY), rig.paper_depth(Side.SELL), rig.hub.trades(AAPL))
    kind = fields.pop("kind")
    with pytest.raises(ValidationFailed) as failure:
        rig.follower.apply(rig.event(kind, **fields))
    assert failure.value.field and failure.value.message
    assert (rig.paper_depth(Side.BUY), rig.paper_depth(Side.SELL), rig.hub.trades(AAPL)) == before


def test_crossed_outside_book_when_applied_then_hub_flags_it_and_paper_keeps_its_quotes(rig: Rig) -> None:
    rig.snapshot()
    rig.snapshot(bids=[(D("151"), D("1"))], asks=[(D("150"), D("1"))])
    book = rig.hub.book(AAPL)
    assert book is not None and book.crossed and book.needs_snapshot
    assert rig.paper_depth(Side.BUY) == BIDS


def test_event_for_unfollowed_symbol_then_only_the_hub_changes(rig: Rig) -> None:
    before = rig.exchange.markets[MSFT].book.depth(Side.BUY, 100)
    rig.follower.apply(rig.event(MarketKind.TRADE, symbol=MSFT, price=D("1.00"), size=D("1000")))
    assert rig.exchange.markets[MSFT].book.depth(Side.BUY, 100) == before
    assert rig.hub.trades(MSFT)[0].price == D("1.00")


def test_stale_outside_book_when_time_passes_then_hub_says_stale(rig: Rig) -> None:
    rig.snapshot()
    rig.clock.advance(timedelta(seconds=31).total_seconds())
    assert rig.hub.is_stale(AAPL)
