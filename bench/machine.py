"""How fast this machine runs Python right now, printed beside every benchmark's figures.

The project's machines are shared and their speed drifts from day to day (the same code has measured
three times slower on one day than on another). Absolute figures mean little without it, so each
benchmark's JSON carries ``machine``: the time of a fixed pure-Python workload (dict, attribute and
Decimal operations, as on the order path) and the load average when it ran. Compare figures across days
by this; compare code within one run.
"""

import os
import statistics
import time
from decimal import Decimal
from typing import Any

ROUNDS = 200_000


def _workload() -> Decimal:
    book: dict[int, Decimal] = {}
    total = Decimal(0)
    price = Decimal("230.01")
    for i in range(ROUNDS):
        qty = Decimal(i % 7 + 1)
        book[i % 64] = qty
        total += qty * price
    return total


def speed(repeat: int = 5) -> dict[str, Any]:
    """Return the median ns per round of the fixed workload and the 1-minute load average."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter_ns()
        _workload()
        times.append(time.perf_counter_ns() - started)
    return {"workload_ns_per_round": round(statistics.median(times) / ROUNDS, 1),
            "load_average_1m": round(os.getloadavg()[0], 2)}


if __name__ == "__main__":
    print(speed())
