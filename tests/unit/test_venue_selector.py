"""Choosing the venue of an order by its instrument."""

import pytest

from ordergate.domain.enums import OrderStatus
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.ids import Symbol, VenueId
from ordergate.service.venue_selector import VenueSelector
from tests.unit.builders import buy, make_engine

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


def test_order_when_its_venue_says_it_cannot_take_orders_then_denied_with_the_venues_reason() -> None:
    engine = make_engine()
    engine.venues.reasons = lambda venue: "venue_unavailable: token expired" if venue == PAPER else None
    outcome = engine.handle(buy("1"))
    order = outcome.reply.order
    assert order.status is OrderStatus.REJECTED
    assert [(d.rule, d.message) for d in order.denials] == [("venue_unavailable", "venue_unavailable: token expired")]
    assert outcome.requests == []
