"""In-process order path: submit -> risk -> match -> fill -> position, through the real OrderEngine.

Two runs in the same process:
  * ``paper``: the engine plus the real paper exchange (price-time matching against the seeded synthetic
    book); every market order is acknowledged and filled by the book, and the reports go back through the
    engine into orders, positions and cash.
  * ``engine_only``: the same engine, with the venue's ack and fill reports made by the benchmark
    (no matching), to show what the engine itself costs.
No journal I/O is timed (the writer's ``take_changes`` is). The simulated market's own ticks (re-quoting
the book) happen between timed orders and are not counted. The risk checks are whatever RiskGate the
engine has by default. The garbage collector runs with the server's policy (``serve.tune_gc``).

Then the same path as served (unless ``--no-http``): ``ordergate serve`` on SQLite and the paper exchange,
64 keep-alive connections of durable market-order submits (every 201 committed first), and in the same
run the same server's authenticated no-op POST ``/api/v1/ping`` for scale (bench/http_submit.py's client).

Run:  .venv/bin/python bench/order_path.py [--orders N] [--warmup W] [--http-seconds S] [--no-http]
"""

import argparse
import json
import platform
import statistics
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import machine  # beside this file: the machine speed printed with the figures
from ordergate.adapters.clock import SystemClock
from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.venues.paper.exchange import PaperExchange
from ordergate.config import PaperConfig
from ordergate.domain.commands import OpenAccount, SubmitOrder
from ordergate.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from ordergate.domain.ids import AccountId, FillId, Symbol, VenueId, VenueOrderId
from ordergate.domain.ledger import Ledger
from ordergate.domain.reports import FillReport, OrderStatusReport, Report
from ordergate.entrypoints.serve import tune_gc
from ordergate.service.engine import OrderEngine
from ordergate.service.ids import OrderIdGenerator
from ordergate.service.marketdata import MarketDataHub

ACCOUNT = AccountId("BENCH")
SYMBOLS = [Symbol("AAPL"), Symbol("MSFT"), Symbol("SPY")]
PAPER = VenueId("paper")
TICK_EVERY = 100  # orders between two steps of the simulated market (it re-quotes what was taken)
COMMIT_EVERY = 64  # orders per take_changes, roughly one group commit's worth


def _engine(clock: SystemClock, prices: MarketDataHub) -> OrderEngine:
    engine = OrderEngine(Ledger(), load_instruments(), prices, clock, PAPER, OrderIdGenerator(clock.now()))
    engine.handle(OpenAccount(account=ACCOUNT, balances={"USD": Decimal("1e12")}))
    return engine


def _commands(n: int) -> list[SubmitOrder]:
    """Market orders alternating buy and sell over three symbols, 1 to 5 shares each (built before timing)."""
    return [
        SubmitOrder(account=ACCOUNT, symbol=SYMBOLS[i % 3], side=Side.BUY if (i // 3) % 2 == 0 else Side.SELL,
                    type=OrderType.MARKET, qty=Decimal(1 + i % 5), tif=TimeInForce.IOC)
        for i in range(n)
    ]


def run_paper(n: int, warmup: int) -> dict[str, Any]:
    """Time orders through the engine and the real paper exchange."""
    clock = SystemClock()
    prices = MarketDataHub(clock=clock, stale_after=30.0)
    reports: deque[Report] = deque()
    exchange = PaperExchange(PAPER, PaperConfig(), load_instruments(), clock, prices)
    exchange.emit = reports.append
    exchange.open()
    engine = _engine(clock, prices)

    def route(cmd: SubmitOrder) -> None:
        for request in engine.handle(cmd).requests:
            exchange.submit(request.order)
        while reports:
            engine.handle(reports.popleft())

    return _timed(engine, route, n, warmup, between=exchange.tick)


def run_engine_only(n: int, warmup: int,
                    make_engine: Callable[[SystemClock, MarketDataHub], OrderEngine] | None = None) -> dict[str, Any]:
    """Time orders through the engine with acks and fills made here instead of by a matching engine.

    ``make_engine`` builds the engine (default: one whose every order goes to the paper venue).
    """
    clock = SystemClock()
    prices = MarketDataHub(clock=clock, stale_after=30.0)
    for symbol, price in zip(SYMBOLS, ("230.00", "420.00", "580.00"), strict=True):
        prices.on_trade(symbol, Decimal(price), Decimal(100), clock.now())
    engine = (make_engine or _engine)(clock, prices)
    fills = iter(range(1, 10**9))

    def route(cmd: SubmitOrder) -> None:
        for request in engine.handle(cmd).requests:
            order = request.order
            now = clock.now()
            engine.handle(OrderStatusReport(order_id=order.order_id, venue=PAPER, ts=now, status=OrderStatus.NEW,
                                            venue_order_id=VenueOrderId(order.order_id)))
            price = prices.reference_price(order.symbol) or Decimal(100)
            engine.handle(FillReport(order_id=order.order_id, venue=PAPER, ts=now, fill_id=FillId(f"F{next(fills)}"),
                                     qty=order.qty, price=price, commission=Decimal("1")))

    return _timed(engine, route, n, warmup, between=None)


def _timed(engine: OrderEngine, route: Callable[[SubmitOrder], None], n: int, warmup: int,
           between: Callable[[], None] | None) -> dict[str, Any]:
    commands = _commands(warmup + n)
    for i, cmd in enumerate(commands[:warmup]):
        route(cmd)
        if between is not None and i % TICK_EVERY == 0:
            between()
    engine.ledger.take_changes()
    first_measured = len(engine.ledger.order_list)
    latencies: list[int] = []
    busy = 0
    perf = time.perf_counter_ns
    for i, cmd in enumerate(commands[warmup:]):
        if between is not None and i % TICK_EVERY == 0:
            between()
        start = perf()
        route(cmd)
        if i % COMMIT_EVERY == 0:
            engine.ledger.take_changes()
        took = perf() - start
        latencies.append(took)
        busy += took
    return _figures(engine, first_measured, latencies, busy)


def _figures(engine: OrderEngine, first: int, latencies: list[int], busy_ns: int) -> dict[str, Any]:
    measured = engine.ledger.order_list[first:]
    statuses: dict[str, int] = {}
    for order in measured:
        statuses[order.status.value] = statuses.get(order.status.value, 0) + 1
    fills = sum(len(o.fill_ids) for o in measured)
    _check_positions(engine)
    latencies.sort()
    return {
        "orders": len(latencies),
        "orders_per_s": round(len(latencies) / (busy_ns / 1e9)),
        "p50_us": round(statistics.median(latencies) / 1000, 2),
        "p99_us": round(latencies[int(len(latencies) * 0.99) - 1] / 1000, 2),
        "fills": fills,
        "statuses": statuses,
    }


def _check_positions(engine: OrderEngine) -> None:
    """Refuse to report figures if a position is not the signed sum of its orders' fills."""
    expected: dict[Symbol, Decimal] = {}
    for order in engine.ledger.orders.values():
        expected[order.symbol] = expected.get(order.symbol, Decimal(0)) + order.side.sign * order.filled_qty
    for position in engine.ledger.positions_of(ACCOUNT):
        if position.qty != expected.get(position.symbol, Decimal(0)):
            raise SystemExit(f"position check failed for {position.symbol}: {position.qty} != {expected}")


def main() -> None:
    """Run both variants and print the figures, the last line as one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--warmup", type=int, default=2_000)
    parser.add_argument("--http-seconds", type=float, default=10.0)
    parser.add_argument("--no-http", action="store_true", help="skip the served (HTTP) part")
    args = parser.parse_args()
    tune_gc()  # the collector policy ``ordergate serve`` runs with: survivors of older generations frozen
    print(f"rerun: .venv/bin/python bench/order_path.py --orders {args.orders} --warmup {args.warmup} "
          f"--http-seconds {args.http_seconds}{' --no-http' if args.no_http else ''}")
    paper = run_paper(args.orders, args.warmup)
    print(f"engine + paper matching: {paper['orders_per_s']:,} orders/s, p50 {paper['p50_us']} us, "
          f"p99 {paper['p99_us']} us, {paper['fills']:,} fills, {paper['statuses']}")
    engine_only = run_engine_only(args.orders, args.warmup)
    print(f"engine only (scripted ack+fill): {engine_only['orders_per_s']:,} orders/s, "
          f"p50 {engine_only['p50_us']} us, p99 {engine_only['p99_us']} us")
    target = 25_000
    print(f"target >= {target:,} orders/s: {'met' if paper['orders_per_s'] >= target else 'NOT met'}")
    http = None if args.no_http else run_http(args.http_seconds)
    print(json.dumps({
        "benchmark": "order_path", "date": datetime.now(UTC).date().isoformat(), "python": platform.python_version(),
        "target_orders_per_s": target, "paper": paper, "engine_only": engine_only, "http": http,
        "machine": machine.speed(),
    }))


def run_http(seconds: float, connections: int = 64) -> dict[str, Any]:
    """Measure the served path: durable submits over HTTP, and the same server's no-op POST for scale."""
    from http_submit import run_real_server  # beside this file; starts the real server as the e2e tests do

    submits, ping = run_real_server(connections, warmup=2.0, seconds=seconds)
    ratio = round(submits["req_per_s"] / ping["req_per_s"], 3) if ping["req_per_s"] else None
    print(f"HTTP, {connections} connections, durable submits: {submits['req_per_s']:,} orders/s, "
          f"p50 {submits['p50_ms']} ms, p99 {submits['p99_ms']} ms, statuses {submits['statuses']}")
    print(f"HTTP, same server, no-op authenticated POST: {ping['req_per_s']:,} req/s, p50 {ping['p50_ms']} ms, "
          f"p99 {ping['p99_ms']} ms; submit/no-op ratio {ratio}")
    return {"connections": connections, "submit": submits, "noop_post": ping, "submit_to_noop_ratio": ratio}


if __name__ == "__main__":
    main()
