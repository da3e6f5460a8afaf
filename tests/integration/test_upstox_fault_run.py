"""A short fault run: the engine through UpstoxVenue against the fake with every fault knob on."""

from pathlib import Path

from tests.fakes.upstox.fault_run import fault_run


async def test_every_knob_on_then_no_duplicate_order_and_books_equal_upstox(tmp_path: Path) -> None:
    result = await fault_run(tmp_path, orders=40, seed=3)
    assert result.duplicates == {}
    assert result.problems == []
    assert result.stats["upstox_orders"] == 40
