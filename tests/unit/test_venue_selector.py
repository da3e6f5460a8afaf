"""Choosing the venue of an order by its instrument."""

import pytest

from ordergate.domain.errors import ValidationFailed
from ordergate.domain.ids import Symbol, VenueId
from ordergate.service.venue_selector import VenueSelector

PAPER, ALPACA = VenueId("paper"), VenueId("alpaca")


def test_symbol_without_route_goes_to_the_default_venue() -> None:
    assert VenueSelector(PAPER, {Symbol("AAPL"): ALPACA}).select(Symbol("MSFT")) == PAPER


def test_symbol_with_route_goes_to_its_venue() -> None:
    assert VenueSelector(PAPER, {Symbol("AAPL"): ALPACA}).select(Symbol("AAPL")) == ALPACA


def test_symbol_routed_to_a_venue_not_running_then_refused_naming_the_symbol() -> None:
    selector = VenueSelector(PAPER, {Symbol("AAPL"): ALPACA}, available=frozenset({PAPER}))
    with pytest.raises(ValidationFailed) as error:
        selector.select(Symbol("AAPL"))
    assert error.value.field == "symbol"
    assert error.value.rule == "routable"
