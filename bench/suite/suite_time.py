"""How long ``make test`` takes: its two passes, timed, with what they started.

Runs the suite as ``make test`` does (every test with pytest-xdist workers, then the end-to-end tests again
with the server on PostgreSQL) and prints, per pass, the wall time, the CPU time of pytest and everything
it started, the tests passed / failed / skipped, the ordergate servers started and the PostgreSQL
databases created (tests/conftest.py prints the last two). ``--workers 0`` runs each pass in one process
(no xdist), as ``make test`` did before, for a comparison in the same run. Needs PostgreSQL (as the suite).

Run:  .venv/bin/python bench/suite/suite_time.py [--workers N] [--only first|postgres]
"""

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))

from machine import speed  # noqa: E402  (bench/machine.py, beside the other benchmarks)

PASSES = {"first": ([], {}), "postgres": (["tests/e2e"], {"ORDERGATE_TEST_DB": "postgres"})}
COUNTS = re.compile(r"ordergate servers started: (\d+); PostgreSQL databases created: (\d+)")
OUTCOMES = re.compile(r"(\d+) (passed|failed|skipped|errors?)")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_pass(name: str, workers: int) -> dict[str, Any]:
    """Run one pass of the suite and return its figures."""
    paths, env_extra = PASSES[name]
    xdist = ["-n", str(workers), "--dist", "loadfile"] if workers else []
    command = [str(REPO / ".venv/bin/pytest"), "-q", "-p", "no:cacheprovider", *xdist, *paths]
    cpu_before, started = _children_cpu(), time.monotonic()
    done = subprocess.run(command, cwd=REPO, env={**os.environ, **env_extra}, capture_output=True, text=True)
    seconds, cpu = time.monotonic() - started, _children_cpu() - cpu_before
    tail = done.stdout.strip().splitlines()[-3:]
    counts = COUNTS.search(done.stdout)
    outcomes = {kind.rstrip("s"): int(n) for n, kind in OUTCOMES.findall(tail[-1] if tail else "")}
    # pytest's short summary names each test that failed or errored: kept, since the output itself is not
    not_passed = [line[:300] for line in done.stdout.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    return {"pass": name, "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1), "exit_code": done.returncode,
            "server_starts": int(counts.group(1)) if counts else None,
            "databases_created": int(counts.group(2)) if counts else None, **outcomes, "not_passed": not_passed}


def main() -> None:
    """Time the passes and print the figures as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist workers per pass (0: no xdist)")
    parser.add_argument("--only", choices=sorted(PASSES), help="run one pass only")
    args = parser.parse_args()
    names = [args.only] if args.only else list(PASSES)
    machine = speed()
    passes = [run_pass(name, args.workers) for name in names]
    print(f"rerun: .venv/bin/python bench/suite/suite_time.py --workers {args.workers}"
          + (f" --only {args.only}" if args.only else ""))
    print(json.dumps({"benchmark": "suite_time", "workers": args.workers, "passes": passes,
                      "seconds": round(sum(p["seconds"] for p in passes), 1), "machine": machine}))


if __name__ == "__main__":
    main()
