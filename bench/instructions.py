"""Instructions per operation of a hot path, counted by valgrind's callgrind: the same whatever the load.

Four paths: ``risk`` (bench/risk.py's account, every limit on; one ``check_submit`` of a passing limit
order), ``order_path`` (bench/order_path.py's engine alone: one market order submitted, acknowledged
and filled, with ``take_changes`` every 64 orders), ``paper`` (the same orders through the engine and
the real paper exchange, as bench/order_path.py's paper run: matched, filled, the reports applied) and
``venue`` (the same orders' ``PaperExchange.submit`` alone: checks, match, reports, commission and the
market data hub's fold of each print; the reports dropped). The setup runs first; only the measured loop
is counted (it runs inside ``sum()`` calls, and callgrind collects only inside ``builtin_sum``; the paper
market's own ticks run between them, not counted).

For a same-run A/B against older code: extract it (``git archive COMMIT src bench | tar -x -C /tmp/old``)
and pass ``--src /tmp/old/src --bench /tmp/old/bench``; the old code is imported in place of this one.

Run:  .venv/bin/python bench/instructions.py risk [--n 5000] [--src DIR --bench DIR]
      .venv/bin/python bench/instructions.py order_path [--n 3000] [--src DIR --bench DIR]
      .venv/bin/python bench/instructions.py paper [--n 3000] [--src DIR --bench DIR]
      .venv/bin/python bench/instructions.py venue [--n 3000] [--src DIR --bench DIR]
(needs valgrind: apt-get install -y valgrind)
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _count(path: str, n: int, src: str | None, bench: str) -> int:
    """Run this file's ``--inner`` mode under callgrind; return the instructions it collected."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    if src:
        env["PYTHONPATH"] = src
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", "--toggle-collect=builtin_sum", f"--callgrind-out-file={tmp}/out",
             sys.executable, __file__, path, "--inner", "--n", str(n), "--bench", bench],
            env=env, capture_output=True, text=True, check=True)
    if f"counted {n}" not in done.stdout:
        raise SystemExit(f"the measured loop did not finish:\n{done.stdout}\n{done.stderr[-2000:]}")
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def _inner_risk(n: int) -> None:
    import risk as bench  # from --bench

    hub = bench.MarketDataHub
    bench.MarketDataHub = lambda clock, stale_after: hub(clock=clock, stale_after=1e6)  # valgrind is slow
    gate, instruments, clock = bench.build()
    bench.measure(gate, instruments, clock, 2000)  # warm up as the bench does
    orders = [bench._order(bench.SYMBOLS[i % 100], bench.Side.BUY if i % 2 else bench.Side.SELL, str(1 + i % 50),
                           f"{99 + (i % 7) * 0.25:.2f}") for i in range(n)]
    now, check, price = clock.now(), gate.check_submit, bench.PRICE

    def one(cmd: Any) -> int:
        if check(cmd, instruments[cmd.symbol], price, now):
            raise AssertionError("benchmark orders must pass")
        return 0

    print("counted", sum(map(one, orders)) + n)


def _inner_order_path(n: int) -> None:
    from decimal import Decimal

    import order_path as bench  # from --bench
    from ordergate.adapters.clock import SystemClock
    from ordergate.domain.enums import OrderStatus
    from ordergate.domain.ids import FillId, VenueOrderId
    from ordergate.domain.reports import FillReport, OrderStatusReport
    from ordergate.entrypoints.serve import tune_gc
    from ordergate.service.marketdata import MarketDataHub

    tune_gc()
    clock = SystemClock()
    prices = MarketDataHub(clock=clock, stale_after=1e6)
    for symbol, price in zip(bench.SYMBOLS, ("230.00", "420.00", "580.00"), strict=True):
        prices.on_trade(symbol, Decimal(price), Decimal(100), clock.now())
    engine = bench._engine(clock, prices)
    fills = iter(range(1, 10**9))

    def route(cmd: Any) -> None:  # bench/order_path.py's engine-only route
        for request in engine.handle(cmd).requests:
            order, now = request.order, clock.now()
            engine.handle(OrderStatusReport(order_id=order.order_id, venue=bench.PAPER, ts=now,
                                            status=OrderStatus.NEW, venue_order_id=VenueOrderId(order.order_id)))
            engine.handle(FillReport(order_id=order.order_id, venue=bench.PAPER, ts=now,
                                     fill_id=FillId(f"F{next(fills)}"), qty=order.qty,
                                     price=prices.reference_price(order.symbol) or Decimal(100),
                                     commission=Decimal("1")))

    commands = bench._commands(1000 + n)
    for cmd in commands[:1000]:
        route(cmd)
    engine.ledger.take_changes()
    counter = iter(range(10**9))

    def one(cmd: Any) -> int:
        route(cmd)
        if next(counter) % 64 == 0:
            engine.ledger.take_changes()
        return 0

    print("counted", sum(map(one, commands[1000:])) + n)


def _inner_paper(n: int, venue_only: bool = False) -> None:
    from collections import deque

    import order_path as bench  # from --bench
    from ordergate.adapters.clock import SystemClock
    from ordergate.adapters.instruments_file import load_instruments
    from ordergate.adapters.venues.paper.exchange import PaperExchange
    from ordergate.config import PaperConfig
    from ordergate.entrypoints.serve import tune_gc
    from ordergate.service.marketdata import MarketDataHub

    tune_gc()
    clock = SystemClock()
    prices = MarketDataHub(clock=clock, stale_after=1e6)
    reports: deque[Any] = deque()
    exchange = PaperExchange(bench.PAPER, PaperConfig(), load_instruments(), clock, prices)
    exchange.emit = reports.append
    exchange.open()
    engine = bench._engine(clock, prices)

    def route(cmd: Any) -> None:  # bench/order_path.py's paper route
        for request in engine.handle(cmd).requests:
            exchange.submit(request.order)
        while reports:
            engine.handle(reports.popleft())

    commands = bench._commands(1000 + n)
    for i, cmd in enumerate(commands[:1000]):
        if i % bench.TICK_EVERY == 0:
            exchange.tick()
        route(cmd)
    engine.ledger.take_changes()
    counter = iter(range(10**9))

    def one(cmd: Any) -> int:
        route(cmd)
        if next(counter) % 64 == 0:
            engine.ledger.take_changes()
        return 0

    def venue(order: Any) -> int:
        exchange.submit(order)
        reports.clear()
        return 0

    measured: list[Any] = commands[1000:]
    if venue_only:  # the venue's view of each order, made before counting
        measured = [request.order for cmd in measured for request in engine.handle(cmd).requests]
    counted = 0
    for start in range(0, n, bench.TICK_EVERY):
        exchange.tick()  # between the counted sums, as the bench ticks between its timed orders
        batch = measured[start:start + bench.TICK_EVERY]
        counted += sum(map(venue if venue_only else one, batch)) + len(batch)
    print("counted", counted)


def main() -> None:
    """Count one path's instructions per operation under callgrind and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", choices=["risk", "order_path", "paper", "venue"])
    parser.add_argument("--n", type=int, default=None, help="operations counted (default 5000 risk, 3000 orders)")
    parser.add_argument("--src", default=None, help="another src tree to import ordergate from (A/B)")
    parser.add_argument("--bench", default=str(HERE), help="the bench folder whose setup to use")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    n = args.n or (5000 if args.path == "risk" else 3000)
    if args.inner:
        sys.path.insert(0, args.bench)
        if args.path == "venue":
            _inner_paper(n, venue_only=True)
        else:
            {"risk": _inner_risk, "order_path": _inner_order_path, "paper": _inner_paper}[args.path](n)
        return
    total = _count(args.path, n, args.src, args.bench)
    print(f"rerun: .venv/bin/python bench/instructions.py {args.path} --n {n}"
          + (f" --src {args.src} --bench {args.bench}" if args.src else ""))
    print(f"{args.path}: {total / n:,.0f} instructions per operation ({total:,} over {n:,})")
    print(json.dumps({"benchmark": "instructions", "path": args.path, "n": n, "instructions": total,
                      "per_operation": round(total / n), "src": args.src or "this tree"}))


if __name__ == "__main__":
    main()
