"""Memory of a server serving a large journal: resident set size (RSS) once it serves, with 1,000 working orders.

The journal is the one ``bench/restart.py`` makes and caches (``--events``, default 1,000,000 events: 282,604
orders over 100 accounts, about 400 of them working at the end). Each measurement runs in a fresh process on
a fresh copy of it: ``bootstrap.start`` (from the journal alone; or from a snapshot, which another process
wrote by a clean stop first), then working orders are added (resting limit buys far from the market) until
1,000 work, a full garbage collection, and the process's RSS and its peak are read from /proc. Printed beside
them: the orders held in memory, those out of it (ended before the trading day: the journal's clock starts on
2026-03-02, so every order that ended is before today) and the RSS per order held.

Run:  .venv/bin/python bench/memory.py [--events N] [--working N]
"""

import argparse
import asyncio
import gc
import json
import logging
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import structlog

import machine  # beside this file: the machine speed printed with the figures
import restart  # beside this file: the cached journal
from ordergate import bootstrap
from ordergate.config import Settings
from ordergate.domain.commands import SubmitOrder
from ordergate.domain.enums import OrderType, Side, TimeInForce
from ordergate.domain.ids import Symbol

TARGET_MB = 300


def rss_mb() -> tuple[float, float]:
    """Return this process's resident set size and its peak, in MB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, admin_key="memory-bench-admin-key", log_level="warning")


async def _start_stop(data_dir: Path) -> None:
    """Start and stop cleanly: the stop writes the snapshot the next start loads."""
    await bootstrap.stop(await bootstrap.start(_settings(data_dir)))


async def _serve(data_dir: Path, working: int) -> dict[str, Any]:
    container = await bootstrap.start(_settings(data_dir))
    ledger, accounts = container.engine.ledger, sorted(container.engine.ledger.accounts)
    n = 0
    while len(ledger.open_orders) < working:
        n += 1
        await container.loop.execute(SubmitOrder(
            account=accounts[n % len(accounts)], symbol=Symbol("AAPL"), side=Side.BUY, type=OrderType.LIMIT,
            qty=Decimal(1), limit_price=Decimal("1.00"), tif=TimeInForce.GTC, requested_by="memory-bench"))
    gc.collect()
    rss, peak = rss_mb()
    figures = {"rss_mb": round(rss, 1), "peak_mb": round(peak, 1), "orders_in_memory": len(ledger.orders),
               "orders_out_of_memory": ledger.ended.total(), "working": len(ledger.open_orders),
               "kb_per_order": round(1024 * rss / len(ledger.orders), 2)}
    await bootstrap.stop(container)
    return figures


def child(data_dir: Path, action: str, working: int) -> dict[str, Any]:
    """Run ``action`` (``prepare``: start and stop; ``measure``) on ``data_dir`` in a fresh process, so that
    nothing of another run is counted; return what it printed last."""
    out = subprocess.run([sys.executable, __file__, "--working", str(working), "--child", action,
                          "--data-dir", str(data_dir)], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Measure the RSS of a server started from the journal, then from a snapshot; print the figures, JSON last."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--working", type=int, default=1000)
    parser.add_argument("--child", choices=["prepare", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    if args.child == "prepare":
        asyncio.run(_start_stop(args.data_dir))
        print(json.dumps({}))
        return
    if args.child == "measure":
        print(json.dumps(asyncio.run(_serve(args.data_dir, args.working))))
        return
    db, summary = restart.cached_journal(args.events, False)
    print(f"rerun: .venv/bin/python bench/memory.py --events {args.events} --working {args.working}", flush=True)
    print(f"journal: {summary['events']:,} events, {summary['fingerprint']['orders']:,} orders", flush=True)
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        runs["journal"] = child(restart.fresh_copy(db, Path(tmp) / "a"), "measure", args.working)
        print(f"started from the journal: {runs['journal']}", flush=True)
        data_dir = restart.fresh_copy(db, Path(tmp) / "b")
        child(data_dir, "prepare", args.working)
        runs["snapshot"] = child(data_dir, "measure", args.working)
        print(f"started from the snapshot: {runs['snapshot']}", flush=True)
    worst = max(r["rss_mb"] for r in runs.values())
    print(f"target RSS <= {TARGET_MB} MB: {'met' if worst <= TARGET_MB else 'NOT met'}")
    print(json.dumps({
        "benchmark": "memory", "date": datetime.now(UTC).date().isoformat(), "python": platform.python_version(),
        "events": summary["events"], "orders": summary["fingerprint"]["orders"], "working": args.working,
        "from_journal": runs["journal"], "from_snapshot": runs["snapshot"], "target_mb": TARGET_MB,
        "machine": machine.speed(),
    }))


if __name__ == "__main__":
    main()
