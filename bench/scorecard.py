"""The performance scorecard: every row of the performance targets measured in one run, side by side.

Runs each benchmark as its own process, one after another (so they do not share the two cores), reads
the JSON object each prints on its last line, and prints the table of figures against their targets:
the in-process order path against NautilusTrader's backtest pipeline, the L2 book against NautilusTrader's
book, HTTP durable submits against a bare Starlette app, group commit on SQLite and PostgreSQL, restart
and memory with a 1 M-event journal, the pre-trade rule set, and the test suite's wall time.

The peers run in a virtual environment of their own (`make bench` makes it, as `make bench-peers` does).
Every benchmark's own output goes to the log directory; a benchmark that fails is a row that says so.

Run:  make bench
      (or: .venv/bin/python bench/scorecard.py [--peer-python .peers-venv/bin/python] [--skip ROW ...])
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import machine

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

Figures = dict[str, Any]


@dataclass(frozen=True)
class Row:
    """One row of the scorecard: how to measure it and how to read the figure against the target."""

    name: str
    what: str
    command: Callable[[argparse.Namespace], list[str]]
    figure: Callable[[Figures], str]
    met: Callable[[Figures], bool]
    target: str


def _python(args: argparse.Namespace, script: str, *extra: str) -> list[str]:
    return [sys.executable, str(BENCH / script), *extra]


def _peer(args: argparse.Namespace, script: str, *extra: str) -> list[str]:
    return [args.peer_python, str(BENCH / "peers" / script), *extra]


def _group(f: Figures, db: str) -> int:
    group = f.get(f"{db}_group")
    return int(group["orders_per_s"]) if isinstance(group, dict) else 0


def _rss(f: Figures) -> float:
    return max(float(f[k]["rss_mb"]) for k in ("from_journal", "from_snapshot") if isinstance(f.get(k), dict))


def _suite_minutes(f: Figures) -> float:
    return float(f["seconds"]) / 60


ROWS = (
    Row("pipeline", "in-process submit → risk → paper match → fill → position, vs NautilusTrader's pipeline",
        lambda a: _peer(a, "nautilus_pipeline.py", "--project-python", sys.executable),
        lambda f: (f"{f['ordergate_paper_orders_per_s']:,} vs {f['nautilus']['orders_per_s']:,} orders/s "
                   f"→ {f['ratio']}x"),
        lambda f: float(f["ratio"]) >= 10, "≥ 10x"),
    Row("book", "L2 book update + best bid/ask, vs NautilusTrader's book",
        lambda a: _python(a, "peers/nautilus_book.py", "--peer-python", a.peer_python),
        lambda f: f"{f['ordergate_updates_per_s']:,} vs {f['nautilus_updates_per_s']:,} updates/s → {f['ratio']}x",
        lambda f: float(f["ratio"]) >= 0.6, "≥ 0.6x"),
    Row("http", "HTTP durable submit, 64 connections, vs bare Starlette POST",
        lambda a: _python(a, "http_submit.py"),
        lambda f: (f"{f['ordergate']['req_per_s']:,} vs {f['bare_starlette']['req_per_s']:,} req/s → {f['ratio']}x, "
                   f"p99 {f['ordergate']['p99_ms']} ms"),
        lambda f: float(f["ratio"]) >= 0.5 and float(f["ordergate"]["p99_ms"]) <= 20, "≥ 0.5x, p99 ≤ 20 ms"),
    Row("commit", "group commit, 3 events per order, 256 orders per commit",
        lambda a: _python(a, "persistence.py"),
        lambda f: f"SQLite {_group(f, 'sqlite'):,}, PostgreSQL {_group(f, 'postgres'):,} orders/s",
        lambda f: _group(f, "sqlite") >= 20_000 and _group(f, "postgres") >= 12_000, "≥ 20,000 and ≥ 12,000"),
    Row("restart", "restart with 1 M journal events, until serving",
        lambda a: _python(a, "restart.py"),
        lambda f: f"{f['start_to_serving_s']} s (whole journal replayed: {f['start_full_replay_s']} s)",
        lambda f: float(f["start_to_serving_s"]) <= 3, "≤ 3 s"),
    Row("risk", "full pre-trade rule set, p50",
        lambda a: _python(a, "risk.py"),
        lambda f: f"{f['p50_us']} µs",
        lambda f: float(f["p50_us"]) <= 3, "≤ 3 µs"),
    Row("memory", "RSS serving 1 M journal events with 1,000 working orders",
        lambda a: _python(a, "memory.py"),
        lambda f: f"{_rss(f):,.0f} MB",
        lambda f: _rss(f) <= 300, "≤ 300 MB"),
    Row("suite", "make test's two passes on two workers",
        lambda a: _python(a, "suite/suite_time.py", "--workers", "2"),
        lambda f: f"{_suite_minutes(f):.1f} min",
        lambda f: _suite_minutes(f) <= 5, "≤ 5 min"),
)


def measure(row: Row, args: argparse.Namespace, logs: Path) -> dict[str, Any]:
    """Run one row's benchmark; its figures, or why there are none."""
    log = logs / f"{row.name}.log"
    started = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run(row.command(args), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=False)
    seconds = round(time.perf_counter() - started, 1)
    lines = log.read_text().strip().splitlines()
    try:
        figures: Figures = json.loads(lines[-1])
        return {"row": row.name, "figure": row.figure(figures), "met": row.met(figures), "target": row.target,
                "seconds": seconds, "figures": figures}
    except (IndexError, ValueError, KeyError, TypeError) as error:
        return {"row": row.name, "figure": f"failed (exit {done.returncode}, {type(error).__name__}); see {log}",
                "met": False, "target": row.target, "seconds": seconds}


def main() -> None:
    """Measure every row in turn and print the table, the last line as one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer-python", default=str(ROOT / ".peers-venv" / "bin" / "python"))
    parser.add_argument("--skip", nargs="+", action="extend", default=[], choices=[r.name for r in ROWS],
                        help="rows to leave out")
    parser.add_argument("--logs", type=Path, help="where each benchmark's output goes (default: a temp dir)")
    args = parser.parse_args()
    logs = args.logs or Path(tempfile.mkdtemp(prefix="ordergate-scorecard-"))
    logs.mkdir(parents=True, exist_ok=True)
    skip = ("--skip " + " ".join(args.skip)) if args.skip else ""
    print(f"rerun: .venv/bin/python bench/scorecard.py {skip}".rstrip() + f"   (logs in {logs})", flush=True)
    before = machine.speed()
    results = []
    for row in ROWS:
        if row.name in args.skip:
            continue
        result = measure(row, args, logs)
        results.append(result)
        print(f"| {row.what} | {result['figure']} | {row.target} | {'met' if result['met'] else 'NOT met'} |",
              flush=True)
    print(json.dumps({"benchmark": "scorecard", "machine_before": before, "machine_after": machine.speed(),
                      "load_average_1m": round(os.getloadavg()[0], 2), "rows": results}))


if __name__ == "__main__":
    main()
