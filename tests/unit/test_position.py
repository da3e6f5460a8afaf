"""Netted positions: quantity, average cost, realized and unrealized P&L, commissions."""

from decimal import ROUND_HALF_EVEN, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ordergate.domain.enums import Side
from ordergate.domain.ids import AccountId, Symbol
from ordergate.domain.position import Position

D = Decimal
BUY, SELL = Side.BUY, Side.SELL


def _position() -> Position:
    return Position(account=AccountId("ACC"), symbol=Symbol("AAPL"), currency="USD")


def test_buy_when_flat_then_long_at_fill_price() -> None:
    pos = _position()
    assert pos.apply_fill(BUY, D("100"), D("10.00"), D("1")) == 0
    assert (pos.qty, pos.avg_cost, pos.realized_pnl, pos.commission) == (D("100"), D("10.00"), D(0), D("1"))


def test_sell_when_flat_then_short_at_fill_price() -> None:
    pos = _position()
    pos.apply_fill(SELL, D("50"), D("20.00"), D(0))
    assert (pos.qty, pos.avg_cost) == (D("-50"), D("20.00"))
    assert pos.cost_basis == D("-1000.00")


def test_buy_when_long_then_average_cost_is_volume_weighted() -> None:
    pos = _position()
    pos.apply_fill(BUY, D("100"), D("10.00"), D(0))
    pos.apply_fill(BUY, D("300"), D("12.00"), D(0))
    assert pos.qty == D("400")
    assert pos.avg_cost == D("11.50")


def test_sell_when_long_then_reduces_and_realizes_at_average_cost() -> None:
    pos = _position()
    pos.apply_fill(BUY, D("100"), D("10.00"), D(0))
    realized = pos.apply_fill(SELL, D("40"), D("12.50"), D(0))
    assert realized == D("100.00")
    assert (pos.qty, pos.avg_cost, pos.realized_pnl) == (D("60"), D("10.00"), D("100.00"))


def test_buy_when_short_then_covers_and_realizes_gain_when_price_fell() -> None:
    pos = _position()
    pos.apply_fill(SELL, D("100"), D("20.00"), D(0))
    assert pos.apply_fill(BUY, D("100"), D("18.00"), D(0)) == D("200.00")
    assert (pos.qty, pos.avg_cost) == (D(0), D(0))


def test_sell_when_more_than_long_then_flips_short_at_fill_price_and_realizes_closed_part() -> None:
    pos = _position()
    pos.apply_fill(BUY, D("100"), D("10.00"), D(0))
    realized = pos.apply_fill(SELL, D("150"), D("9.00"), D(0))
    assert realized == D("-100.00")
    assert (pos.qty, pos.avg_cost) == (D("-50"), D("9.00"))


def test_buy_when_more_than_short_then_flips_long_at_fill_price() -> None:
    pos = _position()
    pos.apply_fill(SELL, D("10"), D("50.00"), D(0))
    assert pos.apply_fill(BUY, D("25"), D("40.00"), D(0)) == D("100.00")
    assert (pos.qty, pos.avg_cost) == (D("15"), D("40.00"))


def test_unrealized_when_long_or_short_then_mark_minus_cost_times_signed_qty() -> None:
    long, short = _position(), _position()
    long.apply_fill(BUY, D("10"), D("100.00"), D(0))
    short.apply_fill(SELL, D("10"), D("100.00"), D(0))
    assert long.unrealized_pnl(D("105.00")) == D("50.00")
    assert short.unrealized_pnl(D("105.00")) == D("-50.00")
    assert long.market_value(D("105.00")) == D("1050.00")
    assert short.market_value(D("105.00")) == D("-1050.00")


def test_unrealized_when_flat_or_no_mark_then_zero_and_no_market_value() -> None:
    pos = _position()
    assert pos.unrealized_pnl(D("10")) == 0
    pos.apply_fill(BUY, D("1"), D("10"), D(0))
    assert pos.unrealized_pnl(None) == 0
    assert pos.market_value(None) is None


def test_fills_when_applied_then_counters_and_commission_accumulate() -> None:
    pos = _position()
    pos.apply_fill(BUY, D("10"), D("10"), D("1.25"))
    pos.apply_fill(SELL, D("4"), D("11"), D("0.75"))
    assert (pos.bought_qty, pos.sold_qty, pos.fill_count, pos.commission) == (D("10"), D("4"), 2, D("2.00"))


_FILLS = st.lists(
    st.tuples(
        st.sampled_from([BUY, SELL]),
        st.integers(min_value=1, max_value=500),
        st.integers(min_value=1, max_value=100_000),  # price in cents
        st.integers(min_value=0, max_value=500),  # commission in cents
    ),
    min_size=1, max_size=40,
)


@settings(max_examples=400, deadline=None)
@given(_FILLS, st.integers(min_value=1, max_value=100_000))
def test_any_fills_then_qty_is_signed_sum_and_pnl_equals_cash_flow_marked_to_market(
    fills: list[tuple[Side, int, int, int]], mark_cents: int,
) -> None:
    pos = _position()
    cash = D(0)
    for side, qty, cents, fee_cents in fills:
        price, fee = D(cents) / 100, D(fee_cents) / 100
        pos.apply_fill(side, D(qty), price, fee)
        cash -= side.sign * D(qty) * price + fee
    mark = D(mark_cents) / 100
    assert pos.qty == sum(side.sign * D(qty) for side, qty, _, _ in fills)
    # What the trades earned, valued at the mark: cash spent and received plus what is held now.
    direct = cash + pos.qty * mark
    net = pos.realized_pnl + pos.unrealized_pnl(mark) - pos.commission
    assert net == direct


def test_sell_when_average_cost_does_not_divide_evenly_then_realized_equals_the_cash_flow_exactly() -> None:
    pos = _position()
    pos.apply_fill(BUY, D("1"), D("10.00"), D(0))
    pos.apply_fill(BUY, D("2"), D("10.01"), D(0))
    assert pos.avg_cost == D("10.00666667")
    assert pos.cost_basis == D("30.02")
    assert pos.apply_fill(SELL, D("3"), D("10.01"), D(0)) == D("0.01")
    assert (pos.qty, pos.avg_cost, pos.cost_basis, pos.realized_pnl) == (0, 0, 0, D("0.01"))


def test_partial_closes_then_each_takes_a_rounded_share_of_the_basis_and_the_last_takes_the_rest() -> None:
    pos = _position()
    pos.apply_fill(BUY, D("1"), D("10.00"), D(0))
    pos.apply_fill(BUY, D("2"), D("10.01"), D(0))
    first = pos.apply_fill(SELL, D("1"), D("10.01"), D(0))
    assert (first, pos.cost_basis, pos.avg_cost) == (D("0.00333333"), D("20.01333333"), D("10.00666666"))
    second = pos.apply_fill(SELL, D("1"), D("10.01"), D(0))
    assert (second, pos.cost_basis) == (D("0.00333334"), D("10.00666667"))  # 10.006666665 rounds half-even
    third = pos.apply_fill(SELL, D("1"), D("10.01"), D(0))
    assert (third, pos.cost_basis, pos.qty) == (D("0.00333333"), 0, 0)
    assert pos.realized_pnl == first + second + third == D("0.01")


def test_buy_when_short_partially_covered_then_realizes_against_its_share_of_the_proceeds() -> None:
    pos = _position()
    pos.apply_fill(SELL, D("3"), D("10.00"), D(0))
    pos.apply_fill(SELL, D("3"), D("10.01"), D(0))
    assert (pos.cost_basis, pos.avg_cost) == (D("-60.03"), D("10.005"))
    assert pos.apply_fill(BUY, D("4"), D("9.99"), D(0)) == D("0.06")  # 40.02 of the proceeds, 39.96 paid
    assert (pos.qty, pos.cost_basis) == (D("-2"), D("-20.01"))
    assert pos.unrealized_pnl(D("10.00")) == D("0.01")


def test_flip_when_past_flat_then_the_remainder_costs_its_quantity_at_the_fill_price() -> None:
    pos = _position()
    pos.apply_fill(BUY, D("1"), D("10.00"), D(0))
    pos.apply_fill(BUY, D("2"), D("10.01"), D(0))
    assert pos.apply_fill(SELL, D("5"), D("10.03"), D(0)) == D("0.07")
    assert (pos.qty, pos.cost_basis, pos.avg_cost) == (D("-2"), D("-20.06"), D("10.03"))


def test_average_cost_when_huge_then_still_rounded_to_eight_places_without_error() -> None:
    pos = _position()
    pos.apply_fill(BUY, D("1e12"), D("999999999999.99"), D(0))
    pos.apply_fill(BUY, D("2"), D("0.01"), D(0))
    assert pos.cost_basis == D("999999999999990000000000.02")
    assert pos.avg_cost == D("999999999997.99")  # exactly 999999999999990000000000.02 / 1000000000002


_PRICED_FILLS = st.lists(
    st.tuples(
        st.sampled_from([BUY, SELL]),
        st.integers(min_value=1, max_value=5_000),  # quantity in thousandths: fractional lots round too
        st.integers(min_value=1, max_value=10_000_000),  # price in ten-thousandths
    ),
    min_size=1, max_size=60,
)


@settings(max_examples=500, deadline=None)
@given(_PRICED_FILLS)
def test_any_fills_then_realized_equals_cash_flow_plus_open_basis_exactly_and_flat_means_cash_flow(
    fills: list[tuple[Side, int, int]],
) -> None:
    pos = _position()
    cash_flow = D(0)  # sell proceeds minus buy costs
    for side, thousandths, ten_thousandths in fills:
        qty, price = D(thousandths) / 1000, D(ten_thousandths) / 10_000
        pos.apply_fill(side, qty, price, D(0))
        cash_flow -= side.sign * qty * price
        assert pos.realized_pnl == cash_flow + pos.cost_basis
        if pos.qty:
            exact = pos.cost_basis / pos.qty
            assert abs(pos.avg_cost - exact) <= D("0.000000005")
            assert pos.avg_cost == pos.avg_cost.quantize(D("1e-8"), rounding=ROUND_HALF_EVEN)
        else:
            assert (pos.cost_basis, pos.avg_cost, pos.realized_pnl) == (0, 0, cash_flow)
    if pos.qty:  # close out: then everything the trades made is realized, to the last digit
        side, qty, price = SELL if pos.qty > 0 else BUY, abs(pos.qty), D("1.2345")
        pos.apply_fill(side, qty, price, D(0))
        cash_flow -= side.sign * qty * price
    assert (pos.qty, pos.cost_basis, pos.realized_pnl) == (0, 0, cash_flow)
