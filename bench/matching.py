"""Benchmark the pure matching core (domain/matching.py): orders per second, submit -> match -> fill.

Run: .venv/bin/python bench/matching.py [orders]   (from the repository root)

A seeded flow around a mid price: 60% limit orders that rest (makers, inside a 20-tick band), 30%
crossing orders that fill against them (market and marketable limit, some walking levels), 10%
cancels of resting orders. Book objects are built inside the timed loop, as the venue does.
It also pushes market orders through the paper exchange (the venue's synchronous core) to show what
the venue adds on top of matching. The DESIGN.md target for the whole in-process path is >= 25,000
orders/s; this core must be well above it.
"""

import json
import random
import sys
import time
from decimal import Decimal

import machine  # beside this file: the machine speed printed with the figures
from ordergate.adapters.clock import SystemClock
from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.venues.paper.exchange import PaperExchange
from ordergate.config import PaperConfig
from ordergate.domain.enums import OrderType, Side, TimeInForce
from ordergate.domain.ids import AccountId, ClientOrderId, OrderId, Symbol, VenueId
from ordergate.domain.matching import BookOrder, Fill, OrderBook
from ordergate.service.ports import VenueOrder

MID = 10_000  # in ticks of 0.01: 100.00
TICK = Decimal("0.01")


Request = tuple[str, Side, Decimal, Decimal | None, TimeInForce]


def make_flow(n: int, seed: int = 1) -> list[Request]:
    """Return n (kind, side, qty, price, tif) requests, prices as Decimal on the tick grid."""
    rng = random.Random(seed)
    prices = [Decimal(t) * TICK for t in range(MID - 40, MID + 41)]
    flow: list[Request] = []
    for _ in range(n):
        side = Side.BUY if rng.random() < 0.5 else Side.SELL
        qty = Decimal(rng.randint(1, 10) * 10)
        r = rng.random()
        if r < 0.6:  # maker: rest on its own side of the mid
            off = rng.randint(1, 20)
            flow.append(("order", side, qty, prices[40 - off if side is Side.BUY else 40 + off], TimeInForce.GTC))
        elif r < 0.75:
            flow.append(("order", side, qty, None, TimeInForce.IOC))  # market
        elif r < 0.9:
            off = rng.randint(0, 10)
            flow.append(("order", side, qty, prices[40 + off if side is Side.BUY else 40 - off], TimeInForce.GTC))
        else:
            flow.append(("cancel", side, qty, None, TimeInForce.GTC))
    return flow


def run(flow: list[Request]) -> dict[str, float]:
    """Push the flow through one book; return the counts and the elapsed seconds."""
    book = OrderBook("BENCH", last_price=Decimal(MID) * TICK)
    resting: list[str] = []
    orders = fills = cancels = 0
    start = time.perf_counter()
    for i, (kind, side, qty, price, tif) in enumerate(flow):
        if kind == "cancel":
            if resting and book.cancel(resting.pop()) is not None:
                cancels += 1
            continue
        order = BookOrder(str(i), side, qty, price, tif=tif)
        for event in book.submit(order):
            if type(event) is Fill:
                fills += 1
        orders += 1
        if order.live:
            resting.append(order.id)
    elapsed = time.perf_counter() - start
    return {"orders": orders, "fills": fills, "cancels": cancels, "seconds": elapsed}


class _NullFeed:
    """A market data sink that drops everything (the hub's own cost is measured in bench/book.py)."""

    def on_book(self, *args: object) -> None:
        """Drop a book."""

    def on_trade(self, *args: object) -> None:
        """Drop a trade."""


def run_exchange(n: int) -> dict[str, float]:
    """Submit n market orders of 10 AAPL through the paper exchange (ack + fills + commission reports)."""
    exchange = PaperExchange(VenueId("paper"), PaperConfig(), load_instruments(), SystemClock(), _NullFeed())
    reports: list[object] = []
    exchange.emit = reports.append
    exchange.open()
    orders = [VenueOrder(
        order_id=OrderId(f"o{i}"), client_order_id=ClientOrderId(f"o{i}"), account=AccountId("A"),
        symbol=Symbol("AAPL"), side=Side.BUY if i % 2 else Side.SELL, type=OrderType.MARKET, qty=Decimal(10),
        filled_qty=Decimal(0), limit_price=None, stop_price=None, tif=TimeInForce.DAY, expire_at=None,
    ) for i in range(n)]
    market = exchange.markets[Symbol("AAPL")]
    start = time.perf_counter()
    for i, order in enumerate(orders):
        exchange.submit(order)
        if i % 100 == 0:
            market.requote()  # the makers refill the book, as the timer does a few times a second
    elapsed = time.perf_counter() - start
    return {"orders": n, "reports": len(reports), "seconds": elapsed}


def main() -> None:
    """Run the benchmark three times and report the best run."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    flow = make_flow(n)
    best = min((run(flow) for _ in range(3)), key=lambda r: r["seconds"])
    requests = best["orders"] + best["cancels"]
    figures = {
        "benchmark": "matching", "requests": n, "orders": best["orders"], "fills": best["fills"],
        "orders_per_s": round(best["orders"] / best["seconds"]),
        "requests_per_s": round(requests / best["seconds"]),
        "fills_per_s": round(best["fills"] / best["seconds"]),
        "us_per_order": round(best["seconds"] / best["orders"] * 1e6, 2),
        "target_orders_per_s": 25_000,
    }
    venue = min((run_exchange(n // 4) for _ in range(3)), key=lambda r: r["seconds"])
    figures["paper_exchange_orders_per_s"] = round(venue["orders"] / venue["seconds"])
    figures["paper_exchange_reports_per_s"] = round(venue["reports"] / venue["seconds"])
    print(f"rerun: .venv/bin/python bench/matching.py {n}")
    print(f"matching core: {figures['orders_per_s']:,} orders/s, {figures['fills_per_s']:,} fills/s (best of 3)")
    print(f"paper exchange (ack + fills + commission reports): {figures['paper_exchange_orders_per_s']:,} orders/s")
    figures["machine"] = machine.speed()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
