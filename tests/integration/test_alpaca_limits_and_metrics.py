"""Alpaca's request limit and the venue's metrics: a 429 waits until the reset Alpaca names, the budget keeps
under the limit, and latency, errors by class, retries and rate-limit waits are counted."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from prometheus_client import CollectorRegistry

from ordergate.adapters.clock import SystemClock
from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.venue_metrics import VenueConnectionMetrics
from ordergate.adapters.venues.alpaca import http
from ordergate.adapters.venues.alpaca.venue import AlpacaVenue
from tests.fakes.alpaca import FakeAlpacaServer
from tests.integration.alpaca_harness import Collected, eventually, fake_config


@pytest.fixture
async def fake() -> AsyncIterator[FakeAlpacaServer]:
    async with FakeAlpacaServer() as server:
        yield server


async def test_429_5xx_and_timeouts_then_retried_waiting_for_the_reset_and_counted_by_class(
        fake: FakeAlpacaServer) -> None:
    registry = CollectorRegistry()
    observer = VenueConnectionMetrics(registry).for_venue("alpaca")
    venue = AlpacaVenue(fake_config(fake, timeout=0.3), load_instruments(), SystemClock(), observer)
    await venue.start(Collected())
    try:
        await eventually(venue.is_ready)
        fake.broker.faults.update({"http_429": 1, "http_5xx": 1, "hang_requests": 1, "hang_seconds": 1.0})
        started = asyncio.get_running_loop().time()
        assert await venue.positions() == []
        waited = asyncio.get_running_loop().time() - started
    finally:
        await venue.stop()

    def value(name: str, **labels: str) -> float:
        return registry.get_sample_value(name, {"venue": "alpaca", **labels}) or 0.0

    rate_wait = value("ordergate_venue_rate_limit_wait_seconds_total")
    # the injected 429 names a reset up to a second away (whole epoch seconds): the retry waits for it (the
    # budget test below shows the pause itself)
    assert rate_wait > 0 and waited > 0
    assert value("ordergate_venue_errors_total", error="429") == 1
    assert value("ordergate_venue_errors_total", error="5xx") == 1
    assert value("ordergate_venue_errors_total", error="timeout") == 1
    assert {cause: value("ordergate_venue_retries_total", cause=cause) for cause in ("429", "5xx", "timeout")} == {
        "429": 1, "5xx": 1, "timeout": 1}
    assert value("ordergate_venue_request_seconds_count", endpoint="/v2/positions") == 4


async def test_budget_lets_at_most_its_requests_per_minute_start_then_waits_for_the_oldest_to_age(
        monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(http.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(http.asyncio, "sleep", sleep)
    budget = http.RequestBudget(3)
    assert [await budget.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    now[0] += 10
    assert await budget.acquire() == pytest.approx(50.0)  # the 4th waits until the 1st is a minute old
    budget.pause_until(now[0] + 2.5)  # Alpaca said the window is spent until its reset
    now[0] += 60
    assert await budget.acquire() == 0.0  # the pause is over by then
    budget.pause_until(now[0] + 2.5)
    assert await budget.acquire() == pytest.approx(2.5)
