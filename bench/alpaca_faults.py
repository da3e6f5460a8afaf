"""The Alpaca fault run: N orders through the whole server to the fake Alpaca with every fault knob on
(5xx, 429, hung requests, created orders whose answer is lost or late, duplicated, reordered and delayed
events, stream drops), then both sides compared: duplicate orders at Alpaca (by client order id), orders in
a different final state or with a different filled quantity, positions and cash.

Run:  .venv/bin/python bench/alpaca_faults.py [--orders 1000] [--seed 7] [--no-stream-drops] [--settle 240]
"""

import argparse
import asyncio
import json
import logging
import sys
import tempfile
from pathlib import Path

import structlog

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root: tests/ is a package

from tests.integration.alpaca_fault_run import run


def main() -> None:
    """Run once and print the figures as one JSON object on the last line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-stream-drops", action="store_true")
    parser.add_argument("--settle", type=float, default=240.0, help="seconds both sides may take to agree")
    args = parser.parse_args()
    # The injected faults make hundreds of expected error lines, each with a rich traceback of its locals;
    # rendering them alone slowed a run on a busy machine twentyfold (timeouts then cascade): the figures
    # below say what matters.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
    with tempfile.TemporaryDirectory() as data_dir:
        result = asyncio.run(run(args.orders, Path(data_dir), args.seed, not args.no_stream_drops, args.settle))
    figures = {"bench": "alpaca_faults", **result.figures(),
               "rerun": f".venv/bin/python bench/alpaca_faults.py --orders {args.orders} --seed {args.seed}"}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
