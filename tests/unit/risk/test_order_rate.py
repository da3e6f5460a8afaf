"""max_orders_per_second / max_modifies_per_second / max_cancels_per_second: token buckets."""

from decimal import Decimal

import pytest

from ordergate.domain import commands as cmds
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.risk.denied import RiskDenied
from tests.unit.risk.conftest import Desk, only


def test_max_orders_per_second_when_under_the_rate_then_passes(desk: Desk) -> None:
    desk.limits(max_orders_per_second=3)
    desk.submit(price="230.00")
    desk.submit(price="229.00")
    assert desk.check(price="228.00") == []


def test_max_orders_per_second_when_at_the_rate_then_denies_until_tokens_refill(desk: Desk) -> None:
    desk.limits(max_orders_per_second=3)
    for price in ("230.00", "229.00", "228.00"):
        desk.submit(price=price)
    denial = only(desk.check(price="227.00"))
    assert (denial.rule, denial.limit) == ("max_orders_per_second", "3")
    desk.clock.advance(0.34)  # a third of a second: one token back
    assert desk.check(price="227.00") == []


def test_max_modifies_per_second_when_at_the_rate_then_the_replace_is_refused_unchanged(desk: Desk) -> None:
    desk.limits(max_modifies_per_second=1)
    first, second = desk.submit(qty="10"), desk.submit(qty="10", price="229.00")
    desk.handle(cmds.ReplaceOrder(order_id=first.id, qty=Decimal(9)))
    with pytest.raises(RiskDenied) as refused:
        desk.handle(cmds.ReplaceOrder(order_id=second.id, qty=Decimal(8)))
    assert refused.value.denials[0].rule == "max_modifies_per_second"
    assert second.status == "new" and second.pending_replace is None and second.qty == 10


def test_cancels_when_many_in_one_second_then_none_is_throttled(desk: Desk) -> None:
    orders = [desk.submit(price=p) for p in ("230.00", "229.00", "228.00")]
    for order in orders:
        desk.handle(cmds.CancelOrder(order_id=order.id))
    assert all(o.status == "pending_cancel" for o in orders)


def test_max_cancels_per_second_when_set_then_refused_as_an_unknown_limit(desk: Desk) -> None:
    with pytest.raises(ValidationFailed) as e:
        desk.limits(max_cancels_per_second=1)
    assert e.value.rule == "known_limit"
