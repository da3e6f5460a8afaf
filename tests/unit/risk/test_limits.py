"""Limits: firm defaults with per-account overrides, journaled changes, hostile input refused unchanged."""

from decimal import Decimal

import pytest

from ordergate.domain import commands as cmds
from ordergate.domain.errors import UnknownAccount, ValidationFailed
from ordergate.domain.events import RiskLimitsChanged
from ordergate.domain.risk.denied import RiskDenied
from tests.unit.risk.conftest import ACC, Desk


def test_set_limits_when_a_subset_is_given_then_only_those_change(desk: Desk) -> None:
    desk.limits(max_order_qty="100", max_open_orders=5)
    desk.limits(max_order_qty="50")
    limits = desk.gate.limits.effective(ACC)
    assert (limits.max_order_qty, limits.max_open_orders) == (Decimal(50), 5)


def test_set_limits_when_changed_then_journals_who_old_and_new(desk: Desk) -> None:
    desk.limits(max_order_qty="100")
    desk.limits(max_order_qty="50", restricted_symbols=["NVDA"])
    event = desk.last.events[-1]
    assert isinstance(event, RiskLimitsChanged)
    assert (event.account, event.caused_by) == (ACC, "test")
    assert event.old == {"max_order_qty": "100", "restricted_symbols": None}
    assert event.new == {"max_order_qty": "50", "restricted_symbols": ["NVDA"]}


def test_firm_defaults_when_account_has_no_override_then_apply_and_override_wins(desk: Desk) -> None:
    desk.limits(account=None, max_order_qty="10")
    assert desk.gate.limits.effective(ACC).max_order_qty == Decimal(10)
    desk.limits(max_order_qty="20")
    desk.limits(account=None, max_order_qty="5")
    assert desk.gate.limits.effective(ACC).max_order_qty == Decimal(20)
    assert desk.gate.limits_view(ACC)["overrides"] == ["max_order_qty"]


@pytest.mark.parametrize(("changes", "field", "rule"), [
    ({"max_order_qyt": "1"}, "max_order_qyt", "known_limit"),
    ({"max_order_qty": "-1"}, "max_order_qty", "non_negative"),
    ({"max_order_qty": "NaN"}, "max_order_qty", "non_negative"),
    ({"max_order_qty": "1e400"}, "max_order_qty", "max_value"),
    ({"max_order_qty": "ten"}, "max_order_qty", "number"),
    ({"max_order_qty": True}, "max_order_qty", "number"),
    ({"max_order_qty": ["1"]}, "max_order_qty", "number"),
    ({"max_open_orders": "2.5"}, "max_open_orders", "integer"),
    ({"enforce_buying_power": "yes"}, "enforce_buying_power", "boolean"),
    ({"restricted_symbols": [1, 2]}, "restricted_symbols", "symbol_list"),
    ({"restricted_symbols": ["x" * 65]}, "restricted_symbols", "symbol_list"),
    ({"initial_margin_rate": "1.5"}, "initial_margin_rate", "range"),
    ({"margin_rates": {"AAPL": "0"}}, "margin_rates", "range"),
    ({"self_match": "sometimes"}, "self_match", "choice"),
])
def test_set_limits_when_input_is_bad_then_refuses_naming_field_and_rule_and_changes_nothing(
    desk: Desk, changes: dict[str, object], field: str, rule: str,
) -> None:
    desk.limits(max_order_qty="100")
    events_before = len(desk.events)
    with pytest.raises(ValidationFailed) as refused:
        desk.limits(**changes)
    assert (refused.value.field, refused.value.rule) == (field, rule)
    assert desk.gate.limits.effective(ACC).max_order_qty == Decimal(100)
    assert len(desk.events) == events_before


def test_set_limits_when_body_is_not_an_object_then_refuses(desk: Desk) -> None:
    with pytest.raises(ValidationFailed) as refused:
        desk.handle(cmds.SetRiskLimits(account=ACC, changes=["max_order_qty"]))  # type: ignore[arg-type]
    assert refused.value.field == "body"


def test_set_limits_when_account_unknown_then_refuses(desk: Desk) -> None:
    with pytest.raises(UnknownAccount):
        desk.limits(account="NOBODY", max_order_qty="1")  # type: ignore[arg-type]


def test_replace_when_it_raises_size_over_a_limit_then_is_refused_and_order_unchanged(desk: Desk) -> None:
    desk.limits(max_order_qty="20", max_position_qty="25")
    order = desk.submit(qty="10")
    with pytest.raises(RiskDenied) as refused:
        desk.handle(cmds.ReplaceOrder(order_id=order.id, qty=Decimal(30)))
    assert [d.rule for d in refused.value.denials] == ["max_order_qty", "max_position_qty"]
    assert order.status == "new" and order.qty == 10 and order.pending_replace is None


def test_replace_when_it_only_shrinks_then_passes_even_over_a_lowered_limit(desk: Desk) -> None:
    order = desk.submit(qty="10")
    desk.limits(max_order_qty="5")
    desk.handle(cmds.ReplaceOrder(order_id=order.id, qty=Decimal(8)))
    assert order.status == "pending_replace"


def test_replace_when_it_moves_price_inside_limits_then_counts_only_the_new_terms(desk: Desk) -> None:
    desk.limits(max_position_qty="10")
    order = desk.submit(qty="10")
    desk.handle(cmds.ReplaceOrder(order_id=order.id, limit_price=Decimal("229.50")))
    assert order.status == "pending_replace"
