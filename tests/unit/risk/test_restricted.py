"""restricted_symbols (denied) and watch_symbols (allowed, flagged and counted)."""

from tests.unit.risk.conftest import Desk, only


def test_restricted_symbols_when_symbol_not_listed_then_passes(desk: Desk) -> None:
    desk.limits(restricted_symbols=["MSFT"])
    assert desk.check(symbol="AAPL") == []


def test_restricted_symbols_when_symbol_listed_then_denies_naming_it(desk: Desk) -> None:
    desk.limits(restricted_symbols="MSFT,NVDA")
    denial = only(desk.check(symbol="MSFT", price="420.00"))
    assert (denial.rule, denial.actual) == ("restricted_symbols", "MSFT")
    assert "restricted list" in denial.message


def test_restricted_symbols_when_set_firm_wide_then_applies_to_the_account(desk: Desk) -> None:
    desk.limits(account=None, restricted_symbols=["AAPL"])
    assert only(desk.check()).rule == "restricted_symbols"
    desk.limits(restricted_symbols=None)  # the account's own override switches it off
    assert desk.check() == []


def test_watch_symbols_when_symbol_listed_then_order_passes_flagged_and_counted(desk: Desk) -> None:
    desk.limits(watch_symbols=["AAPL"])
    order = desk.submit()
    assert order.status == "new" and order.flags == ["watch_list"]
    assert desk.gate.metrics()["accounts"]["ACC"]["watch_list_orders"] == 1
