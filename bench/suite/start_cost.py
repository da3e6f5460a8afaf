"""What the suite pays per CLI call and per server start, in CPU seconds (steadier than wall time here).

A CLI call: ``ordergate order list`` against a URL where nothing listens (it imports everything a client
command needs, builds its HTTP client, fails to connect and exits 2), median CPU over ``--cli-runs`` runs.
A server start: ``tests.e2e.server.Server`` started on SQLite until /ready answers, then stopped; the
server's CPU (its imports, migrations, start and stop) and this process's CPU while it waited (the
readiness poll), medians over ``--starts`` starts. The package's bytecode is written first, as the suite
writes it at the start of each session (tests/bytecode.py).

Run:  .venv/bin/python bench/suite/start_cost.py [--cli-runs 9] [--starts 3]
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.bytecode import compile_package  # noqa: E402
from tests.e2e.server import Server  # noqa: E402  (the suite's own server fixture class)


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def cli_call_cpu(runs: int) -> float:
    """Return the median CPU seconds of one CLI client command that cannot reach its server."""
    env = {**os.environ, "ORDERGATE_URL": "http://127.0.0.1:1"}
    command = [sys.executable, "-m", "ordergate.entrypoints.cli", "order", "list"]
    spent = []
    for _ in range(runs):
        before = _cpu(resource.RUSAGE_CHILDREN)
        subprocess.run(command, env=env, capture_output=True, check=False)
        spent.append(_cpu(resource.RUSAGE_CHILDREN) - before)
    return statistics.median(spent)


def server_start_cpu(starts: int) -> tuple[float, float]:
    """Return the median CPU seconds of a server start and stop, and of this process while it waited."""
    server_cpu, waiting_cpu = [], []
    for _ in range(starts):
        children, own = _cpu(resource.RUSAGE_CHILDREN), _cpu(resource.RUSAGE_SELF)
        with tempfile.TemporaryDirectory() as data_dir:
            server = Server(Path(data_dir)).start(timeout=180)
            waiting_cpu.append(_cpu(resource.RUSAGE_SELF) - own)
            server.stop()
        server_cpu.append(_cpu(resource.RUSAGE_CHILDREN) - children)
    return statistics.median(server_cpu), statistics.median(waiting_cpu)


def main() -> None:
    """Measure and print the figures as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli-runs", type=int, default=9)
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args()
    compile_package()
    cli = cli_call_cpu(args.cli_runs)
    server, waiting = server_start_cpu(args.starts)
    print(f"rerun: .venv/bin/python bench/suite/start_cost.py --cli-runs {args.cli_runs} --starts {args.starts}")
    print(json.dumps({"benchmark": "suite_start_cost", "cli_call_cpu_s": round(cli, 3),
                      "server_start_cpu_s": round(server, 3), "test_process_cpu_per_start_s": round(waiting, 3),
                      "load_average": round(os.getloadavg()[0], 1)}))


if __name__ == "__main__":
    main()
