"""Numbers in answers at the instrument's precision: prices at the tick, quantities at the lot, money at cents."""

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

import pytest

from ordergate.adapters.instruments_file import load_instruments
from ordergate.domain.enums import Side
from ordergate.domain.position import Position
from ordergate.entrypoints.api import serialize
from ordergate.entrypoints.api.precision import Precision, pad, places
from tests.unit.builders import accepted, filled, new_order

D = Decimal


@pytest.fixture(autouse=True)
def packaged_precision() -> Iterator[None]:
    serialize.use_precision(Precision(load_instruments().values()))
    yield
    serialize.use_precision(Precision(()))


def test_grid_step_when_measured_then_gives_its_decimal_places() -> None:
    assert [places(D(s)) for s in ("0.01", "0.05", "1", "0.5", "100", "0.0001")] == [2, 2, 0, 1, 0, 4]


def test_pad_when_value_has_fewer_places_then_padded_and_when_more_then_kept_exact() -> None:
    assert [pad(D("150"), 2), pad(D("229.6"), 2), pad(D("1.2345"), 2), pad(D("-0"), 2)] == [
        "150.00", "229.60", "1.2345", "0.00"]


def test_order_when_serialized_then_prices_at_tick_and_qty_at_lot_and_commission_in_cents() -> None:
    order = new_order(qty="100")
    order = replace(order, limit_price=D("150"), arrival_price=D("149.9"))
    order.apply(accepted())
    order.apply(filled("30", price="150", commission="1"))
    order.apply(filled("10", price="149.9", fill_id="f2", commission="0.5"))

    shown = serialize.order_dict(order)

    assert (shown["limit_price"], shown["arrival_price"], shown["qty"], shown["filled_qty"]) == (
        "150.00", "149.90", "100", "40")
    assert shown["avg_fill_price"] == "149.975"  # an average keeps its exact places, at least the tick's
    assert shown["commission"] == "1.50"


def test_position_when_serialized_then_money_rounded_to_the_currency_minor_unit() -> None:
    position = Position(account="ACC", symbol="RELIANCE", currency="INR")  # type: ignore[arg-type]
    position.apply_fill(Side.BUY, D("3"), D("1300.05"), D("0"))

    shown = serialize.position_dict(position, D("1300.1"))

    assert (shown["mark_price"], shown["avg_cost"], shown["market_value"], shown["unrealized_pnl"]) == (
        "1300.10", "1300.05", "3900.30", "0.15")
    assert shown["realized_pnl"] == "0.00" and shown["qty"] == "3"


def test_unknown_currency_and_symbol_when_formatted_then_two_places_for_money_and_prices() -> None:
    fmt = Precision(())

    assert (fmt.price("ZZZ", D("5")), fmt.qty("ZZZ", D("5")), fmt.money("XYZ", D("1.005"))) == (
        "5.00", "5", "1.00")
    assert fmt.money("JPY", D("1234.5")) == "1234"
