"""Symbol lists in limits: matched to the instruments whatever their case; unknown symbols refused."""

from decimal import Decimal

import pytest

from ordergate.domain.errors import ValidationFailed
from ordergate.domain.risk.limit_parse import LIMIT_NAMES
from ordergate.domain.risk.limits import RiskLimits
from tests.unit.risk.conftest import ACC, Desk, only


def test_restricted_symbols_when_given_in_lower_case_then_stored_as_the_instrument_and_matched(desk: Desk) -> None:
    desk.limits(restricted_symbols=["aapl", " msft "])
    assert desk.gate.limits.effective(ACC).restricted_symbols == frozenset({"AAPL", "MSFT"})
    assert only(desk.check()).rule == "restricted_symbols"


def test_restricted_symbols_when_a_symbol_is_unknown_then_refused_naming_it_and_nothing_changes(desk: Desk) -> None:
    with pytest.raises(ValidationFailed) as e:
        desk.limits(restricted_symbols=["AAPL", "NOPE"])
    assert e.value.field == "restricted_symbols" and "NOPE" in str(e.value)
    assert desk.gate.limits.effective(ACC).restricted_symbols is None


def test_margin_rates_when_a_key_is_unknown_then_refused_and_when_lower_case_then_normalized(desk: Desk) -> None:
    with pytest.raises(ValidationFailed) as e:
        desk.limits(margin_rates={"ZZZZ": "0.3"})
    assert e.value.field == "margin_rates" and "ZZZZ" in str(e.value)
    desk.limits(margin_rates={"msft": "0.3"})
    assert desk.gate.limits.effective(ACC).margin_rates == {"MSFT": Decimal("0.3")}


def test_limit_names_when_compared_with_the_limits_dataclass_then_the_same() -> None:
    assert sorted(LIMIT_NAMES) == sorted(RiskLimits.__dataclass_fields__)
