"""The order book: snapshots, sequenced L2 and L3 updates, gaps, crossing, and the reads."""

from decimal import Decimal

import pytest

from ordergate.domain.book import OrderBook
from ordergate.domain.enums import Side
from ordergate.domain.errors import ValidationFailed


def D(text: str) -> Decimal:
    return Decimal(text)


def book_with(bids: list[tuple[str, str]], asks: list[tuple[str, str]], seq: int | None = 10) -> OrderBook:
    book = OrderBook("AAPL")
    book.apply_snapshot([(D(p), D(s)) for p, s in bids], [(D(p), D(s)) for p, s in asks], seq=seq)
    return book


@pytest.fixture
def book() -> OrderBook:
    return book_with([("100.00", "5"), ("99.50", "10"), ("99.00", "20")],
                     [("100.50", "7"), ("101.00", "3"), ("102.00", "40")])


def test_snapshot_then_reads_best_spread_mid_and_depth(book: OrderBook) -> None:
    assert book.best_bid() == D("100.00")
    assert book.best_ask() == D("100.50")
    assert book.spread() == D("0.50")
    assert book.mid() == D("100.25")
    assert book.depth(2) == ([(D("100.00"), D("5")), (D("99.50"), D("10"))],
                             [(D("100.50"), D("7")), (D("101.00"), D("3"))])
    assert not book.needs_snapshot


def test_snapshot_given_levels_in_any_order_then_sorts_best_first() -> None:
    book = book_with([("99", "1"), ("101", "2"), ("100", "3")], [("105", "1"), ("103", "1")])
    assert [p for p, _ in book.depth()[0]] == [D("101"), D("100"), D("99")]
    assert [p for p, _ in book.depth()[1]] == [D("103"), D("105")]


def test_update_in_sequence_adds_changes_and_deletes_levels(book: OrderBook) -> None:
    assert book.update(Side.BUY, D("100.25"), D("4"), seq=11)
    assert book.best_bid() == D("100.25")
    assert book.update(Side.SELL, D("101.00"), D("9"), seq=12)
    assert book.size_at(D("101.00")) == D("9")
    assert book.update(Side.BUY, D("100.25"), D("0"), seq=13)
    assert book.best_bid() == D("100.00")
    assert book.delete(Side.SELL, D("100.50"), seq=14)
    assert book.best_ask() == D("101.00")
    assert book.seq == 14


def test_update_with_old_sequence_number_then_ignored(book: OrderBook) -> None:
    assert not book.update(Side.BUY, D("100.00"), D("99"), seq=10)
    assert book.size_at(D("100.00")) == D("5")
    assert not book.needs_snapshot


def test_update_after_gap_then_flags_needs_snapshot_and_stops_applying(book: OrderBook) -> None:
    assert not book.update(Side.BUY, D("100.10"), D("1"), seq=12)
    assert book.needs_snapshot and book.snapshot_reason == "gap"
    assert not book.update(Side.BUY, D("100.20"), D("1"), seq=13)
    assert book.best_bid() == D("100.00")
    assert (book.seq, book.seen_seq) == (10, 13)  # the contents are still those of seq 10
    book.apply_snapshot([(D("100.20"), D("1"))], [(D("100.50"), D("1"))], seq=20)
    assert not book.needs_snapshot and (book.seq, book.seen_seq) == (20, None)
    assert book.update(Side.BUY, D("100.30"), D("2"), seq=21)
    assert book.best_bid() == D("100.30")


def test_update_that_crosses_the_book_then_flags_crossed(book: OrderBook) -> None:
    assert book.update(Side.BUY, D("100.50"), D("1"), seq=11)
    assert book.crossed
    assert book.needs_snapshot and book.snapshot_reason == "crossed"


def test_snapshot_that_is_crossed_then_flags_crossed() -> None:
    book = book_with([("101", "1")], [("100", "1")])
    assert book.needs_snapshot and book.snapshot_reason == "crossed"


def test_delete_of_missing_level_then_flags_needs_snapshot(book: OrderBook) -> None:
    assert not book.delete(Side.BUY, D("42"), seq=11)
    assert book.needs_snapshot and book.snapshot_reason == "unknown level"


def test_unsequenced_updates_apply_in_arrival_order() -> None:
    book = book_with([("10", "1")], [("11", "1")], seq=None)
    assert book.update(Side.BUY, D("10.5"), D("2"))
    assert book.best_bid() == D("10.5")


@pytest.mark.parametrize(("price", "size", "field"), [
    (D("-1"), D("1"), "price"), (D("0"), D("1"), "price"), (D("NaN"), D("1"), "price"),
    (D("Infinity"), D("1"), "price"), (100.5, D("1"), "price"), ("100", D("1"), "price"),
    (D("100"), D("-1"), "size"), (D("100"), D("sNaN"), "size"), (D("100"), 3, "size"),
    (D("1e20"), D("1"), "price"),
])
def test_update_with_bad_values_then_rejects_naming_the_field_and_changes_nothing(
    book: OrderBook, price: object, size: object, field: str,
) -> None:
    before = (book.depth(), book.seq)
    with pytest.raises(ValidationFailed) as caught:
        book.update(Side.BUY, price, size, seq=11)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert (book.depth(), book.seq) == before


@pytest.mark.parametrize("seq", [-1, "11", 11.0])
def test_update_with_bad_sequence_then_rejects_and_changes_nothing(book: OrderBook, seq: object) -> None:
    with pytest.raises(ValidationFailed) as caught:
        book.update(Side.BUY, D("100.10"), D("1"), seq=seq)  # type: ignore[arg-type]
    assert caught.value.field == "seq"
    assert book.best_bid() == D("100.00") and book.seq == 10


def test_snapshot_with_a_bad_level_then_rejects_and_keeps_the_old_book(book: OrderBook) -> None:
    before = book.depth()
    with pytest.raises(ValidationFailed) as caught:
        book.apply_snapshot([(D("1"), D("1")), (D("2"), D("-3"))], [], seq=50)
    assert caught.value.field == "bids[1].size"
    with pytest.raises(ValidationFailed):
        book.apply_snapshot([("junk",)], [], seq=50)  # type: ignore[list-item]
    assert book.depth() == before and book.seq == 10


def test_size_at_either_side_and_missing_price(book: OrderBook) -> None:
    assert book.size_at(D("99.50")) == D("10")
    assert book.size_at(D("102.00"), Side.SELL) == D("40")
    assert book.size_at(D("102.00"), Side.BUY) == 0
    assert book.size_at(D("1")) == 0


def test_vwap_to_fill_walks_levels_from_the_best(book: OrderBook) -> None:
    # buy 10: 7 @ 100.50 + 3 @ 101.00
    assert book.vwap_to_fill(Side.BUY, D("10")) == (D("7") * D("100.50") + D("3") * D("101.00")) / 10
    assert book.vwap_to_fill(Side.SELL, D("5")) == D("100.00")
    assert book.vwap_to_fill(Side.SELL, D("35")) == D("99.5") * 0 + (
        D("5") * D("100") + D("10") * D("99.5") + D("20") * D("99")) / 35


def test_vwap_to_fill_more_than_the_book_holds_then_none(book: OrderBook) -> None:
    assert book.vwap_to_fill(Side.BUY, D("50.01")) is None
    assert book.vwap_to_fill(Side.BUY, D("0")) is None


def test_imbalance_over_top_levels(book: OrderBook) -> None:
    assert book.imbalance(1) == (D("5") - D("7")) / (D("5") + D("7"))
    assert book.imbalance(3) == (D("35") - D("50")) / D("85")
    assert OrderBook("X").imbalance(3) is None


def test_empty_book_reads_are_none() -> None:
    book = OrderBook("X")
    assert (book.best_bid(), book.best_ask(), book.spread(), book.mid()) == (None, None, None, None)
    assert book.depth(5) == ([], [])


def test_depth_with_zero_or_negative_levels_then_empty(book: OrderBook) -> None:
    assert book.depth(0) == ([], [])
    assert book.depth(-3) == ([], [])


def test_l3_orders_aggregate_into_levels(book: OrderBook) -> None:
    assert book.add_order("a1", Side.BUY, D("100.00"), D("2"), seq=11)
    assert book.add_order("a2", Side.BUY, D("100.10"), D("3"), seq=12)
    assert book.size_at(D("100.00")) == D("7")
    assert book.best_bid() == D("100.10")
    assert book.change_order("a2", D("1"), seq=13)
    assert book.size_at(D("100.10")) == D("1")
    assert book.change_order("a2", D("1"), price=D("100.20"), seq=14)
    assert book.size_at(D("100.10")) == 0 and book.size_at(D("100.20")) == D("1")
    assert book.delete_order("a2", seq=15)
    assert book.best_bid() == D("100.00") and book.order("a2") is None
    assert book.order("a1") == (Side.BUY, D("100.00"), D("2"))


def test_l3_unknown_or_duplicate_order_then_flags_needs_snapshot(book: OrderBook) -> None:
    assert book.add_order("a1", Side.SELL, D("103"), D("1"), seq=11)
    assert not book.add_order("a1", Side.SELL, D("103"), D("1"), seq=12)
    assert book.needs_snapshot and book.snapshot_reason == "duplicate order"
    other = book_with([("1", "1")], [("2", "1")])
    assert not other.delete_order("nope", seq=11)
    assert other.snapshot_reason == "unknown order"


@pytest.mark.parametrize("order_id", ["", "x" * 65, 7])
def test_l3_bad_order_id_then_rejects_naming_it(book: OrderBook, order_id: object) -> None:
    with pytest.raises(ValidationFailed) as caught:
        book.add_order(order_id, Side.BUY, D("1"), D("1"), seq=11)  # type: ignore[arg-type]
    assert caught.value.field == "order_id"
    assert book.seq == 10
