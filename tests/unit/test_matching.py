"""The price-time priority matching book: limit, market, IOC, FOK, replace priority, cancel, bad input."""

from decimal import Decimal

import pytest

from ordergate.domain.enums import Side, TimeInForce
from ordergate.domain.errors import OrderStateConflict, ValidationFailed
from ordergate.domain.matching import BookEvent, BookOrder, Done, Fill, OrderBook

D = Decimal
BUY, SELL = Side.BUY, Side.SELL


def order(id: str, side: Side, qty: str, price: str | None = None, **kw: object) -> BookOrder:
    return BookOrder(id, side, D(qty), None if price is None else D(price), **kw)  # type: ignore[arg-type]


def fills(events: list[BookEvent]) -> list[tuple[str, str, Decimal, Decimal]]:
    return [(e.maker.id, e.taker.id, e.price, e.qty) for e in events if isinstance(e, Fill)]


@pytest.fixture
def book() -> OrderBook:
    b = OrderBook("AAPL")
    for id, side, qty, price in (("a1", SELL, "100", "10.01"), ("a2", SELL, "200", "10.02"),
                                 ("b1", BUY, "100", "9.99"), ("b2", BUY, "200", "9.98")):
        assert b.submit(order(id, side, qty, price)) == []
    return b


def test_limit_order_when_it_does_not_cross_then_rests_at_its_price(book: OrderBook) -> None:
    assert book.submit(order("x", BUY, "50", "10.00")) == []
    assert book.best_bid() == D("10.00")
    assert book.depth(BUY, 3) == [(D("10.00"), D(50)), (D("9.99"), D(100)), (D("9.98"), D(200))]


def test_market_order_when_larger_than_top_level_then_walks_levels_at_book_prices(book: OrderBook) -> None:
    events = book.submit(order("m", BUY, "150"))
    assert fills(events) == [("a1", "m", D("10.01"), D(100)), ("a2", "m", D("10.02"), D(50))]
    assert book.depth(SELL, 5) == [(D("10.02"), D(150))]
    assert book.last_price == D("10.02")


def test_market_order_when_book_runs_dry_then_rest_is_canceled_not_rested(book: OrderBook) -> None:
    taker = order("m", SELL, "500")
    events = book.submit(taker)
    assert sum(f[3] for f in fills(events)) == D(300)
    assert isinstance(events[-1], Done) and "no more liquidity" in events[-1].reason
    assert book.best_bid() is None and book.get("m") is None and taker.leaves == 0


def test_crossing_limit_when_partly_filled_then_rest_rests_as_maker_at_limit(book: OrderBook) -> None:
    events = book.submit(order("x", BUY, "150", "10.01"))
    assert fills(events) == [("a1", "x", D("10.01"), D(100))]
    assert book.best_bid() == D("10.01") and book.depth(BUY, 1) == [(D("10.01"), D(50))]
    assert book.best_ask() == D("10.02")


def test_same_price_when_two_orders_rest_then_earlier_fills_first(book: OrderBook) -> None:
    book.submit(order("late", SELL, "100", "10.01"))
    events = book.submit(order("t", BUY, "150", "10.01"))
    assert fills(events) == [("a1", "t", D("10.01"), D(100)), ("late", "t", D("10.01"), D(50))]
    assert book.get("late").leaves == D(50)  # type: ignore[union-attr]


def test_better_price_when_arrived_later_then_still_fills_first(book: OrderBook) -> None:
    book.submit(order("better", SELL, "10", "10.00"))
    assert fills(book.submit(order("t", BUY, "10", "10.05")))[0][0] == "better"


def test_ioc_when_partly_fillable_then_fills_what_it_can_and_cancels_rest(book: OrderBook) -> None:
    events = book.submit(order("i", BUY, "250", "10.01", tif=TimeInForce.IOC))
    assert fills(events) == [("a1", "i", D("10.01"), D(100))]
    assert isinstance(events[-1], Done) and book.get("i") is None and book.best_bid() == D("9.99")


def test_fok_when_not_enough_liquidity_then_nothing_fills(book: OrderBook) -> None:
    events = book.submit(order("f", BUY, "301", "10.02", tif=TimeInForce.FOK))
    assert fills(events) == [] and isinstance(events[0], Done) and "fill or kill" in events[0].reason
    assert book.depth(SELL, 5) == [(D("10.01"), D(100)), (D("10.02"), D(200))]


def test_fok_when_enough_liquidity_within_limit_then_fills_completely(book: OrderBook) -> None:
    events = book.submit(order("f", BUY, "300", "10.02", tif=TimeInForce.FOK))
    assert sum(f[3] for f in fills(events)) == D(300) and book.best_ask() is None


def test_fok_when_liquidity_exists_only_beyond_limit_then_nothing_fills(book: OrderBook) -> None:
    assert fills(book.submit(order("f", BUY, "150", "10.01", tif=TimeInForce.FOK))) == []


def test_cancel_when_resting_then_removed_and_level_dropped(book: OrderBook) -> None:
    canceled = book.cancel("a1")
    assert canceled is not None and canceled.leaves == D(100)
    assert book.best_ask() == D("10.02")
    assert fills(book.submit(order("t", BUY, "10"))) == [("a2", "t", D("10.02"), D(10))]


def test_cancel_when_order_already_filled_then_too_late(book: OrderBook) -> None:
    book.submit(order("t", BUY, "100"))
    assert book.cancel("a1") is None
    assert book.cancel("never-seen") is None


def test_replace_when_qty_reduced_at_same_price_then_keeps_time_priority(book: OrderBook) -> None:
    book.submit(order("a3", SELL, "100", "10.01"))
    kept, events = book.replace("a1", D(40), D("10.01"))
    assert events == [] and kept.leaves == D(40)
    assert book.depth(SELL, 1) == [(D("10.01"), D(140))]
    assert fills(book.submit(order("t", BUY, "50")))[0] == ("a1", "t", D("10.01"), D(40))


def test_replace_when_qty_increased_then_loses_time_priority(book: OrderBook) -> None:
    book.submit(order("a3", SELL, "100", "10.01"))
    book.replace("a1", D(150), D("10.01"))
    assert [f[0] for f in fills(book.submit(order("t", BUY, "200")))] == ["a3", "a1"]


def test_replace_when_price_changed_then_loses_priority_and_may_cross(book: OrderBook) -> None:
    new, events = book.replace("b1", D(100), D("10.01"))
    assert fills(events) == [("a1", "b1", D("10.01"), D(100))]
    assert new.leaves == 0 and book.get("b1") is None


def test_replace_when_qty_at_or_below_filled_then_refused_and_unchanged(book: OrderBook) -> None:
    book.submit(order("t", BUY, "60"))  # a1 has 60 of 100 filled
    with pytest.raises(ValidationFailed) as e:
        book.replace("a1", D(60), D("10.01"))
    assert e.value.field == "qty" and e.value.rule == "above_filled"
    assert book.get("a1").leaves == D(40)  # type: ignore[union-attr]


def test_replace_when_order_not_working_then_too_late() -> None:
    with pytest.raises(OrderStateConflict, match="too late"):
        OrderBook("X").replace("ghost", D(1), D(1))


@pytest.mark.parametrize(("field", "kwargs"), [
    ("qty", {"qty": D(0)}), ("qty", {"qty": D(-5)}), ("qty", {"qty": D("NaN")}), ("qty", {"qty": D("Infinity")}),
    ("qty", {"qty": 5}), ("limit_price", {"price": D(0)}), ("limit_price", {"price": D("-1")}),
    ("stop_price", {"stop": D("sNaN")}),
])
def test_submit_when_terms_hostile_then_refused_naming_field_and_book_unchanged(
        book: OrderBook, field: str, kwargs: dict[str, object]) -> None:
    terms: dict[str, object] = {"qty": D(10), "price": D("10.05"), **kwargs}
    bad = BookOrder("bad", BUY, terms.pop("qty"), terms.pop("price"), **terms)  # type: ignore[arg-type]
    before = (book.depth(BUY, 9), book.depth(SELL, 9), len(book))
    with pytest.raises(ValidationFailed) as e:
        book.submit(bad)
    assert e.value.field == field
    assert (book.depth(BUY, 9), book.depth(SELL, 9), len(book)) == before


def test_submit_when_id_already_working_then_refused(book: OrderBook) -> None:
    with pytest.raises(ValidationFailed) as e:
        book.submit(order("a1", SELL, "1", "11"))
    assert e.value.rule == "unique" and book.depth(SELL, 1) == [(D("10.01"), D(100))]
