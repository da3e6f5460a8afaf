"""Benchmark the smart order router: one routing decision, and the order path with the router wired in.

* ``decision``: the pure policy (domain/routing.py ``choose``) over 4 venues with 10 levels each, for a
  market buy that walks about 3 levels at every venue, under best_execution (also lowest_cost, fastest);
  and ``best_execution_sweep``: the decision plus the split of a larger market buy over all 4 venues'
  levels (domain/sweep.py), what the router does for an order larger than the best venue shows.
* ``router``: the service-layer decision (service/router.py ``Router.route``) over the same books: it also
  reads each venue's state and learned statistics and builds the record journaled with the order.
* ``order_path``: in the same run, bench/order_path.py's engine-only path (submit, ack, fill) with the
  plain one-venue selector and with the Router as ``ordergate serve`` wires it (statistics and route log
  subscribed, every instrument at one venue); rounds alternate, medians of the rounds are printed.

Run:  .venv/bin/python bench/router.py [--decisions N] [--orders N] [--rounds R]
"""

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import machine  # beside this file: the machine speed printed with the figures
import order_path  # beside this file: the in-process order path
from ordergate.adapters.clock import SystemClock
from ordergate.adapters.instruments_file import load_instruments
from ordergate.domain.commands import OpenAccount, SubmitOrder
from ordergate.domain.enums import OrderType, Side
from ordergate.domain.ids import AccountId, Symbol, VenueId
from ordergate.domain.ledger import Ledger
from ordergate.domain.routing import Fees, Level, RouteRequest, VenueView, choose
from ordergate.domain.sweep import needs_sweep, sweep
from ordergate.entrypoints.serve import tune_gc
from ordergate.service.engine import OrderEngine
from ordergate.service.ids import OrderIdGenerator
from ordergate.service.marketdata import MarketDataHub
from ordergate.service.router import RoutedVenue, Router
from ordergate.service.venue_stats import VenueStats

VENUES = [VenueId(f"venue{i}") for i in range(4)]
TARGET_US = 15.0


def books() -> dict[VenueId, list[Level]]:
    """Return 10 ask levels per venue, a cent apart, each venue a little off the others (best first)."""
    return {venue: [(Decimal("230.00") + Decimal(i) * Decimal("0.003") + Decimal(k) / 100, Decimal(100 + 10 * i))
                    for k in range(10)] for i, venue in enumerate(VENUES)}


def fees() -> dict[VenueId, Fees]:
    """Return a different commission schedule per venue."""
    return {v: Fees(per_share=Decimal("0.001") * (i + 1), minimum=Decimal("0.5")) for i, v in enumerate(VENUES)}


def _p50(run: Callable[[], object], n: int) -> float:
    perf = time.perf_counter_ns
    times = []
    for _ in range(n):
        start = perf()
        run()
        times.append(perf() - start)
    return round(statistics.median(times) / 1000, 2)


def bench_decision(n: int) -> dict[str, float]:
    """Return the p50 (us) of one pure decision per policy."""
    asks, schedules = books(), fees()
    views: Sequence[VenueView] = [VenueView(v, asks[v], schedules[v], ack_latency_ms=1.0 + i, fill_rate=0.9,
                                            reject_rate=0.01, slippage_bps=Decimal("0.5"))
                                  for i, v in enumerate(VENUES)]
    request = RouteRequest(Side.BUY, Decimal(300), OrderType.MARKET)
    chosen = choose(request, views, "best_execution")
    assert all(c.fillable == 300 for c in chosen.candidates), "every venue must walk several levels"
    figures = {policy: _p50(lambda p=policy: choose(request, views, p), n)  # type: ignore[misc]
               for policy in ("best_execution", "lowest_cost", "fastest")}
    big = RouteRequest(Side.BUY, Decimal(600), OrderType.MARKET)  # more than any venue shows at its best level
    assert needs_sweep(big, views) and len(sweep(big, views)[0]) == len(VENUES), "the sweep must use every venue"
    figures["best_execution_sweep"] = _p50(lambda: (choose(big, views, "best_execution"), sweep(big, views)), n)
    return figures


def bench_router(n: int) -> float:
    """Return the p50 (us) of one Router.route call (views, statistics, the journaled record)."""
    asks, schedules = books(), fees()
    clock = SystemClock()
    stats = VenueStats(Ledger())
    router = Router(VenueId("paper"), {}, {Symbol("AAPL"): VENUES}, stats, clock)
    router.attach({v: RoutedVenue(lambda s, side, k, v=v: asks[v][:k], schedules[v], lambda: True)  # type: ignore[misc]
                   for v in VENUES})
    cmd = SubmitOrder(account=AccountId("A"), symbol=Symbol("AAPL"), side=Side.BUY, type=OrderType.MARKET,
                      qty=Decimal(300))
    return _p50(lambda: router.route(cmd), n)


def routed_engine(clock: SystemClock, prices: MarketDataHub) -> OrderEngine:
    """Return the order_path engine with the router as bootstrap wires it (one venue per instrument)."""
    ledger = Ledger()
    stats = VenueStats(ledger, learn=False)  # as bootstrap wires it when no instrument has several venues
    router = Router(order_path.PAPER, {}, {}, stats, clock)
    router.attach({order_path.PAPER: RoutedVenue(lambda s, side, k: [], Fees(), lambda: True)})
    engine = OrderEngine(ledger, load_instruments(), prices, clock, router, OrderIdGenerator(clock.now()))
    engine.handle(OpenAccount(account=order_path.ACCOUNT, balances={"USD": Decimal("1e12")}))
    return engine


def bench_order_path(orders: int, rounds: int) -> dict[str, Any]:
    """Return the engine-only order path's figures with the plain selector and with the router, alternated."""
    plain, routed = [], []
    for _ in range(rounds):
        plain.append(order_path.run_engine_only(orders, orders // 10))
        routed.append(order_path.run_engine_only(orders, orders // 10, routed_engine))

    def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
        return {"p50_us": statistics.median(r["p50_us"] for r in runs),
                "orders_per_s": statistics.median(r["orders_per_s"] for r in runs)}

    return {"one_venue_selector": summary(plain), "one_venue_router": summary(routed), "rounds": rounds}


def main() -> None:
    """Run every part and print the figures, the last line as one JSON object."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--decisions", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    tune_gc()
    print(f"rerun: .venv/bin/python bench/router.py --decisions {args.decisions} --orders {args.orders} "
          f"--rounds {args.rounds}")
    decision = bench_decision(args.decisions)
    print(f"one decision, 4 venues x 10 levels (p50 us): {decision}; target <= {TARGET_US} us: "
          f"{'met' if decision['best_execution'] <= TARGET_US else 'NOT met'}")
    router = bench_router(args.decisions)
    print(f"Router.route with statistics and the journaled record (p50 us): {router}")
    path = bench_order_path(args.orders, args.rounds)
    print(f"order path, one venue: selector {path['one_venue_selector']}, router {path['one_venue_router']}")
    print(json.dumps({
        "benchmark": "router", "date": datetime.now(UTC).date().isoformat(), "python": platform.python_version(),
        "decision_p50_us": decision, "target_p50_us": TARGET_US, "router_route_p50_us": router,
        "order_path": path, "machine": machine.speed(),
    }))


if __name__ == "__main__":
    main()
