"""duplicate_window_seconds: the same order again within N seconds."""

from tests.unit.risk.conftest import Desk, only


def test_duplicate_when_terms_differ_then_passes(desk: Desk) -> None:
    desk.limits(duplicate_window_seconds="5")
    desk.submit(qty="10")
    assert desk.check(qty="11") == []
    assert desk.check(qty="10", price="229.99") == []
    assert desk.check(qty="10", side="sell") == []


def test_duplicate_when_identical_inside_the_window_then_denies_naming_window_and_age(desk: Desk) -> None:
    desk.limits(duplicate_window_seconds="5")
    desk.submit(qty="10")
    desk.clock.advance(4.5)
    denial = only(desk.check(qty="10"))
    assert (denial.rule, denial.limit, denial.actual) == ("duplicate_window_seconds", "5", "4.500")


def test_duplicate_when_the_window_has_passed_then_passes(desk: Desk) -> None:
    desk.limits(duplicate_window_seconds="5")
    desk.submit(qty="10")
    desk.clock.advance(5)
    assert desk.check(qty="10") == []


def test_duplicate_when_the_first_was_denied_then_the_second_is_not_a_duplicate(desk: Desk) -> None:
    desk.limits(duplicate_window_seconds="5", max_order_qty="5")
    desk.submit(qty="10")
    desk.limits(max_order_qty=None)
    assert desk.check(qty="10") == []
