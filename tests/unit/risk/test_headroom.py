"""Headrooms are safe: a figure inside one passes the rule's own rounded sum, for any digits, beyond the
context's precision too (where a sum rounds)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ordergate.domain.risk.headroom import floor_divide, hundredth, representable, room, within

# up to 40 digits (the context holds 28) at exponents from -20 to 10: sums that round, and ones that do not
decimals = st.builds(lambda digits, exponent, negative: Decimal((int(negative), tuple(digits), exponent)),
                     st.lists(st.integers(0, 9), min_size=1, max_size=40), st.integers(-20, 10), st.booleans())
positive = decimals.filter(lambda d: d > 0)


@settings(max_examples=500)
@given(limit=decimals, used=decimals, other=decimals)
def test_room_when_a_figure_is_inside_then_the_rounded_sum_is_within_the_limit(
    limit: Decimal, used: Decimal, other: Decimal,
) -> None:
    used = +used  # what a sum kept in usage is: already rounded to the context
    left = room(limit, used)
    if left is not None and other <= left:
        assert used + other <= limit
    if representable(limit):
        assert left is not None


@settings(max_examples=500)
@given(reference=decimals, width=decimals, price=decimals)
def test_within_when_a_price_is_inside_then_its_rounded_distance_is_at_most_the_width(
    reference: Decimal, width: Decimal, price: Decimal,
) -> None:
    reference, width = +reference, +width
    low, high = within(reference, width)
    if low <= price <= high:
        assert abs(price - reference) <= width


@settings(max_examples=300)
@given(value=decimals, other=decimals)
def test_hundredth_is_exact(value: Decimal, other: Decimal) -> None:
    value, other = +value, +other
    assert (other * 100 <= value) == (other <= hundredth(value))


@settings(max_examples=300)
@given(limit=decimals, per_unit=positive, qty=decimals)
def test_floor_divide_when_a_quantity_is_at_most_it_then_the_rounded_product_is_within_the_limit(
    limit: Decimal, per_unit: Decimal, qty: Decimal,
) -> None:
    limit, per_unit = +limit, +per_unit
    if qty <= floor_divide(limit, per_unit):
        assert qty * per_unit <= limit
