"""Alpaca's error answers sorted into the venue's own refusals and the order's."""

import pytest

from ordergate.adapters.venues.alpaca.refusals import venue_side_reason, venue_side_refusal


@pytest.mark.parametrize(("status", "body"), [
    (503, {"code": 50310000, "message": "service unavailable"}),
    (500, None),
    (401, {"message": "unauthorized"}),
    (403, {"message": "forbidden."}),
    (403, {"code": 40310000, "message": "market is closed for this order (closed session)"}),
    (422, {"code": 42210000, "message": "Trading is halted for AAPL"}),
])
def test_refusals_of_the_venues_own(status: int, body: object) -> None:
    assert venue_side_refusal(status, body)


@pytest.mark.parametrize(("status", "body"), [
    (403, {"code": 40310000, "message": "insufficient buying power", "buying_power": "0"}),
    (422, {"code": 40010001, "message": "qty must be > 0"}),
    (422, {"code": 40010001, "message": "client_order_id must be unique"}),
    (400, {"code": 40010000, "message": "request body format is invalid"}),
    (422, "not json"),
])
def test_refusals_of_the_orders_own(status: int, body: object) -> None:
    assert not venue_side_refusal(status, body)


def test_stream_rejection_reason_market_closed_then_the_venues_own() -> None:
    assert venue_side_reason("Market closed") and not venue_side_reason("insufficient qty available")
