"""A long run of the venue conformance kit: many fresh random schedules per kind of venue disorder.

The suite runs a few fixed schedules per property (tests/conformance); this runs ``--examples`` fresh ones
per class (in order with duplicates and delays; reordered with pending replaces; everything: drops, lost
requests, reconnects, cancel-all and the kill switch; unconfirmed-replace windows with a second buy)
against the real engine, loop and SQLite journal, and counts the schedules that broke an invariant, by the
kind of problem (numbers and ids masked), with the first schedule that showed each kind (as Python). Nothing
is shrunk: this is a survey.

Run:  .venv/bin/python bench/conformance_kit.py [--examples N] [--commission 0.35]
"""

import argparse
import asyncio
import json
import logging
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import structlog
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root: tests/ is a package

import machine  # beside this file: the machine speed printed with the figures
from tests.conformance import schedule as sc
from tests.conformance import strategies as ks
from tests.conformance.harness import run_schedule

CLASSES: dict[str, st.SearchStrategy[sc.Schedule]] = {
    "in_order": ks.schedules(ks.IN_ORDER), "reordered": ks.schedules(ks.REORDERED),
    "everything": ks.schedules(ks.EVERYTHING), "replace_windows": ks.replace_windows(),
}


def _kind(problem: str) -> str:
    return re.sub(r"\d+(\.\d+)?", "#", problem)[:120]


def source(schedule: sc.Schedule) -> str:
    """Return the schedule as Python that rebuilds it (enum members written by name)."""
    return re.sub(r"<(\w+\.\w+): '[^']*'>", r"\1", repr(schedule))


def survey(schedules: st.SearchStrategy[sc.Schedule], examples: int, commission: str) -> dict[str, Any]:
    """Run ``examples`` random schedules; return how many broke something, and what."""
    kinds: Counter[str] = Counter()
    first: dict[str, str] = {}
    failing = 0

    @settings(max_examples=examples, derandomize=False, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(schedules)
    def one(schedule: sc.Schedule) -> None:
        nonlocal failing
        with tempfile.TemporaryDirectory() as directory:
            problems = asyncio.run(run_schedule(schedule, Path(directory), commission=commission)).problems
        failing += bool(problems)
        for kind in {_kind(p) for p in problems}:
            kinds[kind] += 1
            first.setdefault(kind, source(schedule))

    one()
    return {"failing": failing, "kinds": [{"kind": k, "schedules": n, "first": first[k]}
                                          for k, n in kinds.most_common()]}


def main() -> None:
    """Survey every disorder class; print one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=200, help="schedules per disorder class")
    parser.add_argument("--commission", default="0", help="commission per fill")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
    started = time.perf_counter()
    result = {name: survey(schedules, args.examples, args.commission) for name, schedules in CLASSES.items()}
    print(json.dumps({
        "benchmark": "conformance_kit", "examples_per_class": args.examples, "commission": args.commission,
        "seconds": round(time.perf_counter() - started, 1), "classes": result, "machine": machine.speed(),
        "rerun": f".venv/bin/python bench/conformance_kit.py --examples {args.examples}",
    }))


if __name__ == "__main__":
    main()
