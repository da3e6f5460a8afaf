"""Scaling past one engine: aggregate throughput of 1 and then 2 engine processes, each over its own accounts.

Each process is one partition as ``docs/scaling.md`` designs it: its own engine (its own ledger, risk and
accounts) and its own journal (a SQLite file of its own, WAL, synchronous=FULL), making the server's
batches (new submits plus the acks and fills of the previous batch, ``bench/persistence.py``'s workload)
and committing each batch before the next. Timed per process: its whole loop, engine work and durable
commits together, from a common start. The aggregate is all orders over the slowest process's time; the
scaling figure is the 2-process aggregate over the 1-process one (2.0 would be perfect on two cores).

No HTTP: the served path's own cost is measured by ``bench/http_submit.py``; here the question is whether
the single writer's work, split by account, adds up.

Run:  .venv/bin/python bench/scaling.py [--orders N] [--batch B] [--max-processes P]
"""

import argparse
import json
import multiprocessing as mp
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import machine  # beside this file: the machine speed printed with the figures
from ordergate.adapters.store.database import make_engine
from ordergate.adapters.store.journal import SqlJournal
from ordergate.adapters.store.migrate import upgrade_to_head
from ordergate.domain.enums import OrderStatus
from persistence import Workload  # beside this file: the engine making the server's batches


def partition(url: str, orders: int, batch: int, start: Any, results: Any) -> None:
    """Run one partition's engine and journal over ``orders`` orders once ``start`` is set; report its time."""
    upgrade_to_head(url)
    journal = SqlJournal(make_engine(url))
    work = Workload()
    journal.commit(journal.prepare(work.take([work.opening])))
    sizes = [batch] * (orders // batch) + ([orders % batch] if orders % batch else []) + [0]
    start.wait()
    began = time.perf_counter()
    for size in sizes:
        journal.commit(journal.prepare(work.batch(size)))
    elapsed = time.perf_counter() - began
    journal.engine.dispose()
    done = work.engine.ledger.orders.values()
    results.put({"orders": sum(1 for o in done if o.status is OrderStatus.FILLED), "seconds": elapsed})


def run(processes: int, orders: int, batch: int, folder: Path) -> dict[str, Any]:
    """Run ``processes`` partitions at once, each with ``orders`` orders; return the aggregate figures."""
    ctx = mp.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=partition, args=(f"sqlite:///{folder}/p{processes}-{i}.db", orders, batch,
                                                   start, results))
               for i in range(processes)]
    for worker in workers:
        worker.start()
    time.sleep(3.0)  # every worker has migrated its database and built its engine (spawn + imports)
    start.set()
    figures = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    total = sum(f["orders"] for f in figures)
    slowest = max(f["seconds"] for f in figures)
    return {"processes": processes, "orders": total, "seconds": round(slowest, 2),
            "orders_per_s": round(total / slowest),
            "per_process_orders_per_s": [round(f["orders"] / f["seconds"]) for f in figures]}


def main() -> None:
    """Measure 1, then 2 (up to ``--max-processes``) partitions and print the scaling, last line JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000, help="orders per process")
    parser.add_argument("--batch", type=int, default=256, help="orders per group commit")
    parser.add_argument("--max-processes", type=int, default=2)
    args = parser.parse_args()
    print(f"rerun: .venv/bin/python bench/scaling.py --orders {args.orders} --batch {args.batch} "
          f"--max-processes {args.max_processes}")
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for processes in range(1, args.max_processes + 1):
            figures = run(processes, args.orders, args.batch, Path(folder))
            print(f"{processes} engine process(es): {figures['orders_per_s']:,} orders/s "
                  f"(each {figures['per_process_orders_per_s']})")
            runs.append(figures)
    scaling = round(runs[-1]["orders_per_s"] / runs[0]["orders_per_s"], 2)
    print(f"{args.max_processes} processes / 1 process: {scaling}x")
    print(json.dumps({"benchmark": "scaling", "date": datetime.now(UTC).date().isoformat(), "runs": runs,
                      "scaling": scaling, "cpus": mp.cpu_count(), "machine": machine.speed()}))


if __name__ == "__main__":
    main()
