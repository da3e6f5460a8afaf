"""Paper commission: max(minimum, qty x per share + notional x bps / 10,000), once per order."""

import random
from decimal import ROUND_HALF_UP, Decimal

from ordergate.adapters.venues.paper.fees import CommissionSchedule

D = Decimal


def test_total_when_small_order_then_minimum_applies() -> None:
    assert CommissionSchedule(D("0.005"), D(0), D(1)).total(D(10), D(2300)) == D("1.00")


def test_total_when_large_order_then_per_share_plus_bps_of_notional() -> None:
    schedule = CommissionSchedule(D("0.005"), D(2), D(1))
    assert schedule.total(D(1000), D(230_000)) == D("5") + D("46")


def test_for_fill_when_order_fills_in_parts_then_parts_add_up_to_the_whole() -> None:
    schedule = CommissionSchedule(D("0.005"), D("1.5"), D(1))
    parts, filled, notional = [], D(0), D(0)
    for qty, price in ((D(7), D("230.05")), (D(333), D("230.06")), (D(660), D("230.07"))):
        parts.append(schedule.for_fill(filled, notional, qty, price))
        filled, notional = filled + qty, notional + qty * price
    assert parts[0] == D("1.00") and sum(parts) == schedule.total(filled, notional)
    assert all(p >= 0 for p in parts)


def test_total_when_rates_are_zero_then_free() -> None:
    assert CommissionSchedule(D(0), D(0), D(0)).total(D(100), D(10_000)) == D(0)


def _reference_for_fill(schedule: CommissionSchedule, filled: Decimal, notional: Decimal, qty: Decimal,
                        price: Decimal) -> Decimal:
    """The schedule's rule written plainly: both totals in full, the bps term even when zero."""
    def total(q: Decimal, n: Decimal) -> Decimal:
        return max(schedule.minimum, q * schedule.per_share + n * schedule.bps / D(10_000)).quantize(
            D("0.01"), rounding=ROUND_HALF_UP)
    return total(filled + qty, notional + qty * price) - (total(filled, notional) if filled else D(0))


def test_for_fill_when_any_terms_then_the_same_value_and_digits_as_the_plain_rule() -> None:
    rng = random.Random(7)
    for _ in range(2_000):
        schedule = CommissionSchedule(D(rng.choice(["0", "0.005", "0.0035", "0.01"])),
                                      D(rng.choice(["0", "0.0", "1.5", "2"])), D(rng.choice(["0", "1", "0.35"])))
        filled = D(rng.choice([0, 0, rng.randrange(1, 10_000)]))
        notional = filled * D(rng.randrange(1, 100_000)) / 100
        qty, price = D(rng.randrange(1, 10_000)), D(rng.randrange(1, 100_000)) / 100
        got = schedule.for_fill(filled, notional, qty, price)
        assert str(got) == str(_reference_for_fill(schedule, filled, notional, qty, price))
