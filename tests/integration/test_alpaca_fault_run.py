"""A short fault run (the long one is bench/alpaca_faults.py): orders through the whole server to the fake
Alpaca with every fault knob armed at random, streams dropped; Alpaca never gets two orders for one of
ours, and once both sides settle every order, the position and the cash agree with Alpaca's."""

from pathlib import Path

from tests.integration.alpaca_fault_run import run


async def test_orders_through_every_fault_then_no_duplicates_and_both_sides_agree(tmp_path: Path) -> None:
    result = await run(60, tmp_path, seed=11, settle=60.0)
    assert sum(result.faults_armed.values()) > 0 and result.faults_armed["stream_drop"] >= 1
    assert result.duplicates_at_alpaca == 0
    assert (result.state_mismatches, result.filled_qty_mismatches) == ([], [])
    assert (result.position_ours, result.cash_change_ours) == (result.position_alpaca, result.cash_change_alpaca)
