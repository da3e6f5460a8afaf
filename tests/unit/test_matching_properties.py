"""Properties of matching under any sequence of orders, cancels and replaces (hypothesis)."""

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ordergate.domain.enums import Side, TimeInForce
from ordergate.domain.matching import BookEvent, BookOrder, Done, Fill, OrderBook

ZERO = Decimal(0)
PRICES = st.integers(min_value=95, max_value=105).map(lambda n: Decimal(n) / 10)
ACTION = st.one_of(
    st.tuples(st.just("order"), st.sampled_from(list(Side)), st.integers(1, 50), st.one_of(st.none(), PRICES),
              st.sampled_from([TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK]), st.one_of(st.none(), PRICES)),
    st.tuples(st.just("cancel"), st.integers(0, 40)),
    st.tuples(st.just("replace"), st.integers(0, 40), st.integers(1, 60), PRICES),
)
SEQUENCES = st.lists(ACTION, max_size=40)


class Tally:
    """Run actions against a book, keeping per order: the quantity it should account for, and where it went."""

    def __init__(self) -> None:
        self.book = OrderBook("X", last_price=Decimal(10))
        self.total: dict[str, Decimal] = {}  # first qty, adjusted by every accepted replace
        self.filled: dict[str, Decimal] = {}
        self.removed: dict[str, Decimal] = {}  # canceled, or killed by IOC / FOK / a dry market

    def run(self, actions: list[Any]) -> "Tally":
        for n, action in enumerate(actions):
            self._one(n, action)
            bid, ask = self.book.best_bid(), self.book.best_ask()
            assert bid is None or ask is None or bid < ask, "book crossed after matching"
        return self

    def _one(self, n: int, action: Any) -> None:
        if action[0] == "order":
            _, side, qty, price, tif, stop = action
            self.total[f"o{n}"] = Decimal(qty)
            self._record(self.book.submit(BookOrder(f"o{n}", side, Decimal(qty), price, stop=stop, tif=tif)))
        elif action[0] == "cancel":
            gone = self.book.cancel(f"o{action[1]}")
            if gone is not None:
                self._add(self.removed, gone.id, gone.leaves)
        else:
            current = self.book.get(f"o{action[1]}")
            new_qty = Decimal(action[2])
            if current is None or current.price is None or new_qty <= current.filled:
                return
            old_qty = current.qty  # read first: a replace that keeps priority amends the order in place
            _, events = self.book.replace(current.id, new_qty, action[3], current.stop)
            self._add(self.total, current.id, new_qty - old_qty)
            self._record(events)

    def _record(self, events: list[BookEvent]) -> None:
        for e in events:
            if isinstance(e, Fill):
                self._add(self.filled, e.maker.id, e.qty)
                self._add(self.filled, e.taker.id, e.qty)
            elif isinstance(e, Done):
                self._add(self.removed, e.order.id, e.order.qty - self.filled.get(e.order.id, ZERO))

    @staticmethod
    def _add(into: dict[str, Decimal], key: str, qty: Decimal) -> None:
        into[key] = into.get(key, ZERO) + qty


@settings(max_examples=150, deadline=None)
@given(SEQUENCES)
def test_matching_when_any_sequence_then_book_never_crossed_and_no_fill_beyond_order_qty(actions: list[Any]) -> None:
    tally = Tally().run(actions)
    for order_id, qty in tally.filled.items():
        assert qty <= tally.total[order_id]


@settings(max_examples=150, deadline=None)
@given(SEQUENCES)
def test_matching_when_any_sequence_then_every_order_qty_is_filled_working_or_removed(actions: list[Any]) -> None:
    tally = Tally().run(actions)
    for order_id, total in tally.total.items():
        working = tally.book.get(order_id)
        leaves = working.leaves if working is not None else ZERO
        assert tally.filled.get(order_id, ZERO) + leaves + tally.removed.get(order_id, ZERO) == total


@settings(max_examples=150, deadline=None)
@given(SEQUENCES)
def test_matching_when_any_sequence_then_depth_equals_sum_of_resting_leaves(actions: list[Any]) -> None:
    tally = Tally().run(actions)
    depth = sum(q for _, q in tally.book.depth(Side.BUY, 1000)) + sum(q for _, q in tally.book.depth(Side.SELL, 1000))
    resting = (tally.book.get(i) for i in tally.total)
    assert depth == sum((o.leaves for o in resting if o is not None and o.stop is None), ZERO)
    assert all(q > 0 for _, q in tally.book.depth(Side.BUY, 1000) + tally.book.depth(Side.SELL, 1000))
