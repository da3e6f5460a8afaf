"""The book holds prices and sizes as scaled integers: every Decimal comes back exactly, at any places."""

import os
import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordergate.domain.book import OrderBook
from ordergate.domain.enums import Side
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.fixed import MAX_PLACES, from_units, places_of, to_units

# Any finite Decimal the book accepts: above 0 (sizes: from 0) and below 1e15, with up to MAX_PLACES places,
# written with or without trailing zeros.
places = st.integers(min_value=0, max_value=MAX_PLACES)
values = st.builds(lambda units, p, zeros: Decimal(units).scaleb(-p) if not zeros else Decimal(units * 10 ** zeros)
                   .scaleb(-p - zeros), st.integers(min_value=1, max_value=10 ** 15 - 1), st.integers(0, 6),
                   st.integers(0, 3))
prices = st.one_of(values, st.builds(lambda u, p: Decimal(u).scaleb(-p), st.integers(1, 10 ** 14), places))
sizes = st.one_of(st.just(Decimal(0)), st.just(Decimal("0.000")), prices)


@settings(max_examples=500, deadline=None)
@given(prices, st.integers(min_value=0, max_value=MAX_PLACES))
def test_units_round_trip_exactly_at_any_places_the_value_fits(value: Decimal, extra: int) -> None:
    need = places_of(value)
    at = min(MAX_PLACES, need + extra) if need <= MAX_PLACES else need
    units = to_units(value, at)
    assert from_units(units, at) == value
    assert units == value * 10 ** at  # exact: a whole number


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([Side.BUY, Side.SELL]), prices, sizes), max_size=40))
def test_book_gives_back_every_level_exactly_whatever_places_arrive_in_any_order(
    updates: list[tuple[Side, Decimal, Decimal]],
) -> None:
    book = OrderBook("X")
    model: dict[Side, dict[Decimal, Decimal]] = {Side.BUY: {}, Side.SELL: {}}
    for side, price, size in updates:
        book.update(side, price, size)
        if size:
            model[side][price] = size
        else:
            model[side].pop(price, None)
    bids, asks = book.depth()
    assert bids == sorted(model[Side.BUY].items(), reverse=True)
    assert asks == sorted(model[Side.SELL].items())
    for side, levels in model.items():
        for price, size in levels.items():
            assert book.size_at(price, side) == size


def test_a_finer_price_widens_the_scale_and_keeps_every_level() -> None:
    book = OrderBook("X")
    book.apply_snapshot([(Decimal("100"), Decimal("5"))], [(Decimal("101.5"), Decimal("2.5"))], seq=1)
    assert book.update(Side.BUY, Decimal("100.0001"), Decimal("0.125"), seq=2)
    assert book.add_order("o1", Side.SELL, Decimal("101.25"), Decimal("1"), seq=3)
    assert book.depth() == ([(Decimal("100.0001"), Decimal("0.125")), (Decimal(100), Decimal(5))],
                            [(Decimal("101.25"), Decimal(1)), (Decimal("101.5"), Decimal("2.5"))])
    assert book.order("o1") == (Side.SELL, Decimal("101.25"), Decimal(1))
    assert book.size_at(Decimal("100.00005")) == 0  # finer than anything held: no level there
    assert not book.delete(Side.BUY, Decimal("100.00005"), seq=4)
    assert book.snapshot_reason == "unknown level"


@pytest.mark.parametrize(("price", "size", "field"), [
    (Decimal("1e-31"), Decimal(1), "price"), (Decimal(1), Decimal("1e-31"), "size"),
    (Decimal("1e-1000000"), Decimal(1), "price"),
])
def test_a_value_with_more_places_than_the_book_holds_then_rejects_naming_the_field(
    price: Decimal, size: Decimal, field: str,
) -> None:
    book = OrderBook("X")
    with pytest.raises(ValidationFailed) as caught:
        book.update(Side.BUY, price, size, seq=1)
    assert caught.value.field == field and "decimal places" in str(caught.value)
    assert book.depth() == ([], []) and book.seq is None


def test_hot_modules_run_compiled_or_as_pure_python_as_the_environment_says() -> None:
    code = "from ordergate.compiled import compiled_modules as c; print(sorted(set(c().values())))"
    env = {**os.environ, "ORDERGATE_PURE_PYTHON": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[False]"
