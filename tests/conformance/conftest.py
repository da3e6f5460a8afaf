"""Fixtures of the conformance kit: a started run on a fresh SQLite store."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conformance.harness import KitRun, start_kit


@pytest.fixture
async def kit(tmp_path: Path) -> AsyncIterator[KitRun]:
    """An engine with account ACC (20,000 USD, buying power enforced) against a scriptable venue."""
    run = await start_kit(tmp_path)
    yield run
    await run.close()
