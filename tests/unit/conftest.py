"""Fixtures for the unit tests: a fake clock, fixed prices, an engine with one funded account, and a running
engine loop over a scripted venue."""

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from ordergate.service.engine import OrderEngine
from tests.fakes.clock import FakeClock
from tests.fakes.prices import FixedPrices
from tests.unit.builders import T0, make_engine
from tests.unit.loop_fixtures import Rig, start_rig


@pytest.fixture
def clock() -> FakeClock:
    """A clock standing at Monday 2026-03-02 14:00 UTC."""
    return FakeClock(T0)


@pytest.fixture
def prices() -> FixedPrices:
    """Reference prices: AAPL 230, MSFT 420."""
    return FixedPrices({"AAPL": Decimal("230.00"), "MSFT": Decimal("420.00")})


@pytest.fixture
def engine(clock: FakeClock, prices: FixedPrices) -> OrderEngine:
    """An engine with account ACC holding 1,000,000 USD and INR."""
    return make_engine(clock, prices)


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    """A running engine loop over a scripted venue (``paper``), account ACC funded; stopped after the test."""
    started = await start_rig(FakeClock())
    yield started
    await started.loop.stop()
