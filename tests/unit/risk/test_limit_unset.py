"""Going back to the firm's default: unset an account's override; quantity limits are whole lots."""

from decimal import Decimal

import pytest

from ordergate.domain import commands as cmds
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.events import RiskLimitsChanged
from tests.unit.risk.conftest import ACC, Desk


def unset(desk: Desk, *names: str, account: object = ACC) -> None:
    desk.handle(cmds.SetRiskLimits(account=account, changes={}, unset=list(names), requested_by="test"))  # type: ignore[arg-type]


def test_unset_when_an_account_overrides_a_limit_then_the_firm_default_applies_again(desk: Desk) -> None:
    desk.limits(None, max_order_qty="500")
    desk.limits(max_order_qty=None)  # the account switched it off
    assert desk.gate.limits.effective(ACC).max_order_qty is None
    unset(desk, "max_order_qty")
    assert desk.gate.limits.effective(ACC).max_order_qty == Decimal(500)
    assert desk.gate.limits_view(ACC)["overrides"] == []
    event = desk.last.events[-1]
    assert isinstance(event, RiskLimitsChanged) and event.unset == ["max_order_qty"]
    assert event.old == {"max_order_qty": None}


def test_unset_when_replayed_then_the_override_stays_gone(desk: Desk) -> None:
    desk.limits(max_order_qty="7")
    unset(desk, "max_order_qty")
    replayed = Desk()
    for event in desk.events[1:]:
        replayed.ledger.apply(event)
    assert replayed.gate.limits.effective(ACC).max_order_qty is None


def test_unset_when_the_firm_default_was_changed_then_it_goes_back_to_the_settings_value(desk: Desk) -> None:
    desk.limits(None, max_open_orders=5)
    unset(desk, "max_open_orders", account=None)
    assert desk.gate.limits.defaults.max_open_orders is None


def test_unset_when_the_name_is_unknown_then_refused_naming_it(desk: Desk) -> None:
    with pytest.raises(ValidationFailed) as e:
        unset(desk, "max_nothing")
    assert e.value.field == "max_nothing"


@pytest.mark.parametrize("name", ["max_order_qty", "max_position_qty", "max_daily_volume"])
def test_quantity_limit_when_not_a_whole_number_of_lots_then_refused(desk: Desk, name: str) -> None:
    with pytest.raises(ValidationFailed) as e:
        desk.limits(**{name: "1.5"})
    assert (e.value.field, e.value.rule) == (name, "whole_number")
