"""A short fault run (the long one is bench/alpaca_faults.py): orders through the whole server to the fake
Alpaca with every fault knob armed at random; Alpaca never gets two orders for one of ours."""

from pathlib import Path

from tests.integration.alpaca_fault_run import run


async def test_orders_through_every_fault_then_never_two_orders_at_alpaca_for_one_of_ours(tmp_path: Path) -> None:
    result = await run(40, tmp_path, seed=11, settle=4.0)
    assert sum(result.faults_armed.values()) > 0
    assert result.duplicates_at_alpaca == 0
    assert sum(result.our_states.values()) == 40
