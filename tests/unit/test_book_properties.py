"""Property tests: whatever sequence of updates arrives, the book stays consistent with its levels."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ordergate.domain.book import OrderBook
from ordergate.domain.enums import Side

prices = st.integers(min_value=1, max_value=60).map(lambda i: Decimal(i) / 4)
sizes = st.integers(min_value=0, max_value=5).map(Decimal)
sides = st.sampled_from([Side.BUY, Side.SELL])
level_updates = st.tuples(sides, prices, sizes)
any_ops = st.lists(st.one_of(
    st.tuples(st.just("level"), sides, prices, sizes),
    st.tuples(st.just("delete"), sides, prices, st.just(Decimal(0))),
    st.tuples(st.just("order"), sides, prices, sizes.filter(bool)),
    st.tuples(st.just("cancel"), sides, prices, st.just(Decimal(0))),
    st.tuples(st.just("skip"), sides, prices, sizes),
), max_size=60)


def _apply(book: OrderBook, op: tuple[str, Side, Decimal, Decimal], seq: int) -> None:
    kind, side, price, size = op
    if kind == "level":
        book.update(side, price, size, seq=seq)
    elif kind == "delete":
        book.delete(side, price, seq=seq)
    elif kind == "order":
        book.add_order(f"o{price}{side}", side, price, size, seq=seq)
    elif kind == "cancel":
        book.delete_order(f"o{price}{side}", seq=seq)
    else:
        book.update(side, price, size, seq=seq + 1)  # skips a number: a gap


@settings(max_examples=300, deadline=None)
@given(any_ops)
def test_after_any_updates_best_bid_is_below_best_ask_or_book_is_flagged(ops: list) -> None:  # type: ignore[type-arg]
    book = OrderBook("X")
    book.apply_snapshot([(Decimal(5), Decimal(1))], [(Decimal(10), Decimal(1))], seq=0)
    for seq, op in enumerate(ops, start=1):
        _apply(book, op, seq)
        bid, ask = book.best_bid(), book.best_ask()
        assert bid is None or ask is None or bid < ask or book.needs_snapshot


@settings(max_examples=300, deadline=None)
@given(st.lists(level_updates, max_size=80), st.integers(min_value=0, max_value=40))
def test_levels_match_a_direct_model_and_depth_sums_equal_the_levels(
    updates: list[tuple[Side, Decimal, Decimal]], n: int,
) -> None:
    book = OrderBook("X")
    model: dict[Side, dict[Decimal, Decimal]] = {Side.BUY: {}, Side.SELL: {}}
    for seq, (side, price, size) in enumerate(updates, start=1):
        book.update(side, price, size, seq=seq)
        if size:
            model[side][price] = size
        else:
            model[side].pop(price, None)
    bids, asks = book.depth()
    assert bids == sorted(model[Side.BUY].items(), reverse=True)
    assert asks == sorted(model[Side.SELL].items())
    top_bids, top_asks = book.depth(n)
    assert sum(s for _, s in top_bids) == book.bids.total(n) == sum(s for _, s in bids[:n])
    assert sum(s for _, s in top_asks) == book.asks.total(n) == sum(s for _, s in asks[:n])
    assert book.best_bid() == (bids[0][0] if bids else None)
    assert book.best_ask() == (asks[0][0] if asks else None)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(prices, sizes.filter(bool)), min_size=1, max_size=20), st.integers(1, 120))
def test_vwap_to_fill_equals_a_direct_sweep(levels: list[tuple[Decimal, Decimal]], want: int) -> None:
    book = OrderBook("X")
    book.apply_snapshot([], levels)
    qty = Decimal(want) / 2
    remaining, notional = qty, Decimal(0)
    for price, size in book.depth()[1]:
        take = min(size, remaining)
        notional, remaining = notional + take * price, remaining - take
    expected = notional / qty if remaining == 0 else None
    assert book.vwap_to_fill(Side.BUY, qty) == expected


@settings(max_examples=300, deadline=None)
@given(any_ops, st.lists(st.tuples(prices, sizes), max_size=8), st.booleans())
def test_price_points_are_exactly_the_levels_and_the_remembered_prices(
    ops: list, snapshot: list[tuple[Decimal, Decimal]], finer: bool,  # type: ignore[type-arg]
) -> None:
    book = OrderBook("X")
    book.apply_snapshot([(Decimal(5), Decimal(1))], [(Decimal(10), Decimal(1))], seq=0)
    for seq, op in enumerate(ops, start=1):
        _apply(book, op, seq)
        if seq == len(ops) // 2:
            low, high = [(p, s) for p, s in snapshot if p < 7], [(p, s) for p, s in snapshot if p >= 7]
            book.apply_snapshot(low, high, seq=seq)
            if finer:  # widens the scale: every point's units and sizes are multiplied
                book.update(Side.BUY, Decimal("0.125"), Decimal("0.5"), seq=seq + 1)
                book.apply_snapshot(*book.depth(), seq=seq)
    scale = book._scale  # no point leaks (a feed of ever new prices) and none is lost or left stale
    bids, asks = book.bids._prices, book.asks._prices
    assert {units for units, point in scale.points.items() if point.bid} == set(bids)
    assert {units for units, point in scale.points.items() if point.ask} == set(asks)
    assert all(scale.points[point.units] is point for point in scale.prices.values())
    assert set(scale.points) == set(bids) | set(asks) | {point.units for point in scale.prices.values()}
    assert all(point.units == units for units, point in scale.points.items())


def test_a_feed_of_ever_new_prices_keeps_as_many_points_as_levels_and_remembered_prices() -> None:
    book, seqs = OrderBook("X"), iter(range(1, 100_000))
    for i in range(1, 10_001):  # past the 4,096 prices a book remembers: it forgets them and starts again
        price = Decimal(i) / 100
        assert book.update(Side.BUY, price, Decimal(1), seq=next(seqs))
        if i % 10:  # nine levels in ten go again
            assert book.update(Side.BUY, price, Decimal(0), seq=next(seqs))
    scale = book._scale
    assert book.depth()[0] == [(Decimal(i) / 10, Decimal(1)) for i in range(1000, 0, -1)]
    assert set(scale.points) == set(book.bids._prices) | {point.units for point in scale.prices.values()}
    assert len(scale.points) <= 1000 + 4096
