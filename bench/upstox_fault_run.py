"""Fault run of the Upstox venue: N orders through the real engine and UpstoxVenue against the fake Upstox
with every fault knob on (lost place answers, 429, 5xx, timeouts, duplicate and reordered updates, stream
drops); then checks no duplicate order at the fake by tag and final states, positions and cash equal the fake's.

    .venv/bin/python bench/upstox_fault_run.py --orders 1000 --seed 1

Prints one JSON object on its last line.
"""

import argparse
import asyncio
import json
import logging
import sys
import tempfile
from pathlib import Path

import structlog

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: tests/ is a package

import machine  # beside this file: the machine speed printed with the figures
from tests.fakes.upstox.fault_run import fault_run


def main() -> None:
    """Run the fault run and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
    logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)  # its denial-response (302) noise
    with tempfile.TemporaryDirectory(prefix="upstox-fault-run-") as folder:
        result = asyncio.run(fault_run(Path(folder), args.orders, args.seed, args.concurrency))
    for problem in result.problems[:20]:
        print(problem)
    print(json.dumps({
        "bench": "upstox_fault_run", "orders": result.orders, "seed": args.seed,
        "duplicate_orders_at_upstox": sum(n - 1 for n in result.duplicates.values()),
        "problems": len(result.problems), "seconds": round(result.seconds, 1), **result.stats,
        "machine": machine.speed(),
        "rerun": f".venv/bin/python bench/upstox_fault_run.py --orders {args.orders} --seed {args.seed}",
    }))


if __name__ == "__main__":
    main()
