"""The market data hub: books and trades in, quotes, reference prices, staleness and statistics out."""

from datetime import timedelta
from decimal import Decimal

import pytest

from ordergate.domain.enums import Side
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.ids import Symbol
from ordergate.service.marketdata import MarketDataHub, MarketEvent, MarketKind
from tests.fakes.clock import FakeClock

AAPL = Symbol("AAPL")


def D(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hub(clock: FakeClock) -> MarketDataHub:
    return MarketDataHub(clock=clock, stale_after=5)


def test_unknown_symbol_has_no_prices_and_counts_as_stale(hub: MarketDataHub) -> None:
    assert hub.quote(AAPL) is None
    assert hub.reference_price(AAPL) is None
    assert hub.is_stale(AAPL)
    assert hub.stats(AAPL) is None and hub.trades(AAPL) == [] and hub.bars(AAPL, "1m") == []


def test_on_book_gives_quote_and_mid_as_reference(hub: MarketDataHub, clock: FakeClock) -> None:
    hub.on_book(AAPL, [(D("229.90"), D("300")), (D("229.80"), D("100"))], [(D("230.10"), D("200"))], clock.now())
    quote = hub.quote(AAPL)
    assert quote is not None
    assert (quote.bid, quote.bid_size, quote.ask, quote.ask_size) == (D("229.90"), D("300"), D("230.10"), D("200"))
    assert quote.ts == clock.now()
    assert hub.reference_price(AAPL) == D("230.00")
    assert not hub.is_stale(AAPL)


def test_reference_price_prefers_the_last_trade(hub: MarketDataHub, clock: FakeClock) -> None:
    hub.on_book(AAPL, [(D("229.90"), D("1"))], [(D("230.10"), D("1"))], clock.now())
    hub.on_trade(AAPL, D("230.05"), D("10"), clock.now())
    assert hub.reference_price(AAPL) == D("230.05")


def test_one_sided_book_gives_that_side_as_reference(hub: MarketDataHub, clock: FakeClock) -> None:
    hub.on_book(AAPL, [(D("229.90"), D("1"))], [], clock.now())
    assert hub.reference_price(AAPL) == D("229.90")


def test_price_older_than_stale_after_then_stale_everywhere(hub: MarketDataHub, clock: FakeClock) -> None:
    hub.on_book(AAPL, [(D("1"), D("1"))], [(D("2"), D("1"))], clock.now())
    clock.advance(5)
    assert not hub.is_stale(AAPL)
    clock.advance(0.001)
    assert hub.is_stale(AAPL)
    stats = hub.stats(AAPL)
    assert stats is not None and stats.stale
    hub.on_trade(AAPL, D("1.5"), D("1"), clock.now())
    assert not hub.is_stale(AAPL)


def test_quote_follows_each_new_book(hub: MarketDataHub, clock: FakeClock) -> None:
    hub.on_book(AAPL, [(D("1"), D("1"))], [(D("2"), D("1"))], clock.now())
    hub.on_book(AAPL, [(D("1.5"), D("4"))], [(D("2"), D("1"))], clock.advance(1))
    quote = hub.quote(AAPL)
    assert quote is not None and quote.bid == D("1.5") and quote.bid_size == D("4")


def test_trades_are_kept_bounded_newest_first(clock: FakeClock) -> None:
    hub = MarketDataHub(clock=clock, stale_after=5, trades_kept=3)
    for i in range(1, 6):
        hub.on_trade(AAPL, Decimal(i), D("1"), clock.advance(1))
    assert [t.price for t in hub.trades(AAPL, 10)] == [D("5"), D("4"), D("3")]
    assert [t.price for t in hub.trades(AAPL, 1)] == [D("5")]


def test_stats_combine_trades_and_book(hub: MarketDataHub, clock: FakeClock) -> None:
    hub.on_book(AAPL, [(D("9"), D("30"))], [(D("11"), D("10"))], clock.now())
    hub.on_trade(AAPL, D("10"), D("2"), clock.now())
    hub.on_trade(AAPL, D("11"), D("2"), clock.now())
    stats = hub.stats(AAPL)
    assert stats is not None
    assert stats.trades.vwap == D("10.5") and stats.trades.trade_count == 2
    assert stats.imbalance == D("0.5") and stats.spread == D("2") and stats.mid == D("10")
    assert [b.volume for b in hub.bars(AAPL, "1s")] == [D("4")]


def test_apply_sequenced_events_with_gap_then_needs_snapshot(hub: MarketDataHub, clock: FakeClock) -> None:
    now = clock.now()
    hub.apply(MarketEvent(MarketKind.SNAPSHOT, AAPL, now, seq=1, bids=[(D("10"), D("1"))], asks=[(D("11"), D("1"))]))
    assert hub.apply(MarketEvent(MarketKind.ADD, AAPL, now, Side.BUY, D("10.5"), D("2"), seq=2))
    assert hub.quote(AAPL).bid == D("10.5")  # type: ignore[union-attr]
    assert not hub.apply(MarketEvent(MarketKind.CHANGE, AAPL, now, Side.BUY, D("10.5"), D("3"), seq=4))
    assert hub.needs_snapshot(AAPL)


def test_apply_quote_replaces_one_side(hub: MarketDataHub, clock: FakeClock) -> None:
    now = clock.now()
    hub.apply(MarketEvent(MarketKind.QUOTE, AAPL, now, Side.BUY, D("10"), D("5")))
    hub.apply(MarketEvent(MarketKind.QUOTE, AAPL, now, Side.SELL, D("10.2"), D("6")))
    hub.apply(MarketEvent(MarketKind.QUOTE, AAPL, now, Side.BUY, D("10.1"), D("7")))
    assert hub.book(AAPL).depth() == ([(D("10.1"), D("7"))], [(D("10.2"), D("6"))])  # type: ignore[union-attr]


def test_apply_l3_events_aggregate_into_the_book(hub: MarketDataHub, clock: FakeClock) -> None:
    now = clock.now()
    hub.apply(MarketEvent(MarketKind.ADD, AAPL, now, Side.SELL, D("5"), D("2"), seq=1, order_id="x"))
    hub.apply(MarketEvent(MarketKind.ADD, AAPL, now, Side.SELL, D("5"), D("3"), seq=2, order_id="y"))
    hub.apply(MarketEvent(MarketKind.DELETE, AAPL, now, seq=3, order_id="x"))
    assert hub.book(AAPL).depth() == ([], [(D("5"), D("3"))])  # type: ignore[union-attr]


@pytest.mark.parametrize(("call", "field"), [
    (lambda h, t: h.on_trade(AAPL, D("-1"), D("1"), t), "price"),
    (lambda h, t: h.on_trade(AAPL, D("1"), D("NaN"), t), "qty"),
    (lambda h, t: h.on_book(AAPL, [(D("1"), D("-1"))], [], t), "bids[0].size"),
    (lambda h, t: h.on_trade(Symbol(""), D("1"), D("1"), t), "symbol"),
    (lambda h, t: h.apply(MarketEvent(MarketKind.ADD, AAPL, t, None, D("1"), D("1"))), "side"),
    (lambda h, t: h.apply(MarketEvent(MarketKind.TRADE, AAPL, t, price=D("1"))), "size"),
])
def test_bad_input_then_rejects_naming_the_field_and_changes_nothing(
    hub: MarketDataHub, clock: FakeClock, call, field: str,  # type: ignore[no-untyped-def]
) -> None:
    hub.on_book(AAPL, [(D("1"), D("1"))], [(D("2"), D("1"))], clock.now())
    with pytest.raises(ValidationFailed) as caught:
        call(hub, clock.now() + timedelta(seconds=1))
    assert caught.value.field == field
    assert hub.book(AAPL).depth() == ([(D("1"), D("1"))], [(D("2"), D("1"))])  # type: ignore[union-attr]
    assert hub.trades(AAPL) == [] and hub.symbols() == [AAPL]


def test_subscribers_hear_each_change(hub: MarketDataHub, clock: FakeClock) -> None:
    heard: list[str] = []
    hub.subscribe(heard.append)
    hub.on_book(AAPL, [(D("1"), D("1"))], [], clock.now())
    hub.on_trade(AAPL, D("1"), D("1"), clock.now())
    assert heard == ["AAPL", "AAPL"]
