"""Stop and stop-limit orders in the matching book: held until the last trade crosses the stop."""

from decimal import Decimal

import pytest

from ordergate.domain.enums import Side
from ordergate.domain.matching import BookOrder, Fill, OrderBook, Triggered

D = Decimal
BUY, SELL = Side.BUY, Side.SELL


@pytest.fixture
def book() -> OrderBook:
    b = OrderBook("AAPL", last_price=D("10.00"))
    for id, side, qty, price in (("a1", SELL, "100", "10.01"), ("a2", SELL, "100", "10.05"),
                                 ("b1", BUY, "100", "9.99"), ("b2", BUY, "100", "9.95")):
        b.submit(BookOrder(id, side, D(qty), D(price)))
    return b


def test_buy_stop_when_last_below_stop_then_held_and_book_unchanged(book: OrderBook) -> None:
    assert book.submit(BookOrder("s", BUY, D(10), stop=D("10.03"))) == []
    assert book.get("s") is not None and book.depth(SELL, 1) == [(D("10.01"), D(100))]


def test_buy_stop_when_trade_prints_at_stop_then_triggers_and_fills_as_market(book: OrderBook) -> None:
    book.submit(BookOrder("s", BUY, D(10), stop=D("10.01")))
    events = book.submit(BookOrder("t", BUY, D(5), D("10.01")))
    triggered = [e for e in events if isinstance(e, Triggered)]
    assert [(t.order.id, t.price) for t in triggered] == [("s", D("10.01"))]
    stop_fills = [e for e in events if isinstance(e, Fill) and e.taker.id == "s"]
    assert [(f.price, f.qty) for f in stop_fills] == [(D("10.01"), D(10))]
    assert book.get("s") is None


def test_sell_stop_limit_when_triggered_then_rests_as_limit_at_its_price(book: OrderBook) -> None:
    book.submit(BookOrder("s", SELL, D(50), D("9.98"), stop=D("9.99")))
    events = book.submit(BookOrder("t", SELL, D(100), D("9.99")))  # prints 9.99, takes all of b1
    assert any(isinstance(e, Triggered) and e.order.id == "s" for e in events)
    assert book.best_ask() == D("9.98") and book.get("s").leaves == D(50)  # type: ignore[union-attr]


def test_stop_when_already_crossed_at_submit_then_triggers_at_once(book: OrderBook) -> None:
    events = book.submit(BookOrder("s", SELL, D(10), stop=D("10.00")))
    assert isinstance(events[0], Triggered) and isinstance(events[1], Fill) and events[1].price == D("9.99")


def test_stops_when_one_trigger_moves_price_then_cascade_in_stop_order(book: OrderBook) -> None:
    book.submit(BookOrder("s2", BUY, D(100), stop=D("10.05")))
    book.submit(BookOrder("s1", BUY, D(100), stop=D("10.01")))
    events = book.submit(BookOrder("t", BUY, D(1), D("10.01")))
    assert [e.order.id for e in events if isinstance(e, Triggered)] == ["s1", "s2"]
    assert book.best_ask() is None


def test_stop_when_canceled_then_never_triggers(book: OrderBook) -> None:
    book.submit(BookOrder("s", BUY, D(10), stop=D("10.01")))
    assert book.cancel("s") is not None
    events = book.submit(BookOrder("t", BUY, D(100), D("10.01")))
    assert not any(isinstance(e, Triggered) for e in events)


def test_stop_when_replaced_to_new_stop_then_triggers_at_the_new_one(book: OrderBook) -> None:
    book.submit(BookOrder("s", BUY, D(10), stop=D("10.05")))
    new, events = book.replace("s", D(10), None, D("10.01"))
    assert events == [] and new.stop == D("10.01")
    events = book.submit(BookOrder("t", BUY, D(1), D("10.01")))
    assert any(isinstance(e, Triggered) and e.order.id == "s" for e in events)


def test_stop_when_no_trade_price_known_then_held() -> None:
    book = OrderBook("X")
    assert book.submit(BookOrder("s", SELL, D(1), stop=D("5"))) == [] and book.get("s") is not None
